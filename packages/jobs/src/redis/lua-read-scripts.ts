// The Lua scripts that read jobs, list and prune them, and keep output logs and cursors.

/**
 * Reads one job with the server's clock, for the front's visibility rule. ARGV: prefix, id.
 * Returns { now } when the job does not exist (or expired), { now, record } otherwise.
 */
export const getScript = `
return { n(now_ms()), record(ARGV[2]) }
`;

/** Returns the server's clock. ARGV: prefix. */
export const timeScript = `
return n(now_ms())
`;

/**
 * ARGV: prefix, statuses (comma list or ''), scope suffix (or ''), label suffix (or ''),
 * limit, cursor createdAt (or ''), cursor id. Sweeps expired jobs first, so `total` is exact.
 */
export const listScript = `
local now = now_ms()
sweep(500, now)
local tmp = P .. 'tmp:list'
local sets = {}
local statuses = {}
for status in string.gmatch(ARGV[2], '[^,]+') do statuses[#statuses + 1] = P .. 'idx:status:' .. status end
if #statuses == 1 then
  sets[#sets + 1] = statuses[1]
elseif #statuses > 1 then
  redis.call('ZUNIONSTORE', tmp .. ':status', #statuses, unpack(statuses))
  sets[#sets + 1] = tmp .. ':status'
end
if ARGV[3] ~= '' then sets[#sets + 1] = P .. 'idx:scope:' .. ARGV[3] end
if ARGV[4] ~= '' then sets[#sets + 1] = P .. 'idx:label:' .. ARGV[4] end
local base = P .. 'idx:all'
if #sets == 1 then
  base = sets[1]
elseif #sets > 1 then
  redis.call('ZINTERSTORE', tmp, #sets, unpack(sets))
  base = tmp
end
local total = redis.call('ZCARD', base)
local limit = tonumber(ARGV[5])
local ids = {}
if ARGV[6] == '' then
  ids = redis.call('ZREVRANGE', base, 0, limit)
else
  local ties = redis.call('ZRANGEBYSCORE', base, ARGV[6], ARGV[6])
  for i = #ties, 1, -1 do
    if ties[i] < ARGV[7] and #ids <= limit then ids[#ids + 1] = ties[i] end
  end
  if #ids <= limit then
    local older = redis.call('ZREVRANGEBYSCORE', base, '(' .. ARGV[6], '-inf', 'LIMIT', 0, limit + 1 - #ids)
    for _, id in ipairs(older) do ids[#ids + 1] = id end
  end
end
redis.call('DEL', tmp, tmp .. ':status')
local records = {}
for i = 1, math.min(#ids, limit) do records[i] = record(ids[i]) end
return { total, #ids > limit and 1 or 0, records }
`;

/**
 * Deletes up to a batch of jobs from one index. ARGV: prefix, index ('finished:<status>',
 * 'idx:status:pending' or 'expiry'), upper score bound ('' for the server's now), statuses
 * allowed (comma list, for 'expiry'), scope suffix (or '' for any), batch size, offset.
 * Returns { deleted, skipped, fetched }.
 */
export const pruneScript = `
local now = now_ms()
local bound = ARGV[3]
if bound == '' then bound = n(now) end
local allowed = {}
for status in string.gmatch(ARGV[4], '[^,]+') do allowed[status] = true end
local ids = redis.call('ZRANGEBYSCORE', P .. ARGV[2], '-inf', bound, 'LIMIT', tonumber(ARGV[7]), tonumber(ARGV[6]))
local deleted, skipped = 0, 0
for _, id in ipairs(ids) do
  local status, scope = nil, nil
  local h = redis.call('HMGET', jkey(id), 'status', '_s')
  if h[1] then
    status, scope = dec(h[1]), h[2]
  else
    local raw = redis.call('HGET', P .. 'expiry-info', id)
    if raw then
      local info = cjson.decode(raw)
      status, scope = info[1], info[2]
    end
  end
  if status == 'running' or (ARGV[4] ~= '' and status and not allowed[status])
    or (ARGV[5] ~= '' and scope and scope ~= ARGV[5]) then
    skipped = skipped + 1
  else
    delete_job(id)
    deleted = deleted + 1
  end
end
return { deleted, skipped, #ids }
`;

