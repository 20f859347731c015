-- Task transitions shared by the scripts: handing a task to a worker (an idle one directly,
-- else its queue), finishing it, and what that does to the tasks that depend on it.
-- Needs: keys, events.

-- The fields a worker needs to run a task.
local RUN_FIELDS = {'kind', 'source', 'fn', 'args', 'timeout', 'separate', 'queue'}
local FAILED = {ERROR = true, CANCELLED = true, DIED = true, TIMEOUT = true, IMPOSSIBLE = true}
local RETRIABLE = {COMPLETE = true, ERROR = true, CANCELLED = true, DIED = true, TIMEOUT = true}

local function taskStatusOf(P, id)
  return redis.call('HGET', key_taskStatus(P), id)
end

-- The task a MOVED task was retried as, followed to the end of the chain.
local function followMoved(P, id)
  local seen = 0
  while seen < 1000 do
    local to = redis.call('HGET', key_task(P, id), 'movedTo')
    if not to then return id end
    id, seen = to, seen + 1
  end
  return id
end

local function runFields(P, id)
  local values = redis.call('HMGET', key_task(P, id), unpack(RUN_FIELDS))
  local fields = {}
  for i, name in ipairs(RUN_FIELDS) do
    if values[i] then fields[name] = values[i] end
  end
  return fields
end

