// Redis Lua script `append-output` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// ARGV: prefix, id, stream, chunk, max bytes kept, expected end offset ('' for any). Trims to 3/4
// of the bound on a character boundary. Returns 1, 0 for no job, or { 2, end } when the stream does
// not end at the expected offset (nothing appended).

/** The `append-output` script body (see the header of this file). */
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
