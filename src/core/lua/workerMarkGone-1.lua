--[[
  Record that a worker is gone without having said so (killed, or its process ended): its
  status, out of the active set and the idle sets, one log entry and its event. The task it
  was running DIED (or is retried when it may be); tasks handed to it that it had not taken
  go back to the front of their queue; messages it had not handled are dropped. A worker that
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

local running = redis.call('HGET', key_workerTask(P), worker)
redis.call('HDEL', key_workerTask(P), worker)
local inbox = key_workerMessage(P, worker)
for _, item in ipairs(redis.call('LRANGE', inbox, 0, -1)) do
  local ok, record = pcall(cjson.decode, item)
  local id = ok and type(record) == 'table' and record.task
  if type(id) == 'string' and id ~= running and taskStatusOf(P, id) == 'RUNNING' then
    redis.call('HDEL', key_task(P, id), 'worker', 'timeStart')
    enqueue(P, id, redis.call('HGET', key_task(P, id), 'queue'), true)
  end
end
redis.call('DEL', inbox, key_workerInHand(P, worker), key_workerControl(P, worker))

if running and taskStatusOf(P, running) == 'RUNNING' and redis.call('HGET', key_task(P, running), 'worker') == worker then
  workerLog(P, worker, 'TASK_DIED', running, logMax, now())
  taskDied(P, running, worker)
end
local logKey = key_workerLog(P, worker)
redis.call('RPUSH', logKey, ARGV[4])
redis.call('LTRIM', logKey, -logMax, -1)
redis.call('PUBLISH', key_events(P), ARGV[5])
return 1
