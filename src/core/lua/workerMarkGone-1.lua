--[[
  Record that a worker is gone without having said so (killed, or its process ended): see
  markWorkerGone in includes/workers.lua. A worker that exited cleanly, is already marked, or
  was deleted is left alone.

  Input:
    KEYS[1] worker status: hash worker id -> status

    ARGV[1] key prefix of the queue id
    ARGV[2] worker id
    ARGV[3] new status ('EXITED' or 'LOST')
    ARGV[4] log command ('STOP' or 'LOST')
    ARGV[5] log message (the reason)
    ARGV[6] log entries to keep

  Output:
    1 when marked, 0 when the worker had already exited, been marked, or been deleted
]]
-- @include keys
-- @include events
-- @include tasks
-- @include workers
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return markWorkerGone(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])) and 1 or 0
