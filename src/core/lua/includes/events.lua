-- Time, events and worker log entries, for scripts that act for a worker or a controller.
-- Needs: keys.

-- Seconds since the epoch, from Redis's clock (microseconds).
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end

-- Seconds with millisecond precision, as text (what records and events carry).
local function timeText(t)
  return string.format('%.3f', t)
end

-- Publish an event on the queue's channel: {worker, time, command, message, ref}.
local function publishEvent(P, worker, command, message, ref, time)
  local event = {worker = worker, time = tonumber(timeText(time or now())), command = command, message = message}
  if ref then event.ref = ref end
  redis.call('PUBLISH', key_events(P), cjson.encode(event))
end

-- A worker log record, without its event. logMax 0: leave trimming to the worker's own next entry.
local function workerLog(P, worker, command, message, logMax, time)
  local key = key_workerLog(P, worker)
  redis.call('RPUSH', key, cjson.encode({time = tonumber(timeText(time)), command = command, message = message}))
  if logMax > 0 then redis.call('LTRIM', key, -logMax, -1) end
end

-- A worker log entry and its event.
local function workerLogEntry(P, worker, command, message, ref, logMax, time)
  time = time or now()
  workerLog(P, worker, command, message, logMax, time)
  publishEvent(P, worker, command, message, ref, time)
end
