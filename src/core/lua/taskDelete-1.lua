--[[
  Delete tasks and every key they own: their hash, printed output and dependants set, their
  status entry, their place on a queue, in the deferred set or in the expiry schedule, and
  their place in the dependants sets of the tasks they wait for. Refused as a whole when one is
  RUNNING, or, with `check`, when an unfinished task not deleted with it depends on it.

  Input:
    KEYS[1] task status index (hash task id -> status)

    ARGV[1] key prefix of the queue id
    ARGV[2] '1' to refuse tasks that unfinished tasks depend on
    ARGV[3 ..] task ids

  Output:
    number of tasks deleted (ids that did not exist are not counted)
    error 'RRQ_TASK_RUNNING <JSON array of ids>'
    error 'RRQ_TASK_HAS_DEPENDANTS <JSON object id -> [dependant ids]>'
]]
-- @include keys
local P, check = ARGV[1], ARGV[2] == '1'
local running, needed, anyNeeded, deleting = {}, {}, false, {}
for i = 3, #ARGV do deleting[ARGV[i]] = true end
for i = 3, #ARGV do
  local id = ARGV[i]
  local status = redis.call('HGET', KEYS[1], id)
  if status == 'RUNNING' then running[#running + 1] = id end
  if check then
    local waiting = {}
    for _, d in ipairs(redis.call('SMEMBERS', key_taskDependents(P, id))) do
      if not deleting[d] and redis.call('HGET', KEYS[1], d) == 'DEFERRED' then waiting[#waiting + 1] = d end
    end
    if #waiting > 0 then
      needed[id] = waiting
      anyNeeded = true
    end
  end
end
if #running > 0 then return redis.error_reply('RRQ_TASK_RUNNING ' .. cjson.encode(running)) end
if anyNeeded then return redis.error_reply('RRQ_TASK_HAS_DEPENDANTS ' .. cjson.encode(needed)) end

local deleted = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local status = redis.call('HGET', KEYS[1], id)
  if status then
    local task = key_task(P, id)
    if status == 'PENDING' then
      redis.call('LREM', key_queue(P, redis.call('HGET', task, 'queue')), 0, id)
    elseif status == 'DEFERRED' then
      redis.call('SREM', key_taskDeferred(P), id)
    end
    local ups = redis.call('HGET', task, 'dependsOn')
    if ups then
      for _, up in ipairs(cjson.decode(ups)) do redis.call('SREM', key_taskDependents(P, up), id) end
    end
    redis.call('DEL', task, key_taskLog(P, id), key_taskDependents(P, id))
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', key_taskExpiry(P), id)
    deleted = deleted + 1
  end
end
return deleted