/**
 * ARGV: prefix, id, stream, chunk, max bytes kept, expected end offset ('' for any). Trims to 3/4
 * of the bound on a character boundary. Returns 1, 0 for no job, or { 2, end } when the stream
 * does not end at the expected offset (nothing appended).
 */
export const appendOutputScript = `
local id, stream = ARGV[2], ARGV[3]
if redis.call('EXISTS', jkey(id)) == 0 then return 0 end
local key = P .. 'out:' .. id .. ':' .. stream
local meta = P .. 'outmeta:' .. id
if ARGV[6] ~= '' then
  local current = tonumber(redis.call('HGET', meta, stream) or '0') + redis.call('STRLEN', key)
  if current ~= tonumber(ARGV[6]) then return { 2, current } end
end
if ARGV[4] == '' then return 1 end
local length = redis.call('APPEND', key, ARGV[4])
local max = tonumber(ARGV[5])
if length > max then
  local start = length - math.floor(max * 3 / 4)
  while start < length do
    local b = string.byte(redis.call('GETRANGE', key, start, start))
    if b < 128 or b >= 192 then break end
    start = start + 1
  end
  redis.call('SET', key, redis.call('GETRANGE', key, start, -1))
  redis.call('HINCRBY', meta, stream, start)
end
local expires = dec(redis.call('HGET', jkey(id), 'expiresAt'))
if expires then
  redis.call('PEXPIREAT', key, expires)
  redis.call('PEXPIREAT', meta, expires)
end
publish({ type = 'output', id = id })
return 1
`;

/**
 * ARGV: prefix, id, stream, offset, max bytes. Returns { 1, dropped, end, start, data } where
 * data never splits a UTF-8 character; { 0 } for no job; { 2, dropped, end } for an offset past the end.
 */
export const readOutputScript = `
local id, stream = ARGV[2], ARGV[3]
if redis.call('EXISTS', jkey(id)) == 0 then return { 0 } end
local key = P .. 'out:' .. id .. ':' .. stream
local dropped = tonumber(redis.call('HGET', P .. 'outmeta:' .. id, stream) or '0')
local length = redis.call('STRLEN', key)
local stop_at = dropped + length
if tonumber(ARGV[4]) > stop_at then return { 2, dropped, stop_at } end
local start = math.max(tonumber(ARGV[4]), dropped)
if start >= stop_at then return { 1, dropped, stop_at, stop_at, '' } end
local function cont(b) return b >= 128 and b < 192 end
local last = math.min(start + tonumber(ARGV[5]), stop_at) - 1
local data = redis.call('GETRANGE', key, start - dropped, last - dropped)
local first = 1
while first <= #data and cont(string.byte(data, first)) do first = first + 1 end
start = start + first - 1
local stop = #data
if last < stop_at - 1 then
  local j = #data
  while j >= first and cont(string.byte(data, j)) do j = j - 1 end
  if j >= first then
    local b = string.byte(data, j)
    local need = 1
    if b >= 240 then need = 4 elseif b >= 224 then need = 3 elseif b >= 192 then need = 2 end
    if #data - j + 1 < need then stop = j - 1 end
  end
end
if stop < first and start < stop_at then
  local head = redis.call('GETRANGE', key, start - dropped, start - dropped + 3)
  local b = string.byte(head, 1)
  local need = 1
  if b >= 240 then need = 4 elseif b >= 224 then need = 3 elseif b >= 192 then need = 2 end
  return { 1, dropped, stop_at, start, string.sub(head, 1, need) }
end
return { 1, dropped, stop_at, start, string.sub(data, first, stop) }
`;

/** ARGV: prefix, id, name. Returns { exists, cursor or false }. */
export const getCursorScript = `
if redis.call('EXISTS', jkey(ARGV[2])) == 0 then return { 0 } end
return { 1, redis.call('HGET', P .. 'cursors:' .. ARGV[2], ARGV[3]) }
`;

/** ARGV: prefix, id, name, expected ('' for unset), next. Returns -1 (no job), 0 (lost) or 1. */
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
