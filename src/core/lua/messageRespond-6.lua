--[[
  A worker's answer to a message, in one step: its response record, its log entries (MESSAGE,
  unless already written because the message took a while, and RESPONSE) with their events,
  and the message taken off the worker's in-hand list. A message that took a while made the
  worker BUSY with it (its activity); the worker's status goes back to what it was. An answer
  nobody can wait for (to a message without a valid id) is deleted after a while. Safe to
  repeat (a write whose reply was lost is made again).

  Input:
    KEYS[1] the worker's response hash
    KEYS[2] the worker's log list
    KEYS[3] the worker's in-hand list
    KEYS[4] the worker's expiring responses (sorted set message id -> when to delete)
    KEYS[5] worker status hash
    KEYS[6] worker activity hash

    ARGV[1] events channel
    ARGV[2] message id
    ARGV[3] response record (JSON)
    ARGV[4] MESSAGE log record (JSON), or '' when it was written already
    ARGV[5] its event (JSON)
    ARGV[6] RESPONSE log record (JSON)
    ARGV[7] its event (JSON; carries the response record when it is small)
    ARGV[8] log entries the worker keeps
    ARGV[9] the message as it was taken from the inbox
    ARGV[10] worker id
    ARGV[11] the worker's status to return to after a long message (BUSY with it), or ''
    ARGV[12] when to delete the response (seconds since the epoch), or '' to keep it until read

  Output:
    1
]]
if ARGV[4] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[4])
  redis.call('PUBLISH', ARGV[1], ARGV[5])
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if ARGV[12] ~= '' then redis.call('ZADD', KEYS[4], tonumber(ARGV[12]), ARGV[2]) end
if ARGV[11] ~= '' then
  redis.call('HDEL', KEYS[6], ARGV[10])
  -- (A worker gone meanwhile, or lost, keeps that status.)
  if redis.call('HGET', KEYS[5], ARGV[10]) == 'BUSY' then redis.call('HSET', KEYS[5], ARGV[10], ARGV[11]) end
end
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[8]), -1)
redis.call('PUBLISH', ARGV[1], ARGV[7])
redis.call('LREM', KEYS[3], 1, ARGV[9])
return 1
