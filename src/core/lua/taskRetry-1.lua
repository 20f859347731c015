--[[
  Retry finished tasks as new ones (rrq's task_retry): each new task is a copy, PENDING at the
  back of its queue (or handed to an idle worker); the old one becomes MOVED, pointing to it, and
  the tasks still waiting for the old one wait for the new one. A MOVED task stands for the end
  of its chain. Refused as a whole when one is not finished or two stand for the same task.
  A call made again after a lost reply (its new ids exist) retries nothing twice.

  Input:
    KEYS[1] task status index (hash task id -> status)

    ARGV[1] key prefix of the queue id
    ARGV[2 ..] pairs (task id, id for its retry)
    ARGV[3] (the first new id) existing already tells a call made again after a lost reply

  Output:
    {retried task id, ...} the tasks retried (the ends of the chains), in order
    error 'RRQ_NOT_RETRIABLE <JSON object id -> status>' for tasks not finished, or missing
    error 'RRQ_DUPLICATE_TASKS <JSON array of ids>' when ids stand for the same task
]]
-- @include keys
-- @include events
-- @include tasks
local P = ARGV[1]
-- The first new id taken already: this very call, sent again after a lost reply. Its answer again.
if ARGV[3] and redis.call('HEXISTS', KEYS[1], ARGV[3]) == 1 then
  local again = {}
  for i = 2, #ARGV - 1, 2 do
    local id, steps = ARGV[i], 0
    while steps < 1000 do
      local to = redis.call('HGET', key_task(P, id), 'movedTo')
      if not to or to == ARGV[i + 1] then break end
      id, steps = to, steps + 1
    end
    again[#again + 1] = id
  end
  return again
end
local leaves, seen, bad, anyBad, dup = {}, {}, {}, false, {}
for i = 2, #ARGV - 1, 2 do
  local leaf = followMoved(P, ARGV[i])
  local status = redis.call('HGET', KEYS[1], leaf)
  if not RETRIABLE[status or ''] then
    bad[ARGV[i]] = status or 'MISSING'
    anyBad = true
  end
  if seen[leaf] then dup[#dup + 1] = ARGV[i] end
  seen[leaf] = true
  leaves[#leaves + 1] = leaf
end
if anyBad then return redis.error_reply('RRQ_NOT_RETRIABLE ' .. cjson.encode(bad)) end
if #dup > 0 then return redis.error_reply('RRQ_DUPLICATE_TASKS ' .. cjson.encode(dup)) end
for j, leaf in ipairs(leaves) do
  retryAs(P, leaf, ARGV[2 * j + 1], false, {})
end
return leaves
