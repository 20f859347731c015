--[[
  Create tasks that share everything but their arguments (one task, or a bulk call): each a
  hash and an entry in the status index (unless one of that id exists: the call was made
  again after a lost reply); DEFERRED while a task it depends on is unfinished,
  else handed straight to an idle worker of its queue, or put on the queue. Refused as a whole,
  creating nothing, when a task it depends on is missing or has failed.

  Input:
    KEYS[1] task status index (hash task id -> status)

    ARGV[1] key prefix of the queue id
    ARGV[2] queue name
    ARGV[3] c, the number of (field, value) pairs all the tasks share
    ARGV[4 .. 3 + 2c] the shared fields (kind, source or fn, timeout, ...)
    ARGV[4 + 2c] d, the number of ids of tasks they depend on
    ARGV[5 + 2c .. 4 + 2c + d] those ids (a MOVED task stands for the task it was retried as)
    ARGV[5 + 2c + d ..] pairs (task id, encoded arguments; '' for none), one per task

  Output:
    {number of tasks created, number handed to idle workers, number DEFERRED}
    error 'RRQ_TASK_MISSING <JSON array of ids>' when a task depended on does not exist
    error 'RRQ_DEPENDENCY_FAILED <JSON object id -> status>' when one has failed
]]
-- @include keys
-- @include events
-- @include tasks
local P, queue = ARGV[1], ARGV[2]
local c = tonumber(ARGV[3])
local shared = {}
for i = 4, 3 + 2 * c do shared[#shared + 1] = ARGV[i] end
local d = tonumber(ARGV[4 + 2 * c])
local first = 5 + 2 * c + d

-- The tasks depended on: missing or failed ones refuse the lot; complete ones are no wait.
local waitingFor, missing, failed, anyFailed, resolved = {}, {}, {}, false, {}
for i = 5 + 2 * c, 4 + 2 * c + d do
  local id = followMoved(P, ARGV[i])
  resolved[#resolved + 1] = id
  local status = taskStatusOf(P, id)
  if not status then
    missing[#missing + 1] = ARGV[i]
  elseif FAILED[status] then
    failed[ARGV[i]] = status
    anyFailed = true
  elseif status ~= 'COMPLETE' then
    waitingFor[#waitingFor + 1] = id
  end
end
if #missing > 0 then return redis.error_reply('RRQ_TASK_MISSING ' .. cjson.encode(missing)) end
if anyFailed then return redis.error_reply('RRQ_DEPENDENCY_FAILED ' .. cjson.encode(failed)) end

local submitted = timeText(now())
local common = {'queue', queue, 'timeSubmit', submitted}
for _, v in ipairs(shared) do common[#common + 1] = v end
if d > 0 then
  common[#common + 1] = 'dependsOn'
  common[#common + 1] = cjson.encode(resolved)
end
if #waitingFor > 0 then
  common[#common + 1] = 'waiting'
  common[#common + 1] = tostring(#waitingFor)
end

local created, handed, deferred = 0, 0, 0
local pending = {}
local idleWorkers = redis.call('SCARD', key_queueIdle(P, queue))
for i = first, #ARGV - 1, 2 do
  local id, args = ARGV[i], ARGV[i + 1]
  -- A task that exists already was made by this very call, sent again after a reconnect: not twice.
  if redis.call('HEXISTS', KEYS[1], id) == 0 then
    local fields = {unpack(common)}
    if args ~= '' then
      fields[#fields + 1] = 'args'
      fields[#fields + 1] = args
    end
    redis.call('HSET', key_task(P, id), unpack(fields))
    created = created + 1
    if #waitingFor > 0 then
      redis.call('HSET', KEYS[1], id, 'DEFERRED')
      redis.call('SADD', key_taskDeferred(P), id)
      for _, up in ipairs(waitingFor) do redis.call('SADD', key_taskDependents(P, up), id) end
      deferred = deferred + 1
    elseif idleWorkers > 0 then
      if enqueue(P, id, queue, false) then handed = handed + 1 else idleWorkers = 0 end
    else
      pending[#pending + 1] = id
    end
  end
end
-- With no idle worker, the rest go on the queue in large steps.
for i = 1, #pending, 1000 do
  local chunk = {unpack(pending, i, math.min(i + 999, #pending))}
  local status = {}
  for _, id in ipairs(chunk) do
    status[#status + 1] = id
    status[#status + 1] = 'PENDING'
  end
  redis.call('HSET', KEYS[1], unpack(status))
  redis.call('RPUSH', key_queue(P, queue), unpack(chunk))
end
redis.call('SADD', key_queues(P), queue)
deleteExpired(P, 10)
return {created, handed, deferred}
