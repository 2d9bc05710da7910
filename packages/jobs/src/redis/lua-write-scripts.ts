// The Lua scripts that change a job's state. Each is one atomic script: compare-and-set on
// version, fencing on leaseToken and terminal immutability are checked inside it.

/** ARGV: prefix, id, idempotency key, leaseMs, createdAt, startedAt, status, scope suffix, label suffix, field pairs. */
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

/** ARGV: prefix, id, from (comma list), expectedVersion, ownerToken (JSON), status, leaseMs, startedAt, ttlMs, field pairs. */
export const transitionScript = `
local id = ARGV[2]
local key = jkey(id)
local h = redis.call('HMGET', key, 'status', 'version', 'leaseToken', 'createdAt')
if not h[1] then return { 'not_found' } end
local cur = dec(h[1])
if terminal[cur] then return { 'terminal', record(id) } end
local allowed = false
for status in string.gmatch(ARGV[3], '[^,]+') do
  if status == cur then allowed = true end
end
if not allowed then return { 'status', record(id) } end
if ARGV[4] ~= '' and tonumber(h[2]) ~= tonumber(ARGV[4]) then return { 'version', record(id) } end
if ARGV[5] ~= '' and dec(h[3]) ~= dec(ARGV[5]) then return { 'owner', record(id) } end
local to = cur
if ARGV[6] ~= '' then to = ARGV[6] end
-- Fencing: a running job that holds a lease leaves 'running' only in its owner's hands.
if cur == 'running' and dec(h[3]) and ARGV[5] == '' and ARGV[6] ~= '' and to ~= 'running' then
  return { 'owner', record(id) }
end
local now = now_ms()
local createdAt = tonumber(h[4])
if #ARGV >= 10 then redis.call('HSET', key, unpack(ARGV, 10)) end
if ARGV[8] ~= '' then
  redis.call('HSET', key, 'startedAt', ARGV[8])
elseif to == 'running' and cur ~= 'running' then
  redis.call('HSET', key, 'startedAt', n(now))
end
if terminal[to] then
  local ttl = nil
  if ARGV[9] ~= '' and ARGV[9] ~= 'null' then ttl = tonumber(ARGV[9]) end
  finish(id, cur, to, now, ttl, createdAt)
else
  if to ~= cur then set_status(id, cur, to, createdAt) end
  if ARGV[7] ~= '' then
    local lease = now + tonumber(ARGV[7])
    redis.call('HSET', key, 'leaseExpiresAt', n(lease))
    redis.call('ZADD', P .. 'lease', lease, id)
  end
end
bump(id, now)
changed(id)
local result = record(id)
apply_expiry(id)
return { 'ok', result }
`;

/** ARGV: prefix, id, ownerToken (JSON), leaseMs, progress (JSON, or '' to keep). */
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

/** ARGV: prefix, id, reason (JSON string or null). */
export const requestCancelScript = `
local id = ARGV[2]
local key = jkey(id)
local h = redis.call('HMGET', key, 'status', 'cancelRequestedAt', 'createdAt')
if not h[1] then return { 'not_found' } end
local cur = dec(h[1])
if terminal[cur] then return { 'unchanged', record(id) } end
local now = now_ms()
if cur == 'pending' then
  local message = dec(ARGV[3]) or 'The job was cancelled before it started'
  redis.call('HSET', key, 'cancelRequestedAt', n(now), 'cancelReason', ARGV[3],
    'error', cjson.encode({ code = 'CANCELLED', message = message }))
  finish(id, cur, 'cancelled', now, nil, tonumber(h[3]))
  bump(id, now)
elseif not dec(h[2]) then
  redis.call('HSET', key, 'cancelRequestedAt', n(now), 'cancelReason', ARGV[3])
  bump(id, now)
end
changed(id)
return { 'ok', record(id) }
`;

/** ARGV: prefix, cutoff (epoch ms, or '' for the server's now), batch size, error (JSON). */
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
