// Redis Lua script `create-job` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, idempotency key, leaseMs, createdAt, startedAt, status, scope suffix, label
// suffix, field pairs.
// Returns { 'created' | 'existing' | 'exists' | 'scope', record }: 'existing' for the job of
// the idempotency key, 'scope' when that job has another scope, 'exists' for a taken id.

/** The `create-job` script body (see the header of this file). */
export const createScript = `
local id, idem = ARGV[2], ARGV[3]
if idem ~= '' then
  local existing = redis.call('HGET', P .. 'idem', idem)
  if existing then
    local rec = record(existing)
    if #rec > 0 then
      if redis.call('HGET', jkey(existing), '_s') ~= ARGV[8] then return { 'scope', rec } end
      return { 'existing', rec }
    end
    redis.call('HDEL', P .. 'idem', idem)
  end
end
if redis.call('EXISTS', jkey(id)) == 1 then return { 'exists', record(id) } end
local now = now_ms()
local createdAt = now
if ARGV[5] ~= '' then createdAt = tonumber(ARGV[5]) end
local startedAt = 'null'
if ARGV[6] ~= '' then startedAt = ARGV[6] elseif ARGV[7] == 'running' then startedAt = n(createdAt) end
local lease = nil
if ARGV[4] ~= '' then lease = now + tonumber(ARGV[4]) end
local key = jkey(id)
if #ARGV >= 10 then redis.call('HSET', key, unpack(ARGV, 10)) end
redis.call('HSET', key, 'id', cjson.encode(id), 'status', cjson.encode(ARGV[7]),
  'createdAt', n(createdAt), 'startedAt', startedAt, 'updatedAt', n(now), 'finishedAt', 'null',
  'expiresAt', 'null', 'leaseExpiresAt', lease and n(lease) or 'null', 'cancelRequestedAt', 'null',
  'cancelReason', 'null', 'error', 'null', 'version', '1', '_s', ARGV[8], '_l', ARGV[9])
redis.call('ZADD', P .. 'idx:all', createdAt, id)
redis.call('ZADD', P .. 'idx:status:' .. ARGV[7], createdAt, id)
redis.call('ZADD', P .. 'idx:scope:' .. ARGV[8], createdAt, id)
redis.call('ZADD', P .. 'idx:label:' .. ARGV[9], createdAt, id)
if lease then redis.call('ZADD', P .. 'lease', lease, id) end
if idem ~= '' then
  redis.call('HSET', P .. 'idem', idem, id)
  redis.call('HSET', key, '_i', idem)
end
changed(id)
return { 'created', record(id) }
`;
