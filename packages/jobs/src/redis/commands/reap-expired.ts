// Redis Lua script `reap-expired` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, cutoff (epoch ms, or '' for the server's now), batch size, error (JSON).
// Returns { how many were due in this batch, the records turned interrupted }.

/** The `reap-expired` script body (see the header of this file). */
export const reapScript = `
local now = now_ms()
local cutoff = now
if ARGV[2] ~= '' then cutoff = tonumber(ARGV[2]) end
local ids = redis.call('ZRANGEBYSCORE', P .. 'lease', '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[3]))
local reaped = {}
for _, id in ipairs(ids) do
  local key = jkey(id)
  local h = redis.call('HMGET', key, 'status', 'leaseExpiresAt', 'createdAt')
  redis.call('ZREM', P .. 'lease', id)
  local cur = dec(h[1])
  local lease = dec(h[2])
  if cur and not terminal[cur] and lease and lease <= cutoff then
    redis.call('HSET', key, 'error', ARGV[4])
    finish(id, cur, 'interrupted', now, nil, tonumber(h[3]))
    bump(id, now)
    changed(id)
    reaped[#reaped + 1] = record(id)
  end
end
return { #ids, reaped }
`;
