// Redis Lua script `heartbeat` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, ownerToken (JSON), leaseMs, progress (JSON, or '' to keep).
// Returns { 'ok', record }, { 'fenced', record } (not the owner, or terminal) or { 'gone' }.

/** The `heartbeat` script body (see the header of this file). */
export const heartbeatScript = `
local id = ARGV[2]
local key = jkey(id)
local h = redis.call('HMGET', key, 'status', 'leaseToken', 'progress')
if not h[1] then return { 'gone' } end
if terminal[dec(h[1])] or dec(h[2]) ~= dec(ARGV[3]) then return { 'fenced', record(id) } end
local now = now_ms()
local lease = now + tonumber(ARGV[4])
redis.call('HSET', key, 'leaseExpiresAt', n(lease))
redis.call('ZADD', P .. 'lease', lease, id)
if ARGV[5] ~= '' and ARGV[5] ~= h[3] then
  redis.call('HSET', key, 'progress', ARGV[5])
  bump(id, now)
  changed(id)
end
return { 'ok', record(id) }
`;
