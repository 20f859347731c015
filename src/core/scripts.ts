// The Lua scripts (src/core/lua/<name>-<number of keys>.lua, each with a header naming its
// KEYS, ARGV and output) and one typed method per script. The loader takes the key count from
// the file name and replaces `-- @include <name>` lines with the shared parts (lua/includes/,
// and `keys`: the key names of keys.ts as Lua functions). esbuild inlines the files as text,
// so every bundle stays one file. Scripts run atomically; every key they touch shares the
// queue's hash tag.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { Result } from 'ioredis';
import { DependencyFailedError, TaskMissingError, TaskStateError, WorkerInactiveError } from './errors';
import { luaKeyFunctions, type QueueKeys } from './keys';
import events from './lua/includes/events.lua';
import tasks from './lua/includes/tasks.lua';
import workers from './lua/includes/workers.lua';
import messageRespond from './lua/messageRespond-6.lua';
import messageSend from './lua/messageSend-3.lua';
import taskCancel from './lua/taskCancel-1.lua';
import taskCreate from './lua/taskCreate-1.lua';
import taskDelete from './lua/taskDelete-1.lua';
import taskRetry from './lua/taskRetry-1.lua';
import workerDetectLost from './lua/workerDetectLost-1.lua';
import workerLeave from './lua/workerLeave-2.lua';
import workerMarkGone from './lua/workerMarkGone-1.lua';
import workerNext from './lua/workerNext-4.lua';

/** Every script under its file name. */
const LUA_FILES = {
  'messageRespond-6': messageRespond,
  'messageSend-3': messageSend,
  'taskCancel-1': taskCancel,
  'taskCreate-1': taskCreate,
  'taskDelete-1': taskDelete,
  'taskRetry-1': taskRetry,
  'workerDetectLost-1': workerDetectLost,
  'workerLeave-2': workerLeave,
  'workerMarkGone-1': workerMarkGone,
  'workerNext-4': workerNext,
} as const;

const INCLUDES: Record<string, () => string> = { keys: luaKeyFunctions, events: () => events, tasks: () => tasks, workers: () => workers };

type ScriptFile = keyof typeof LUA_FILES;
type ScriptName<F extends string> = F extends `${infer Name}-${string}` ? Name : never;
type CommandName = `rrq_${ScriptName<ScriptFile>}`;
type Arg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rrq_messageRespond(...keysAndArgs: Arg[]): Result<number, Context>;
    rrq_messageSend(...keysAndArgs: Arg[]): Result<string[], Context>;
    rrq_taskCancel(...keysAndArgs: Arg[]): Result<string[], Context>;
    rrq_taskCreate(...keysAndArgs: Arg[]): Result<[number, number, number], Context>;
    rrq_taskDelete(...keysAndArgs: Arg[]): Result<number, Context>;
    rrq_taskRetry(...keysAndArgs: Arg[]): Result<string[], Context>;
    rrq_workerDetectLost(...keysAndArgs: Arg[]): Result<string[], Context>;
    rrq_workerLeave(...keysAndArgs: Arg[]): Result<string[], Context>;
    rrq_workerMarkGone(...keysAndArgs: Arg[]): Result<number, Context>;
    rrq_workerNext(...keysAndArgs: Arg[]): Result<[string, (string | string[])[], string[]], Context>;
  }
}

/** A script's text with its includes in place. */
export function assembleLua(source: string): string {
  return source.replace(/^-- @include (\w+)$/gm, (_, name: string) => {
    const include = INCLUDES[name];
    if (!include) throw new Error(`Lua include '${name}' does not exist`);
    return include();
  });
}

/** Register every script on a connection (EVALSHA, falling back to EVAL once per connection). */
function defineScripts(redis: Redis): void {
  if (typeof (redis as Partial<Redis>).rrq_messageSend === 'function') return;
  for (const [file, source] of Object.entries(LUA_FILES)) {
    const [, name, count] = /^(.+)-(\d+|n)$/.exec(file)!;
    const command: CommandName = `rrq_${name as ScriptName<ScriptFile>}`;
    const lua = assembleLua(source);
    redis.defineCommand(command, count === 'n' ? { lua } : { lua, numberOfKeys: Number(count) });
  }
}