-- The names of the queues a worker serves (stored when it registers).
local function workerQueueNames(P, worker)
  local names = {}
  local text = redis.call('HGET', key_workerQueues(P), worker)
  if text then
    for name in string.gmatch(text, '[^\n]+') do names[#names + 1] = name end
  end
  return names
end

local function leaveIdle(P, worker)
  for _, name in ipairs(workerQueueNames(P, worker)) do
    redis.call('SREM', key_queueIdle(P, name), worker)
  end
end

local function joinIdle(P, worker)
  for _, name in ipairs(workerQueueNames(P, worker)) do
    redis.call('SADD', key_queueIdle(P, name), worker)
  end
end

-- Task `id` RUNNING on `worker`, the worker BUSY with it, and TASK_START in its log.
local function startTask(P, id, worker, logMax)
  local time = now()
  redis.call('HSET', key_taskStatus(P), id, 'RUNNING')
  redis.call('HSET', key_task(P, id), 'worker', worker, 'timeStart', timeText(time))
  redis.call('HSET', key_workerStatus(P), worker, 'BUSY')
  redis.call('HSET', key_workerTask(P), worker, id)
  leaveIdle(P, worker)
  workerLogEntry(P, worker, 'TASK_START', id, id, logMax, time)
end

-- An idle, active worker of `queue`, taken out of the idle set; nil when there is none.
local function takeIdleWorker(P, queue)
  local idle = key_queueIdle(P, queue)
  while true do
    local w = redis.call('SPOP', idle)
    if not w then return nil end
    if redis.call('HGET', key_workerStatus(P), w) == 'IDLE' and redis.call('SISMEMBER', key_workerIds(P), w) == 1 then
      return w
    end
  end
end

-- Task `id` is ready to run: hand it to an idle worker of its queue (into its inbox, already
-- RUNNING), or put it on the queue (at the front when `front`), PENDING. Returns the worker.
local function enqueue(P, id, queue, front)
  local w = takeIdleWorker(P, queue)
  if w then
    startTask(P, id, w, 0)
    redis.call('RPUSH', key_workerMessage(P, w), cjson.encode({task = id, fields = runFields(P, id)}))
    return w
  end
  redis.call('HSET', key_taskStatus(P), id, 'PENDING')
  redis.call(front and 'LPUSH' or 'RPUSH', key_queue(P, queue), id)
  return nil
end

-- Record a final status (and its event); tasks made with removeAfter are scheduled for deletion.
local function markFinished(P, id, status, worker, time)
  time = time or now()
  redis.call('HSET', key_taskStatus(P), id, status)
  redis.call('HSET', key_task(P, id), 'timeComplete', timeText(time))
  local removeAfter = tonumber(redis.call('HGET', key_task(P, id), 'removeAfter'))
  if removeAfter then redis.call('ZADD', key_taskExpiry(P), time + removeAfter, id) end
  publishEvent(P, worker or '', 'TASK_' .. status, id, id, time)
end

-- Every task that depends on `id`, directly or not, and is still DEFERRED becomes IMPOSSIBLE.
local function failDependants(P, id)
  local todo, i = {id}, 1
  while i <= #todo do
    local down = key_taskDependents(P, todo[i])
    i = i + 1
    for _, d in ipairs(redis.call('SMEMBERS', down)) do
      if taskStatusOf(P, d) == 'DEFERRED' then
        redis.call('SREM', key_taskDeferred(P), d)
        markFinished(P, d, 'IMPOSSIBLE')
        todo[#todo + 1] = d
      end
    end
    redis.call('DEL', down)
  end
end

-- `id` completed: its dependants wait for one task less; those waiting for none go to the
-- front of their queue (rrq's rule).
local function releaseDependants(P, id)
  local down = key_taskDependents(P, id)
  for _, d in ipairs(redis.call('SMEMBERS', down)) do
    local left = redis.call('HINCRBY', key_task(P, d), 'waiting', -1)
    if left <= 0 and taskStatusOf(P, d) == 'DEFERRED' then
      redis.call('SREM', key_taskDeferred(P), d)
      enqueue(P, d, redis.call('HGET', key_task(P, d), 'queue'), true)
    end
  end
  redis.call('DEL', down)
end

-- After a final status: release or fail the dependants.
local function settleDependants(P, id, status)
  if status == 'COMPLETE' then releaseDependants(P, id) elseif FAILED[status] then failDependants(P, id) end
end

-- Fields not carried over to a retry of a task.
local NOT_COPIED = {result = true, worker = true, timeStart = true, timeComplete = true, progress = true,
  movedTo = true, timeMoved = true, waiting = true, died = true}

-- Retry task `old` as `new` (a copy, PENDING, or handed to an idle worker): `old` becomes MOVED
-- and the tasks waiting for it wait for `new`. `overrides` replaces fields of the copy.
local function retryAs(P, old, new, front, overrides)
  local fields = redis.call('HGETALL', key_task(P, old))
  local copy = {}
  for i = 1, #fields, 2 do
    if not NOT_COPIED[fields[i]] and overrides[fields[i]] == nil then
      copy[#copy + 1] = fields[i]
      copy[#copy + 1] = fields[i + 1]
    end
  end
  for k, v in pairs(overrides) do
    copy[#copy + 1] = k
    copy[#copy + 1] = v
  end
  local time = now()
  copy[#copy + 1] = 'timeSubmit'
  copy[#copy + 1] = timeText(time)
  copy[#copy + 1] = 'movedFrom'
  copy[#copy + 1] = old
  redis.call('HSET', key_task(P, new), unpack(copy))
  redis.call('HSET', key_task(P, old), 'movedTo', new, 'timeMoved', timeText(time))
  if redis.call('EXISTS', key_taskDependents(P, old)) == 1 then
    redis.call('RENAME', key_taskDependents(P, old), key_taskDependents(P, new))
  end
  markFinished(P, old, 'MOVED', nil, time)
  enqueue(P, new, redis.call('HGET', key_task(P, new), 'queue'), front)
end

-- The worker of task `id` is gone: the task DIED, or, when it may still be retried, MOVED to a
-- new copy at the front of its queue.
local function taskDied(P, id, worker)
  local retry = tonumber(redis.call('HGET', key_task(P, id), 'retry') or '0') or 0
  if retry > 0 then
    redis.call('HSET', key_task(P, id), 'died', timeText(now()))
    local new = string.sub(redis.sha1hex(id .. ':' .. timeText(now()) .. ':' .. worker), 1, 32)
    retryAs(P, id, new, true, {retry = tostring(retry - 1)})
  else
    markFinished(P, id, 'DIED', worker)
    failDependants(P, id)
  end
end

-- Delete up to `limit` tasks whose removeAfter time has come.
local function deleteExpired(P, limit)
  local due = redis.call('ZRANGEBYSCORE', key_taskExpiry(P), '-inf', now(), 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('DEL', key_task(P, id), key_taskLog(P, id), key_taskDependents(P, id))
    redis.call('HDEL', key_taskStatus(P), id)
    redis.call('ZREM', key_taskExpiry(P), id)
  end
end
