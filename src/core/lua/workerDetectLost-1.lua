--[[
  rrq's worker_detect_exited: every active worker whose heartbeat key has expired is LOST (see
  markWorkerGone in includes/workers.lua: its tasks DIED or retried, their dependants
  IMPOSSIBLE). Also says when the next look is due: when the first heartbeat still alive
  would expire (if it is not renewed), or after the caller's period, whichever comes first.
  Whoever looks holds the detection lock until then, so the workers and controllers that all
  do this by themselves look once between them, at the moment a heartbeat can have expired.

  Input:
    KEYS[1] worker ids: set of active workers

    ARGV[1] key prefix of the queue id
    ARGV[2] who asks (a worker or controller id), for the lock
    ARGV[3] the caller's period in milliseconds; '0': look now, whoever holds the lock
    ARGV[4] log entries to keep

  Output:
    {'looked', milliseconds until the next look is due, worker id, ...}: the workers found lost
    {'locked', milliseconds until the lock holder's next look} when another holds the lock
]]
-- @include keys
-- @include events
-- @include tasks
-- @include workers
local P, periodMs, logMax = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
local lock = key_detectLock(P)
if periodMs > 0 and not redis.call('SET', lock, ARGV[2], 'NX', 'PX', periodMs) then
  return {'locked', math.max(redis.call('PTTL', lock), 1)}
end
local lost, nextMs = {}, periodMs > 0 and periodMs or 5000
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local ttl = redis.call('PTTL', key_workerHeartbeat(P, worker))
  if ttl == -2 then
    if markWorkerGone(P, worker, 'LOST', 'LOST', 'heartbeat expired', logMax) then lost[#lost + 1] = worker end
  elseif ttl >= 0 and ttl < nextMs then
    nextMs = ttl
  end
end
-- A moment after the first heartbeat would expire (Redis counts it expired from that millisecond).
nextMs = math.max(nextMs + 5, 5)
if periodMs > 0 then redis.call('PEXPIRE', lock, nextMs) end
table.sort(lost)
local out = {'looked', nextMs}
for _, worker in ipairs(lost) do out[#out + 1] = worker end
return out
