// Redis Lua script `get-cursor` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, name. Returns { exists, cursor or false }.

/** The `get-cursor` script body (see the header of this file). */
export const getCursorScript = `
if redis.call('EXISTS', jkey(ARGV[2])) == 0 then return { 0 } end
return { 1, redis.call('HGET', P .. 'cursors:' .. ARGV[2], ARGV[3]) }
`;
