--[[
  rrq's worker_detect_exited: every active worker whose heartbeat key has expired is LOST (see
  markWorkerGone in includes/workers.lua: its tasks DIED or retried, their dependants
  IMPOSSIBLE). Run by whoever holds the detection lock, so by one at a time per period.

  Input:
    KEYS[1] worker ids: set of active workers

    ARGV[1] key prefix of the queue id
    ARGV[2] who asks (a worker or controller id), for the lock
    ARGV[3] milliseconds the lock is held ('0': no lock, look now)
    ARGV[4] log entries to keep

  Output:
    {worker id, ...} the workers found lost now; false when another holds the lock
]]
-- @include keys
-- @include events
-- @include tasks
-- @include workers
local P, lockMs, logMax = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
if lockMs > 0 and not redis.call('SET', key_detectLock(P), ARGV[2], 'NX', 'PX', lockMs) then return false end
local lost = {}
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', key_workerHeartbeat(P, worker)) == 0 then
    if markWorkerGone(P, worker, 'LOST', 'LOST', 'heartbeat expired', logMax) then lost[#lost + 1] = worker end
  end
end
table.sort(lost)
return lost
