// Redis Lua script `set-cursor` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, name, expected ('' for unset), next. Returns -1 (no job), 0 (lost) or 1.

/** The `set-cursor` script body (see the header of this file). */
export const setCursorScript = `
local id = ARGV[2]
if redis.call('EXISTS', jkey(id)) == 0 then return -1 end
local key = P .. 'cursors:' .. id
local current = redis.call('HGET', key, ARGV[3])
if (ARGV[4] == '' and current) or (ARGV[4] ~= '' and current ~= ARGV[4]) then return 0 end
redis.call('HSET', key, ARGV[3], ARGV[5])
local expires = dec(redis.call('HGET', jkey(id), 'expiresAt'))
if expires then redis.call('PEXPIREAT', key, expires) end
return 1
`;
