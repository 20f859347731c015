// Lua scripts run atomically in Redis. All keys they touch share the queue's hash tag.
import type Redis from 'ioredis';
import type { Result } from 'ioredis';
import type { QueueKeys } from './keys';
import { workerKeyPrefix } from './keys';

/**
 * Send a message: take a unique, sortable id from Redis TIME and push the message record on
 * the message list of each target worker, in one round trip.
 * KEYS: [lastIdKey, workerIdSet]
 * ARGV: [workerKeyPrefix, command, encodedArgs, n, workerId x n, (workerId, messageId) x m]
 * With no worker ids (n = 0), targets every active worker. Returns [id, targetedWorker...], or an
 * error naming the inactive workers (nothing is sent then). The trailing pairs are responses
 * this controller has already read and wants gone: deleting them here saves a command.
 */
const MESSAGE_SEND = `
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
  redis.call('HDEL', ARGV[1] .. ARGV[i] .. ':response', ARGV[i + 1])
end
local targets = {}
if n > 0 then
  local missing = {}
  for i = 5, 4 + n do
    if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 1 then
      targets[#targets + 1] = ARGV[i]
    else
      missing[#missing + 1] = "'" .. ARGV[i] .. "'"
    end
  end
  if #missing > 0 then
    return redis.error_reply('RRQ_INACTIVE ' .. table.concat(missing, ', '))
  end
else
  targets = redis.call('SMEMBERS', KEYS[2])
  table.sort(targets)
end
local record = cjson.encode({id = id, command = ARGV[2], args = ARGV[3]})
for _, w in ipairs(targets) do
  redis.call('RPUSH', ARGV[1] .. w .. ':message', record)
end
local out = {id}
for _, w in ipairs(targets) do out[#out + 1] = w end
return out
`;

/** Non-blocking pop from the first non-empty list, in key order. Returns [key, value] or nil. */
const POP_FIRST = `
for _, key in ipairs(KEYS) do
  local v = redis.call('LPOP', key)
  if v then return {key, v} end
end
return false
`;

/**
 * Mark a worker gone (killed or lost) unless it already exited cleanly or is no longer known.
 * KEYS: [workerStatus, workerIds, workerTask, workerLog, events]
 * ARGV: [workerId, status, logRecordJson, eventJson, logMax]
 * Returns 1 if marked, 0 if it had already exited.
 */
const WORKER_MARK_GONE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
-- Already gone, or deleted since (workerDeleteExited): nothing to record.
if not current or current == 'EXITED' or current == 'LOST' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('RPUSH', KEYS[4], ARGV[3])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[5]), -1)
redis.call('PUBLISH', KEYS[5], ARGV[4])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rrqMessageSend(lastIdKey: string, workerIdSet: string, ...argv: string[]): Result<string[], Context>;
    rrqPopFirst(numKeys: number, ...keys: string[]): Result<[string, string] | null, Context>;
    rrqWorkerMarkGone(...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

/** Register the scripts on a connection (EVALSHA with automatic fallback to EVAL). */
export function defineScripts(redis: Redis): void {
  if (typeof (redis as Partial<Redis>).rrqMessageSend === 'function') return;
  redis.defineCommand('rrqMessageSend', { numberOfKeys: 2, lua: MESSAGE_SEND });
  redis.defineCommand('rrqPopFirst', { lua: POP_FIRST });
  redis.defineCommand('rrqWorkerMarkGone', { numberOfKeys: 5, lua: WORKER_MARK_GONE });
}

export interface MessageSent {
  id: string;
  workerIds: string[];
}

export async function sendMessageRecord(
  redis: Redis, keys: QueueKeys, command: string, encodedArgs: string, workerIds: readonly string[] = [],
  deletions: readonly string[] = [],
): Promise<MessageSent> {
  defineScripts(redis);
  try {
    const [id, ...targets] = await redis.rrqMessageSend(
      keys.messageLastId, keys.workerIds, workerKeyPrefix(keys), command, encodedArgs,
      String(workerIds.length), ...workerIds, ...deletions,
    );
    return { id: id!, workerIds: targets };
  } catch (err) {
    const text = (err as Error).message;
    const match = /RRQ_INACTIVE (.*)$/.exec(text);
    if (match) throw new Error(`Message not sent: worker(s) not active: ${match[1]}`);
    throw err;
  }
}
