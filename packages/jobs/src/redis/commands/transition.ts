// Redis Lua script `transition` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, from (comma list), expectedVersion, ownerToken (JSON), status, leaseMs,
// startedAt, ttlMs, field pairs.
// Returns { 'ok', record } or { failure, record }: 'not_found' (no record), 'terminal',
// 'status', 'version' or 'owner', as `TransitionFailure`.

/** The `transition` script body (see the header of this file). */
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
