--[[
  Record that a worker is gone without having said so (killed, or its process ended): its
  status, out of the active set and the idle sets, one log entry and its event. The task it
  was running, and the others it took with it from its queues, DIED (or are retried when they
  may be: it may have run them); tasks handed to it that it had not taken go back to the front
  of their queue; messages it had not handled are dropped. A worker that
  exited cleanly, is already marked, or was deleted is left alone.

  Input:
    KEYS[1] worker status: hash worker id -> status

    ARGV[1] key prefix of the queue id
    ARGV[2] worker id
    ARGV[3] new status ('EXITED' or 'LOST')
    ARGV[4] log record (JSON)
    ARGV[5] event record (JSON)
    ARGV[6] log entries to keep

  Output:
    1 when marked, 0 when the worker had already exited, been marked, or been deleted
]]
-- @include keys
-- @include events
-- @include tasks
local P, worker, logMax = ARGV[1], ARGV[2], tonumber(ARGV[6])
local current = redis.call('HGET', KEYS[1], worker)
if not current or current == 'EXITED' or current == 'LOST' then return 0 end
redis.call('HSET', KEYS[1], worker, ARGV[3])
redis.call('SREM', key_workerIds(P), worker)
leaveIdle(P, worker)

-- What it held: the task it was running (handed over, or taken from a queue with the others it
-- took at once, which it may have run already: all of those count as its).
local held = redis.call('LRANGE', key_workerClaimed(P, worker), 0, -1)
local running = redis.call('HGET', key_workerTask(P), worker)
if running then held[#held + 1] = running end
redis.call('HDEL', key_workerTask(P), worker)
local inbox = key_workerMessage(P, worker)
for _, item in ipairs(redis.call('LRANGE', inbox, 0, -1)) do
  local ok, record = pcall(cjson.decode, item)
  local id = ok and type(record) == 'table' and record.task
  if type(id) == 'string' and id ~= running and taskStatusOf(P, id) == 'RUNNING' and redis.call('HGET', key_task(P, id), 'worker') == worker then
    redis.call('HDEL', key_task(P, id), 'worker', 'timeStart')
    enqueue(P, id, redis.call('HGET', key_task(P, id), 'queue'), true)
  end
end
redis.call('DEL', inbox, key_workerInHand(P, worker), key_workerControl(P, worker), key_workerClaimed(P, worker))

local dead = {}
for _, id in ipairs(held) do
  if not dead[id] and taskStatusOf(P, id) == 'RUNNING' and redis.call('HGET', key_task(P, id), 'worker') == worker then
    dead[id] = true
    workerLog(P, worker, 'TASK_DIED', id, logMax, now())
    taskDied(P, id, worker)
  end
end
local logKey = key_workerLog(P, worker)
redis.call('RPUSH', logKey, ARGV[4])
redis.call('LTRIM', logKey, -logMax, -1)
redis.call('PUBLISH', key_events(P), ARGV[5])
return 1
