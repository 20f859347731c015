--[[
  Record that a worker is gone without having said so (killed, or its process ended): set its
  status, take it out of the active set and its task field, log one entry and publish it.
  A worker that exited cleanly, is already marked, or was deleted is left alone.

  Input:
    KEYS[1] worker status: hash worker id -> status
    KEYS[2] worker ids: set of active workers
    KEYS[3] worker task: hash worker id -> task id
    KEYS[4] the worker's log list
    KEYS[5] events channel

    ARGV[1] worker id
    ARGV[2] new status ('EXITED' or 'LOST')
    ARGV[3] log record (JSON)
    ARGV[4] event record (JSON)
    ARGV[5] log entries to keep

  Output:
    1 when marked, 0 when the worker had already exited, been marked, or been deleted
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or current == 'EXITED' or current == 'LOST' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('RPUSH', KEYS[4], ARGV[3])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[5]), -1)
redis.call('PUBLISH', KEYS[5], ARGV[4])
return 1