/** Errors raised by scripts (`redis.error_reply('RRQ_<CODE> <JSON detail>')`), as error classes. */
const SCRIPT_ERRORS: Record<string, (detail: never) => Error> = {
  RRQ_WORKER_INACTIVE: (ids: string[]) => new WorkerInactiveError(ids),
  RRQ_TASK_MISSING: (ids: string[]) => new TaskMissingError(ids, 'Task(s) not created: they would depend on task(s) that do not exist'),
  RRQ_DEPENDENCY_FAILED: (failed: Record<string, string>) => new DependencyFailedError(failed),
  RRQ_NOT_RETRIABLE: (bad: Record<string, string>) => new TaskStateError(
    `Tasks not retried: only finished tasks can be: ${Object.entries(bad).map(([id, s]) => `'${id}' (${s})`).join(', ')}`, Object.keys(bad)),
  RRQ_DUPLICATE_TASKS: (ids: string[]) => new TaskStateError(
    `Tasks not retried: these stand for the same task as another id given: ${ids.map((id) => `'${id}'`).join(', ')}`, ids),
  RRQ_TASK_RUNNING: (ids: string[]) => new TaskStateError(
    `Tasks not deleted: running tasks cannot be (cancel them first): ${ids.map((id) => `'${id}'`).join(', ')}`, ids),
  RRQ_TASK_HAS_DEPENDANTS: (needed: Record<string, string[]>) => new TaskStateError(
    `Tasks not deleted: unfinished tasks depend on them: ${Object.entries(needed).map(([id, ds]) => `'${id}' (by ${ds.join(', ')})`).join('; ')}`,
    Object.keys(needed)),
};

function scriptError(err: unknown): unknown {
  const match = /^(RRQ_[A-Z_]+) (.*)$/s.exec((err as Error)?.message ?? '');
  const make = match ? SCRIPT_ERRORS[match[1]!] : undefined;
  return make ? make(JSON.parse(match![2]!) as never) : err;
}

async function mapped<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw scriptError(err);
  }
}

export interface MessageSent {
  id: string;
  workerIds: string[];
}

/** What a worker takes next (workerNext): an inbox element, or tasks from its queues (run one at a time). */
export type NextWork =
  | { kind: 'inbox'; raw: string }
  | { kind: 'tasks'; tasks: { id: string; fields: Record<string, string> }[] }
  | null;

export interface NextResult {
  next: NextWork;
  /** Finished tasks whose results were not stored: no longer RUNNING on the worker (cancelled, or it was declared lost). */
  discarded: string[];
}

export interface TaskFinish {
  id: string;
  status: 'COMPLETE' | 'ERROR' | 'TIMEOUT' | 'CANCELLED';
  /** Encoded result ('' for none). */
  result: string;
}

