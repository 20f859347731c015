--[[
  A worker's answer to a message, in one step: its response record, its log entries (MESSAGE,
  unless already written because the message took a while, and RESPONSE) with their events,
  and the message taken off the worker's in-hand list. Safe to repeat (a write whose reply was
  lost is made again).

  Input:
    KEYS[1] the worker's response hash
    KEYS[2] the worker's log list
    KEYS[3] the worker's in-hand list

    ARGV[1] events channel
    ARGV[2] message id
    ARGV[3] response record (JSON)
    ARGV[4] MESSAGE log record (JSON), or '' when it was written already
    ARGV[5] its event (JSON)
    ARGV[6] RESPONSE log record (JSON)
    ARGV[7] its event (JSON; carries the response record when it is small)
    ARGV[8] log entries the worker keeps
    ARGV[9] the message as it was taken from the inbox

  Output:
    1
]]
if ARGV[4] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[4])
  redis.call('PUBLISH', ARGV[1], ARGV[5])
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[8]), -1)
redis.call('PUBLISH', ARGV[1], ARGV[7])
redis.call('LREM', KEYS[3], 1, ARGV[9])
return 1
