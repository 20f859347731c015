--[[
  A worker's step between two pieces of work, in one round trip: finish the task it ran (if
  any), then take what comes next: the first element of its inbox (a message, or a task handed
  to it), else, unless it is paused, the first PENDING task of its queues in order; with nothing
  to do it becomes IDLE and joins the idle sets of its queues, so new tasks come to its inbox.
  What it takes is recorded first (its in-hand list, or the task RUNNING on it), so a reply lost
  on the way loses nothing: called again, it finishes nothing twice and returns what is in hand.

  Input:
    KEYS[1] the worker's inbox (list)
    KEYS[2] the worker's in-hand list
    KEYS[3] the worker's control list (requests about its running task)

    ARGV[1] key prefix of the queue id
    ARGV[2] worker id
    ARGV[3] log entries the worker keeps
    ARGV[4] '1' when the worker is paused (takes messages only)
    ARGV[5] id of the task it finished, or '' for none
    ARGV[6] that task's status (COMPLETE, ERROR, TIMEOUT, CANCELLED)
    ARGV[7] that task's encoded result ('' for none)
    ARGV[8 ..] the names of the queues it serves, in order

  Output:
    {'inbox', element} an inbox element, now in the in-hand list
    {'task', id, field, value, ...} a task from a queue, now RUNNING on the worker
    {} nothing to do (the worker is now IDLE, or PAUSED)
    The first element is followed by 'finished' when the finished task's result was stored, or
    'discarded' when it was no longer RUNNING on this worker (cancelled, or its worker declared
    lost), as the last element of the reply.
]]
-- @include keys
-- @include events
-- @include tasks
local P, worker, logMax, paused = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local finished = ''

local function taskReply(id)
  local out = {'task', id}
  for k, v in pairs(runFields(P, id)) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  out[#out + 1] = finished
  return out
end

local finishing = ARGV[5]
if finishing ~= '' then
  local status, result = ARGV[6], ARGV[7]
  local time = now()
  local current = taskStatusOf(P, finishing)
  if current == 'RUNNING' and redis.call('HGET', key_task(P, finishing), 'worker') == worker then
    if result ~= '' then redis.call('HSET', key_task(P, finishing), 'result', result) end
    workerLog(P, worker, 'TASK_' .. status, finishing, logMax, time)
    markFinished(P, finishing, status, worker, time)
    settleDependants(P, finishing, status)
    finished = 'finished'
  elseif current == status and redis.call('HGET', key_task(P, finishing), 'worker') == worker then
    -- A call repeated after its reply was lost: the result is stored already.
    finished = 'finished'
  else
    -- Cancelled, or its worker was declared lost, meanwhile: the result is not stored.
    workerLog(P, worker, 'TASK_' .. (current or 'DELETED'), finishing .. ' (result discarded)', logMax, time)
    finished = 'discarded'
  end
  if redis.call('HGET', key_workerTask(P), worker) == finishing then redis.call('HDEL', key_workerTask(P), worker) end
  local held = redis.call('LINDEX', KEYS[2], 0)
  if held then
    local ok, record = pcall(cjson.decode, held)
    if ok and type(record) == 'table' and record.task == finishing then redis.call('LPOP', KEYS[2]) end
  end
  redis.call('DEL', KEYS[3])
  deleteExpired(P, 10)
end

-- What a call whose reply was lost took is still in hand: the same again.
local held = redis.call('LINDEX', KEYS[2], 0)
if held then return {'inbox', held, finished} end
local current = redis.call('HGET', key_workerTask(P), worker)
if current and taskStatusOf(P, current) == 'RUNNING' and redis.call('HGET', key_task(P, current), 'worker') == worker then
  return taskReply(current)
end

redis.call('HSET', key_workerStatus(P), worker, paused and 'PAUSED' or 'IDLE')
local item = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
if item then return {'inbox', item, finished} end
if paused then return {finished} end

for i = 8, #ARGV do
  local queueKey = key_queue(P, ARGV[i])
  while true do
    local id = redis.call('LPOP', queueKey)
    if not id then break end
    local kind = redis.call('TYPE', key_task(P, id))['ok']
    if kind == 'hash' and taskStatusOf(P, id) == 'PENDING' then
      startTask(P, id, worker, logMax)
      return taskReply(id)
    end
    -- Not a task that can run (hand-written, of the wrong type, or no longer PENDING): skipped, and said so.
    workerLogEntry(P, worker, 'TASK_SKIPPED', id .. ' (' .. (kind == 'hash' and (taskStatusOf(P, id) or 'no status') or kind) .. ')', id, logMax)
  end
end

joinIdle(P, worker)
return {finished}
