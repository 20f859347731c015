--[[
  Cancel tasks: a PENDING one comes off its queue, a DEFERRED one out of the deferred set, a
  RUNNING one is stopped by its worker (asked through its control list; a task handed to a
  worker that has not taken it yet is taken back). Each becomes CANCELLED and the tasks that
  depend on it IMPOSSIBLE. Finished tasks are left as they are.

  Input:
    KEYS[1] task status index (hash task id -> status)

    ARGV[1] key prefix of the queue id
    ARGV[2] '1' to cancel only PENDING tasks (queueRemove), else ''
    ARGV[3] queue name the PENDING tasks must be on, or '' for any
    ARGV[4 ..] task ids

  Output:
    {status, cancelled, ...} for each task its status before ('' when it does not exist) and
    '1' when it was cancelled, '' when it was left alone
]]
-- @include keys
-- @include events
-- @include tasks
local P, onlyPending, onQueue = ARGV[1], ARGV[2] == '1', ARGV[3]
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local status = redis.call('HGET', KEYS[1], id)
  out[#out + 1] = status or ''
  local queue = status and redis.call('HGET', key_task(P, id), 'queue')
  local wanted = status == 'PENDING' and (onQueue == '' or queue == onQueue)
  if not onlyPending then wanted = wanted or status == 'DEFERRED' or status == 'RUNNING' end
  if wanted then
    if status == 'PENDING' then
      redis.call('LREM', key_queue(P, queue), 0, id)
    elseif status == 'DEFERRED' then
      redis.call('SREM', key_taskDeferred(P), id)
    else
      local w = redis.call('HGET', key_task(P, id), 'worker')
      if w then
        local inbox = key_workerMessage(P, w)
        local taken_back = false
        for _, item in ipairs(redis.call('LRANGE', inbox, 0, -1)) do
          local ok, record = pcall(cjson.decode, item)
          if ok and type(record) == 'table' and record.task == id then
            redis.call('LREM', inbox, 1, item)
            taken_back = true
          end
        end
        if taken_back then
          -- Handed over but not taken: the worker is idle again, as it thinks it is.
          redis.call('HDEL', key_workerTask(P), w)
          redis.call('HSET', key_workerStatus(P), w, 'IDLE')
          joinIdle(P, w)
        else
          redis.call('RPUSH', key_workerControl(P, w), 'cancel ' .. id)
        end
      end
    end
    markFinished(P, id, 'CANCELLED', nil)
    failDependants(P, id)
  end
  out[#out + 1] = wanted and '1' or ''
end
return out
