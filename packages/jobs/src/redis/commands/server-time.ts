// Redis Lua script `server-time` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// Returns the server's clock. ARGV: prefix.
// Returns the server's clock in epoch ms (Redis TIME).

/** The `server-time` script body (see the header of this file). */
export const timeScript = `
return n(now_ms())
`;
