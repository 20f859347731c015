--[[
  Send a message: make a unique, sortable id from Redis TIME and push the message record on
  the inbox of each target worker, all or nothing. Responses this controller has already read
  ride along and are deleted here, saving a command. Each call carries a key of its own (the
  sender's nonce): a call made again because its reply was lost to a dropped connection finds
  what the first did there and sends nothing twice.

  Input:
    KEYS[1] message last id: string, the last id handed out (PX 60000)
    KEYS[2] worker ids: set of active workers
    KEYS[3] this send's record (string, PX 60000): its output, once made

    ARGV[1] key prefix of the queue id
    ARGV[2] command
    ARGV[3] encoded arguments
    ARGV[4] n, the number of target worker ids that follow (0: every active worker)
    ARGV[5 .. 4 + n] target worker ids
    ARGV[5 + n ..] pairs (worker id, message id): responses to delete

  Output:
    {message id, target worker id, ...} (targets sorted when chosen here)
    error 'RRQ_WORKER_INACTIVE <JSON array of worker ids>' when a named target is not in
      KEYS[2]; nothing is sent then (the deletions still happen)
]]
-- @include keys
local done = redis.call('GET', KEYS[3])
if done then return cjson.decode(done) end
local P = ARGV[1]
local t = redis.call('TIME')
local sec, usec = tonumber(t[1]), tonumber(t[2])
local last = redis.call('GET', KEYS[1])
if last then
  local ls, lu = string.match(last, '^(%d+)%.(%d+)$')
  ls, lu = tonumber(ls), tonumber(lu)
  if sec < ls or (sec == ls and usec <= lu) then
    sec, usec = ls, lu + 1
    if usec >= 1000000 then sec, usec = sec + 1, 0 end
  end
end
local id = string.format('%d.%06d', sec, usec)
redis.call('SET', KEYS[1], id, 'PX', 60000)

local n = tonumber(ARGV[4])
for i = 5 + n, #ARGV - 1, 2 do
  redis.call('HDEL', key_workerResponse(P, ARGV[i]), ARGV[i + 1])
end

local targets = {}
if n > 0 then
  local missing = {}
  for i = 5, 4 + n do
    if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 1 then
      targets[#targets + 1] = ARGV[i]
    else
      missing[#missing + 1] = ARGV[i]
    end
  end
  if #missing > 0 then
    return redis.error_reply('RRQ_WORKER_INACTIVE ' .. cjson.encode(missing))
  end
else
  targets = redis.call('SMEMBERS', KEYS[2])
  table.sort(targets)
end

local record = cjson.encode({id = id, command = ARGV[2], args = ARGV[3]})
for _, w in ipairs(targets) do
  redis.call('RPUSH', key_workerMessage(P, w), record)
end
local out = {id}
for _, w in ipairs(targets) do out[#out + 1] = w end
redis.call('SET', KEYS[3], cjson.encode(out), 'PX', 60000)
return out
