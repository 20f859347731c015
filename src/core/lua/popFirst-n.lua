--[[
  Pop without blocking from the first non-empty list, in key order: the worker's last look at
  its message list and queues once its idle time is up (a message still beats a task).

  Input:
    KEYS[1 .. n] lists, in priority order (the caller gives n)

  Output:
    {key, value} from the first non-empty list, or nil when all are empty
]]
for _, key in ipairs(KEYS) do
  local v = redis.call('LPOP', key)
  if v then return {key, v} end
end
return false
