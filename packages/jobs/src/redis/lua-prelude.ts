/**
 * Lua shared by every script of the Redis store. ARGV[1] is always the key prefix.
 *
 * A job is a hash `<prefix>job:<id>` whose fields hold JSON text (so user values such as
 * `input` and `result` are never decoded and re-encoded by Lua's cjson, which would turn `[]`
 * into `{}`); hidden fields `_s`, `_l`, `_i` hold the scope and label index suffixes and the
 * idempotency field. Sorted sets index jobs by creation time (all, per status, per scope,
 * per label), by lease expiry (`lease`), by finish time per terminal status (`finished:*`)
 * and by retention expiry (`expiry`). Times always come from `redis.call('TIME')`.
 */
export const luaPrelude = `
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function n(x) return string.format('%.0f', x) end
local function dec(v)
  if not v then return nil end
  local x = cjson.decode(v)
  if x == cjson.null then return nil end
  return x
end
local function jkey(id) return P .. 'job:' .. id end
local terminal = { completed = true, failed = true, cancelled = true, interrupted = true }
local function record(id) return redis.call('HGETALL', jkey(id)) end
local function publish(event) redis.call('PUBLISH', P .. 'events', cjson.encode(event)) end
local function changed(id)
  local h = redis.call('HMGET', jkey(id), 'status', 'version', 'cancelRequestedAt')
  publish({ type = 'changed', id = id, status = dec(h[1]), version = tonumber(h[2]),
    cancelRequested = dec(h[3]) ~= nil })
end
local function bump(id, now)
  redis.call('HINCRBY', jkey(id), 'version', 1)
  redis.call('HSET', jkey(id), 'updatedAt', n(now))
end
local function side_keys(id)
  return { P .. 'out:' .. id .. ':stdout', P .. 'out:' .. id .. ':stderr', P .. 'outmeta:' .. id,
    P .. 'cursors:' .. id }
end
local function set_status(id, from, to, createdAt)
  redis.call('HSET', jkey(id), 'status', cjson.encode(to))
  redis.call('ZREM', P .. 'idx:status:' .. from, id)
  redis.call('ZADD', P .. 'idx:status:' .. to, createdAt, id)
end
-- Marks a job for expiry at \`at\`; the keys get their TTL from apply_expiry, called last
-- (a TTL that is already due deletes the key at once).
local function expire_at(id, at, status)
  local key = jkey(id)
  redis.call('HSET', key, 'expiresAt', n(at))
  redis.call('ZADD', P .. 'expiry', at, id)
  local h = redis.call('HMGET', key, '_s', '_l', '_i', 'tool')
  redis.call('HSET', P .. 'expiry-info', id,
    cjson.encode({ status, h[1], h[2], h[3] or '', dec(h[4]) or '' }))
end
local function apply_expiry(id)
  local at = dec(redis.call('HGET', jkey(id), 'expiresAt'))
  if not at then return end
  redis.call('PEXPIREAT', jkey(id), at)
  for _, side in ipairs(side_keys(id)) do redis.call('PEXPIREAT', side, at) end
end
local function finish(id, from, to, now, ttl, createdAt)
  set_status(id, from, to, createdAt)
  redis.call('HSET', jkey(id), 'finishedAt', n(now), 'leaseExpiresAt', 'null')
  redis.call('ZREM', P .. 'lease', id)
  redis.call('ZADD', P .. 'finished:' .. to, now, id)
  if ttl then expire_at(id, now + ttl, to) end
end
local function delete_job(id)
  local info = nil
  local h = redis.call('HMGET', jkey(id), 'status', '_s', '_l', '_i')
  if h[1] then
    info = { dec(h[1]), h[2], h[3], h[4] or '' }
  else
    local raw = redis.call('HGET', P .. 'expiry-info', id)
    if raw then info = cjson.decode(raw) end
  end
  redis.call('ZREM', P .. 'idx:all', id)
  if info then
    redis.call('ZREM', P .. 'idx:status:' .. info[1], id)
    redis.call('ZREM', P .. 'idx:scope:' .. info[2], id)
    redis.call('ZREM', P .. 'idx:label:' .. info[3], id)
    redis.call('ZREM', P .. 'finished:' .. info[1], id)
    if info[4] ~= '' then redis.call('HDEL', P .. 'idem', info[4]) end
  end
  redis.call('ZREM', P .. 'lease', id)
  redis.call('ZREM', P .. 'expiry', id)
  redis.call('HDEL', P .. 'expiry-info', id)
  redis.call('DEL', jkey(id), unpack(side_keys(id)))
  publish({ type = 'deleted', id = id })
end
local function sweep(limit, now)
  local ids = redis.call('ZRANGEBYSCORE', P .. 'expiry', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do delete_job(id) end
  return #ids
end
`;
