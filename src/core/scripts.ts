// The Lua scripts (src/core/lua/<name>-<number of keys>.lua, each with a header naming its
// KEYS, ARGV and output) and one typed method per script. The loader takes the key count from
// the file name (`n`: the caller gives it); esbuild inlines the files as text, so the worker
// stays one file. Scripts run atomically; every key they touch shares the queue's hash tag.
import type Redis from 'ioredis';
import type { Result } from 'ioredis';
import { WorkerInactiveError } from './errors';
import { WORKER_KEY_SUFFIX, type QueueKeys } from './keys';
import messageSend from './lua/messageSend-2.lua';
import popFirst from './lua/popFirst-n.lua';
import workerMarkGone from './lua/workerMarkGone-5.lua';

/** Every script under its file name. */
const LUA_FILES = {
  'messageSend-2': messageSend,
  'popFirst-n': popFirst,
  'workerMarkGone-5': workerMarkGone,
} as const;

type ScriptFile = keyof typeof LUA_FILES;
type ScriptName<F extends string> = F extends `${infer Name}-${string}` ? Name : never;
type CommandName = `rrq_${ScriptName<ScriptFile>}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rrq_messageSend(...keysAndArgs: string[]): Result<string[], Context>;
    rrq_popFirst(numKeys: number, ...keys: string[]): Result<[string, string] | null, Context>;
    rrq_workerMarkGone(...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

/** Register every script on a connection (EVALSHA, falling back to EVAL once per connection). */
function defineScripts(redis: Redis): void {
  if (typeof (redis as Partial<Redis>).rrq_messageSend === 'function') return;
  for (const [file, lua] of Object.entries(LUA_FILES)) {
    const [, name, count] = /^(.+)-(\d+|n)$/.exec(file)!;
    const command: CommandName = `rrq_${name as ScriptName<ScriptFile>}`;
    redis.defineCommand(command, count === 'n' ? { lua } : { lua, numberOfKeys: Number(count) });
  }
}

/** Errors raised by scripts (`redis.error_reply('<CODE> <JSON detail>')`), as error classes. */
function scriptError(err: unknown): unknown {
  const match = /^RRQ_WORKER_INACTIVE (.*)$/.exec((err as Error)?.message ?? '');
  if (match) return new WorkerInactiveError(JSON.parse(match[1]!) as string[]);
  return err;
}

export interface MessageSent {
  id: string;
  workerIds: string[];
}

/** The scripts of one queue id on one connection. */
export class Scripts {
  constructor(private readonly redis: Redis, private readonly keys: QueueKeys) {
    defineScripts(redis);
  }

  /**
   * Send a message to the given workers (all active ones when none are given), deleting the
   * already-read responses named by `deletions` (worker id, message id, ...) on the way.
   * Throws WorkerInactiveError, sending nothing, when a given worker is not active.
   */
  async messageSend(
    command: string, encodedArgs: string, workerIds: readonly string[] = [], deletions: readonly string[] = [],
  ): Promise<MessageSent> {
    const k = this.keys;
    try {
      const [id, ...targets] = await this.redis.rrq_messageSend(
        k.messageLastId, k.workerIds,
        k.workerKeyPrefix, WORKER_KEY_SUFFIX.message, WORKER_KEY_SUFFIX.response,
        command, encodedArgs, String(workerIds.length), ...workerIds, ...deletions,
      );
      return { id: id!, workerIds: targets };
    } catch (err) {
      throw scriptError(err);
    }
  }

  /** Pop from the first non-empty list of `lists`, without blocking. */
  popFirst(lists: readonly string[]): Promise<[string, string] | null> {
    return this.redis.rrq_popFirst(lists.length, ...lists);
  }

  /** Mark a worker EXITED or LOST unless it already left; true when marked. */
  async workerMarkGone(
    workerId: string, status: 'EXITED' | 'LOST', logRecordJson: string, eventJson: string, logMax: number,
  ): Promise<boolean> {
    const k = this.keys;
    const marked = await this.redis.rrq_workerMarkGone(
      k.workerStatus, k.workerIds, k.workerTask, k.workerLog(workerId), k.events,
      workerId, status, logRecordJson, eventJson, logMax,
    );
    return marked === 1;
  }
}
