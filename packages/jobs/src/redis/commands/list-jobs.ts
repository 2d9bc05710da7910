// Redis Lua script `list-jobs` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, statuses (comma list or ''), scope suffix (or ''), label suffix (or ''), limit,
// cursor createdAt (or ''), cursor id. Sweeps expired jobs first, so `total` is exact.

/** The `list-jobs` script body (see the header of this file). */
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
