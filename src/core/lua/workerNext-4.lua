--[[
  A worker's step between two pieces of work, in one round trip: finish the tasks it ran (if
  any), then take what comes next: the first element of its inbox (a message, or a task handed
  to it), else, unless it is paused, up to `claim` PENDING tasks of its queues in order (several
  only when its tasks are short: it still runs them one at a time); with nothing to do it
  becomes IDLE and joins the idle sets of its queues, so new tasks come to its inbox.
  What it takes is recorded first (its in-hand list, its claimed list, the tasks RUNNING on
  it), so a reply lost on the way loses nothing: called again, it finishes nothing twice and
  returns what is in hand.

  Input:
    KEYS[1] the worker's inbox (list)
    KEYS[2] the worker's in-hand list
    KEYS[3] the worker's control list (requests about its running task)
    KEYS[4] the worker's claimed list (task ids taken from queues, not finished)

    ARGV[1] key prefix of the queue id
    ARGV[2] worker id
    ARGV[3] log entries the worker keeps
    ARGV[4] '1' when the worker is paused (takes messages only)
    ARGV[5] claim: the most tasks to take from its queues at once
    ARGV[6] f, the number of finished tasks that follow
    ARGV[7 .. 6 + 3f] triples (task id, status COMPLETE|ERROR|TIMEOUT|CANCELLED, encoded result or '')
    ARGV[7 + 3f ..] the names of the queues it serves, in order

  Output:
    {kind, work, discarded}: kind 'inbox' with work {element} (now in the in-hand list), or
    'tasks' with work {{id, field, value, ...}, ...} (now RUNNING on the worker, in its claimed
    list), or '' with work {} (the worker is now IDLE, or PAUSED; or it is not active, and
    nothing was changed for it); discarded: the finished tasks
    whose results were not stored because they were no longer RUNNING on this worker (cancelled,
    or its worker declared lost, meanwhile)
]]
-- @include keys
-- @include events
-- @include tasks
local P, worker, logMax, paused = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local claim, f = tonumber(ARGV[5]), tonumber(ARGV[6])
local discarded = {}

local function taskWork(id)
  local out = {id}
  for k, v in pairs(runFields(P, id)) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  return out
end

local function finishTask(id, status, result, time)
  local current = taskStatusOf(P, id)
  local mine = redis.call('HGET', key_task(P, id), 'worker') == worker
  if current == 'RUNNING' and mine then
    if result ~= '' then redis.call('HSET', key_task(P, id), 'result', result) end
    workerLog(P, worker, 'TASK_' .. status, id, logMax, time)
    markFinished(P, id, status, worker, time)
    settleDependants(P, id, status)
  elseif not (current == status and mine) then
    -- (current == status: a call repeated after its reply was lost; the result is stored already.)
    workerLog(P, worker, 'TASK_' .. (current or 'DELETED'), id .. ' (result discarded)', logMax, time)
    discarded[#discarded + 1] = id
  end
  redis.call('LREM', KEYS[4], 1, id)
  if redis.call('HGET', key_workerTask(P), worker) == id then redis.call('HDEL', key_workerTask(P), worker) end
  local held = redis.call('LINDEX', KEYS[2], 0)
  if held then
    local ok, record = pcall(cjson.decode, held)
    if ok and type(record) == 'table' and record.task == id then redis.call('LPOP', KEYS[2]) end
  end
end

if f > 0 then
  local time = now()
  for i = 7, 6 + 3 * f, 3 do finishTask(ARGV[i], ARGV[i + 1], ARGV[i + 2], time) end
  redis.call('DEL', KEYS[3])
  deleteExpired(P, 10)
end

-- What a call whose reply was lost took is still in hand: the same again.
local held = redis.call('LINDEX', KEYS[2], 0)
if held then return {'inbox', {held}, discarded} end
local claimed = redis.call('LRANGE', KEYS[4], 0, -1)
if #claimed > 0 then
  local work = {}
  for _, id in ipairs(claimed) do
    if taskStatusOf(P, id) == 'RUNNING' and redis.call('HGET', key_task(P, id), 'worker') == worker then work[#work + 1] = taskWork(id) end
  end
  if #work > 0 then return {'tasks', work, discarded} end
  redis.call('DEL', KEYS[4])
end

-- A worker no longer active (declared lost, or its queue destroyed) takes nothing new and
-- writes no status over the one it was given: it finds out by itself, then registers again or stops.
if redis.call('SISMEMBER', key_workerIds(P), worker) == 0 then return {'', {}, discarded} end
redis.call('HSET', key_workerStatus(P), worker, paused and 'PAUSED' or 'IDLE')
local item = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
if item then return {'inbox', {item}, discarded} end
if paused then return {'', {}, discarded} end

local work = {}
for i = 7 + 3 * f, #ARGV do
  local queueKey = key_queue(P, ARGV[i])
  while #work < claim do
    local id = redis.call('LPOP', queueKey)
    if not id then break end
    local kind = redis.call('TYPE', key_task(P, id))['ok']
    if kind == 'hash' and taskStatusOf(P, id) == 'PENDING' then
      startTask(P, id, worker, logMax)
      redis.call('RPUSH', KEYS[4], id)
      work[#work + 1] = taskWork(id)
    else
      -- Not a task that can run (hand-written, of the wrong type, or no longer PENDING): skipped, and said so.
      workerLogEntry(P, worker, 'TASK_SKIPPED', id .. ' (' .. (kind == 'hash' and (taskStatusOf(P, id) or 'no status') or kind) .. ')', id, logMax)
    end
  end
  if #work >= claim then break end
end
if #work > 0 then
  -- The worker shows the first as its task; the others wait in its claimed list.
  redis.call('HSET', key_workerTask(P), worker, work[1][1])
  return {'tasks', work, discarded}
end

joinIdle(P, worker)
return {'', {}, discarded}
