// Redis Lua script `prune-batch` of the job store (run with EVALSHA after the shared prelude,
// `../lua-prelude.ts`).
//
// KEYS: none; every key is derived from ARGV[1], the store's key prefix.
// Deletes up to a batch of jobs from one index. ARGV: prefix, index ('finished:<status>',
// 'idx:status:pending' or 'expiry'), upper score bound ('' for the server's now), statuses allowed
// (comma list, for 'expiry'), scope suffix (or '' for any), batch size, offset, tools (a JSON
// array of tool names, or '' for any). A job whose tool is unknown (its hash expired before
// the expiry info kept the tool) never matches a tool filter. Returns { deleted, skipped,
// fetched }.

/** The `prune-batch` script body (see the header of this file). */
export const pruneScript = `
local now = now_ms()
local bound = ARGV[3]
if bound == '' then bound = n(now) end
local allowed = {}
for status in string.gmatch(ARGV[4], '[^,]+') do allowed[status] = true end
local tools = nil
if ARGV[8] ~= '' then
  tools = {}
  for _, tool in ipairs(cjson.decode(ARGV[8])) do tools[tool] = true end
end
local ids = redis.call('ZRANGEBYSCORE', P .. ARGV[2], '-inf', bound, 'LIMIT', tonumber(ARGV[7]), tonumber(ARGV[6]))
local deleted, skipped = 0, 0
for _, id in ipairs(ids) do
  local status, scope, tool = nil, nil, nil
  local h = redis.call('HMGET', jkey(id), 'status', '_s', 'tool')
  if h[1] then
    status, scope, tool = dec(h[1]), h[2], dec(h[3])
  else
    local raw = redis.call('HGET', P .. 'expiry-info', id)
    if raw then
      local info = cjson.decode(raw)
      status, scope, tool = info[1], info[2], info[5]
    end
  end
  if status == 'running' or (ARGV[4] ~= '' and status and not allowed[status])
    or (ARGV[5] ~= '' and scope and scope ~= ARGV[5])
    or (tools and not (type(tool) == 'string' and tools[tool])) then
    skipped = skipped + 1
  else
    delete_job(id)
    deleted = deleted + 1
  end
end
return { deleted, skipped, #ids }
`;
