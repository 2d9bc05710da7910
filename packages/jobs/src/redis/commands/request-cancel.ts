// Redis Lua script `request-cancel` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, reason (JSON string or null).
// Returns { 'ok', record }, { 'unchanged', record } (terminal) or { 'not_found' }.

/** The `request-cancel` script body (see the header of this file). */
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
