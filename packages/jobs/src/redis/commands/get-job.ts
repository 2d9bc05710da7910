// Redis Lua script `get-job` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// Reads one job with the server's clock, for the front's visibility rule. ARGV: prefix, id. Returns
// { now } when the job does not exist (or expired), { now, record } otherwise.

/** The `get-job` script body (see the header of this file). */
export const getScript = `
return { n(now_ms()), record(ARGV[2]) }
`;
