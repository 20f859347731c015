-- A worker gone without saying so (killed, its process ended, or its heartbeat expired).
-- Needs: keys, events, tasks.

-- Record it: its status, out of the active set and the idle sets, one log entry and its event.
-- The task it was running, and the others it took with it from its queues, DIED (or are
-- retried when they may be: it may have run them); tasks handed to it that it had not taken go
-- back to the front of their queue; messages it had not handled are dropped. A worker that
-- exited cleanly, is already marked, or was deleted is left alone. Returns whether it marked it.
local function markWorkerGone(P, worker, status, command, reason, logMax)
  local current = redis.call('HGET', key_workerStatus(P), worker)
  if not current or current == 'EXITED' or current == 'LOST' then return false end
  redis.call('HSET', key_workerStatus(P), worker, status)
  redis.call('SREM', key_workerIds(P), worker)
  leaveIdle(P, worker)
  redis.call('HDEL', key_workerActivity(P), worker)

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
  redis.call('DEL', inbox, key_workerInHand(P, worker), key_workerControl(P, worker), key_workerClaimed(P, worker),
    key_workerHeartbeat(P, worker), key_workerKill(P, worker))

  local time = now()
  local dead = {}
  for _, id in ipairs(held) do
    if not dead[id] and taskStatusOf(P, id) == 'RUNNING' and redis.call('HGET', key_task(P, id), 'worker') == worker then
      dead[id] = true
      workerLog(P, worker, 'TASK_DIED', id, logMax, time)
      taskDied(P, id, worker)
    end
  end
  workerLogEntry(P, worker, command, reason, nil, logMax, time)
  return true
end