export interface TaskBatch {
  queue: string;
  /** Fields every task of the batch has. */
  shared: Record<string, string>;
  dependsOn: readonly string[];
  /** (id, encoded arguments or '') per task. */
  tasks: readonly (readonly [string, string])[];
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
    // Sent again by the connection after a reconnect, the same call (the same nonce) sends nothing twice.
    const nonce = randomBytes(12).toString('base64url');
    const [id, ...targets] = await mapped(this.redis.rrq_messageSend(
      k.messageLastId, k.workerIds, k.messageSent(nonce), k.prefix, command, encodedArgs, String(workerIds.length), ...workerIds, ...deletions,
    ));
    return { id: id!, workerIds: targets };
  }

  /** A worker's answer to a message (see messageRespond-6.lua): the JSON texts are written as given. */
  async messageRespond(workerId: string, answer: {
    messageId: string; response: string; received: string; receivedEvent: string; responded: string; respondedEvent: string;
    logMax: number; raw: string;
    /** The status to return to after a long message (the worker was BUSY with it), or ''. */
    restoreStatus: string;
    /** When to delete the response (seconds since the epoch), or null to keep it until read. */
    expireAt: number | null;
  }): Promise<void> {
    const k = this.keys;
    await this.redis.rrq_messageRespond(
      k.workerResponse(workerId), k.workerLog(workerId), k.workerInHand(workerId), k.workerExpiring(workerId), k.workerStatus, k.workerActivity,
      k.events, answer.messageId, answer.response, answer.received, answer.receivedEvent, answer.responded, answer.respondedEvent,
      answer.logMax, answer.raw, workerId, answer.restoreStatus, answer.expireAt === null ? '' : answer.expireAt,
    );
  }


  /** Create a batch of tasks; resolves with how many were created, handed to idle workers, and deferred. */
  async taskCreate(batch: TaskBatch): Promise<{ created: number; handed: number; deferred: number }> {
    const shared = Object.entries(batch.shared).flat();
    const [created, handed, deferred] = await mapped(this.redis.rrq_taskCreate(
      this.keys.taskStatus, this.keys.prefix, batch.queue, shared.length / 2, ...shared,
      batch.dependsOn.length, ...batch.dependsOn, ...batch.tasks.flat(),
    ));
    return { created, handed, deferred };
  }

  /** Cancel tasks (only PENDING ones on `queue` with `onlyPending`): each task's status before ('' unknown) and whether it was cancelled. */
  async taskCancel(
    ids: readonly string[], options: { onlyPending?: boolean; queue?: string } = {},
  ): Promise<{ before: string; cancelled: boolean }[]> {
    const reply = await mapped(this.redis.rrq_taskCancel(
      this.keys.taskStatus, this.keys.prefix, options.onlyPending ? '1' : '', options.queue ?? '', ...ids,
    ));
    return ids.map((_, i) => ({ before: reply[2 * i] ?? '', cancelled: reply[2 * i + 1] === '1' }));
  }

  /** Retry tasks as the new ids given (pairs); resolves with the tasks retried (chain ends). */
  taskRetry(pairs: readonly (readonly [string, string])[]): Promise<string[]> {
    return mapped(this.redis.rrq_taskRetry(this.keys.taskStatus, this.keys.prefix, ...pairs.flat()));
  }

  /** Delete tasks and all their keys; resolves with how many existed. */
  taskDelete(ids: readonly string[], check: boolean): Promise<number> {
    return mapped(this.redis.rrq_taskDelete(this.keys.taskStatus, this.keys.prefix, check ? '1' : '', ...ids));
  }

  /** A worker's step: finish `finished`, then take the next piece of work (up to `claim` tasks). */
  async workerNext(
    workerId: string, queues: readonly string[], logMax: number, paused: boolean, claim: number, finished: readonly TaskFinish[],
  ): Promise<NextResult> {
    const k = this.keys;
    const [kind, work, discarded] = await mapped(this.redis.rrq_workerNext(
      k.workerMessage(workerId), k.workerInHand(workerId), k.workerControl(workerId), k.workerClaimed(workerId),
      k.prefix, workerId, logMax, paused ? '1' : '', claim, finished.length, ...finished.flatMap((f) => [f.id, f.status, f.result]),
      ...queues,
    ));
    if (kind === 'inbox') return { next: { kind: 'inbox', raw: work[0] as string }, discarded };
    if (kind === 'tasks') {
      const tasks = (work as string[][]).map(([id, ...pairs]) => {
        const fields: Record<string, string> = {};
        for (let i = 0; i < pairs.length; i += 2) fields[pairs[i]!] = pairs[i + 1]!;
        return { id: id!, fields };
      });
      return { next: { kind: 'tasks', tasks }, discarded };
    }
    return { next: null, discarded };
  }

  /** A worker leaves; resolves with the messages it had not handled. */
  workerLeave(workerId: string, abandonedTaskId: string | null, logMax: number): Promise<string[]> {
    const k = this.keys;
    return mapped(this.redis.rrq_workerLeave(
      k.workerMessage(workerId), k.workerInHand(workerId), k.prefix, workerId, abandonedTaskId ?? '', logMax,
    ));
  }

  /** Mark a worker EXITED or LOST unless it already left, logging `command reason`; true when marked. */
  async workerMarkGone(workerId: string, status: 'EXITED' | 'LOST', command: string, reason: string, logMax: number): Promise<boolean> {
    const marked = await mapped(this.redis.rrq_workerMarkGone(
      this.keys.workerStatus, this.keys.prefix, workerId, status, command, reason, logMax,
    ));
    return marked === 1;
  }

  /**
   * Mark LOST every active worker whose heartbeat expired (see workerDetectLost-1.lua). With a
   * period (ms), only when no one else holds the detection lock; `lost` is null when another
   * did. `nextMs`: when the next look is due.
   */
  async workerDetectLost(caller: string, periodMs: number, logMax: number): Promise<{ lost: string[] | null; nextMs: number }> {
    const reply = await mapped(this.redis.rrq_workerDetectLost(this.keys.workerIds, this.keys.prefix, caller, periodMs, logMax));
    const [outcome, nextMs, ...lost] = reply;
    return { lost: outcome === 'looked' ? lost : null, nextMs: Number(nextMs) };
  }
}
