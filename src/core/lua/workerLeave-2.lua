--[[
  A worker leaves (a clean stop): out of the active set and the idle sets, so nothing new is
  sent or handed to it; tasks it took or was handed but has not started go back to the front
  of their queue; its inbox and in-hand list are emptied, and the messages in them are returned
  for it to answer. A task it gives up on (stopped while running) DIED, or is retried when it
  may be.

  Input:
    KEYS[1] the worker's inbox
    KEYS[2] the worker's in-hand list

    ARGV[1] key prefix of the queue id
    ARGV[2] worker id
    ARGV[3] id of the task it gives up, or '' for none
    ARGV[4] log entries the worker keeps

  Output:
    {message, ...} the messages it had not handled (raw inbox elements)
]]
-- @include keys
-- @include events
-- @include tasks
local P, worker, abandoned, logMax = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
redis.call('SREM', key_workerIds(P), worker)
leaveIdle(P, worker)

local items = redis.call('LRANGE', KEYS[2], 0, -1)
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do items[#items + 1] = item end
redis.call('DEL', KEYS[1], KEYS[2])

local messages = {}
for _, item in ipairs(items) do
  local ok, record = pcall(cjson.decode, item)
  local id = ok and type(record) == 'table' and record.task
  if type(id) == 'string' and id ~= abandoned then
    if taskStatusOf(P, id) == 'RUNNING' and redis.call('HGET', key_task(P, id), 'worker') == worker then
      redis.call('HDEL', key_task(P, id), 'worker', 'timeStart')
      enqueue(P, id, redis.call('HGET', key_task(P, id), 'queue'), true)
      workerLog(P, worker, 'TASK_RETURNED', id, logMax, now())
    end
  elseif type(id) ~= 'string' then
    messages[#messages + 1] = item
  end
end

if abandoned ~= '' and taskStatusOf(P, abandoned) == 'RUNNING' and redis.call('HGET', key_task(P, abandoned), 'worker') == worker then
  workerLog(P, worker, 'TASK_DIED', abandoned, logMax, now())
  taskDied(P, abandoned, worker)
end
-- Tasks taken from its queues and not started go back to the front, in their order.
local claimed = key_workerClaimed(P, worker)
local back = redis.call('LRANGE', claimed, 0, -1)
for i = #back, 1, -1 do
  local id = back[i]
  if id ~= abandoned and taskStatusOf(P, id) == 'RUNNING' and redis.call('HGET', key_task(P, id), 'worker') == worker then
    redis.call('HDEL', key_task(P, id), 'worker', 'timeStart')
    enqueue(P, id, redis.call('HGET', key_task(P, id), 'queue'), true)
    workerLog(P, worker, 'TASK_RETURNED', id, logMax, now())
  end
end
redis.call('DEL', claimed)
redis.call('HDEL', key_workerTask(P), worker)
return messages
