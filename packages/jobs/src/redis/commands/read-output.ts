// Redis Lua script `read-output` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, stream, offset, max bytes. Returns { 1, dropped, end, start, data } where data
// never splits a UTF-8 character; { 0 } for no job; { 2, dropped, end } for an offset past the end.

/** The `read-output` script body (see the header of this file). */
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
