// Waiting for tasks and reading their results (rrq's task_wait, task_result(s)). Waiting reads
// the statuses once, then follows events: each event costs one map lookup, however many tasks
// are awaited; Redis is read again only after a reconnect (events may have been missed), when
// a task was retried, and once at the deadline.
import { asArray, secondsToMs, type ControllerContext } from './context';
import { decodeValue } from './encoding';
import { quoteList, TaskError, TaskMissingError, TaskStateError, TimeoutError } from './errors';
import { EventWatch, RECONNECTED } from './events';
import { retryWhileDisconnected } from './redisConnection';
import { TASK_FINISHED, type EventRecord, type TaskStatus } from './protocol';
import { assertTaskIds, followMoved, rawStatuses, taskRecords, type FollowOption } from './taskQuery';
import type { TaskRecord } from './tasks';

export interface TaskWaitOptions extends FollowOption {
  /** Seconds to wait (default: no limit); then a TimeoutError names the unfinished tasks. */
  timeout?: number;
  /** Called with each progress value a task reports while it runs. */
  onProgress?: (taskId: string, value: unknown) => void;
}

export interface TaskResultOptions extends FollowOption {
  /** Throw the TaskError of a failed task instead of returning it. */
  error?: boolean;
}

const STATUS_OF_EVENT = new Map<string, TaskStatus>([...TASK_FINISHED].map((s) => [`TASK_${s}`, s]));

interface Waited {
  /** The task each given id stands for (after following retries). */
  targets: string[];
  statuses: TaskStatus[];
}

/** Wait until every task has finished; the final statuses. */
export async function waitForTasks(ctx: ControllerContext, ids: string | readonly string[], options: TaskWaitOptions = {}): Promise<Waited> {
  const given = asArray(ids);
  assertTaskIds(given, 'taskWait');
  const timeoutMs = secondsToMs(options.timeout, Infinity);
  const follow = options.follow !== false;
  const deadline = Date.now() + timeoutMs;
  const targets = [...given];
  const statuses: TaskStatus[] = given.map(() => 'MISSING');
  /** Unfinished target id -> the indexes of the ids that stand for it. */
  const waiting = new Map<string, number[]>();

  // Subscribed before anything is read, so nothing that happens after the read is missed.
  const watch = await EventWatch.start(ctx.events);
  // A read cut off by a lost connection is made again once Redis is back (the reconnect's event then makes everything be read again anyway).
  const look = async (indexes: number[]) => {
    const current = indexes.map((i) => targets[i]!);
    const { targets: ends, statuses: read } = await retryWhileDisconnected(
      ctx.redis, () => (follow ? followMoved(ctx, current) : rawStatuses(ctx, current).then((s) => ({ targets: current, statuses: s }))), deadline,
    );
    indexes.forEach((i, j) => { targets[i] = ends[j]!; });
    const missing = indexes.filter((_, j) => read[j] === 'MISSING').map((i) => given[i]!);
    if (missing.length > 0) throw new TaskMissingError(missing);
    const relooked = new Set(indexes);
    for (const list of waiting.values()) list.splice(0, list.length, ...list.filter((i) => !relooked.has(i)));
    indexes.forEach((i, j) => {
      statuses[i] = read[j]!;
      if (TASK_FINISHED.has(read[j]!) && !(follow && read[j] === 'MOVED')) return;
      waiting.set(targets[i]!, [...(waiting.get(targets[i]!) ?? []), i]);
    });
    for (const [id, list] of waiting) if (list.length === 0) waiting.delete(id);
  };
  const originalIds = (target: string) => (waiting.get(target) ?? []).map((i) => given[i]!);
  const onEvent = (e: EventRecord, relook: Set<number>) => {
    if (e.command === RECONNECTED) {
      for (const list of waiting.values()) list.forEach((i) => relook.add(i));
      return;
    }
    if (e.ref === undefined || !waiting.has(e.ref)) return;
    if (e.command === 'TASK_PROGRESS') {
      if (options.onProgress && e.progress !== undefined) {
        const value = decodeValue(e.progress);
        for (const id of new Set(originalIds(e.ref))) options.onProgress(id, value);
      }
      return;
    }
    const status = STATUS_OF_EVENT.get(e.command);
    if (status === undefined) return;
    const indexes = waiting.get(e.ref)!;
    if (status === 'MOVED' && follow) {
      indexes.forEach((i) => relook.add(i)); // on to the task it was retried as
      return;
    }
    for (const i of indexes) statuses[i] = status;
    waiting.delete(e.ref);
  };

  try {
    await look(given.map((_, i) => i));
    while (waiting.size > 0) {
      const relook = new Set<number>();
      for (const e of watch.drain()) onEvent(e, relook);
      if (relook.size > 0) await look([...relook]);
      if (waiting.size === 0) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await watch.next(remaining))) {
        await look([...waiting.values()].flat()); // one last look before giving up
        if (waiting.size === 0) break;
        const pending = [...new Set([...waiting.values()].flat().map((i) => given[i]!))];
        throw new TimeoutError(`Tasks not finished after ${timeoutMs / 1000} s: ${quoteList(pending)}`);
      }
    }
  } finally {
    watch.stop();
  }
  return { targets, statuses };
}

/** Wait until every task has finished: true when all COMPLETE, false when some did not. */
export async function taskWait(ctx: ControllerContext, ids: string | readonly string[], options: TaskWaitOptions = {}): Promise<boolean> {
  const { statuses } = await waitForTasks(ctx, ids, options);
  return statuses.every((s) => s === 'COMPLETE');
}

const FAILURE_TEXT: Partial<Record<TaskStatus, (r: TaskRecord) => string>> = {
  CANCELLED: () => 'The task was cancelled',
  DIED: (r) => `The worker running the task died${r.worker ? ` (${r.worker})` : ''}`,
  TIMEOUT: (r) => `The task did not finish within its timeout${r.timeout ? ` of ${r.timeout} s` : ''}`,
  IMPOSSIBLE: () => 'A task it depends on failed, so it never ran',
  MOVED: (r) => `The task was retried as '${r.movedTo}'`,
  ERROR: () => 'The task failed',
};

/**
 * What a failed task gives: the error it threw (its class, message and stack kept), with where
 * and how it failed added (taskId, taskStatus, worker); a TaskError when it threw nothing
 * (cancelled, timed out, its worker died, a dependency failed).
 */
function taskError(r: TaskRecord): Error {
  const value = r.result === undefined ? undefined : decodeValue(r.result);
  if (value instanceof Error && r.status === 'ERROR') {
    return Object.assign(value, { taskId: r.id, taskStatus: r.status, worker: r.worker ?? null });
  }
  if (value instanceof Error) {
    return new TaskError(r.id, r.status, r.worker ?? null, value.name, value.message, value.stack, value);
  }
  const text = (FAILURE_TEXT[r.status] ?? (() => `The task ended ${r.status}`))(r);
  return new TaskError(r.id, r.status, r.worker ?? null, r.status, `${text} (task '${r.id}')`);
}

/** Results of finished tasks; a failed task gives its TaskError (or throws it with `error`). */
export async function taskResults(ctx: ControllerContext, ids: readonly string[], options: TaskResultOptions = {}): Promise<unknown[]> {
  assertTaskIds(ids, 'taskResult');
  const targets = options.follow === false ? [...ids] : (await retryWhileDisconnected(ctx.redis, () => followMoved(ctx, ids))).targets;
  const records = await retryWhileDisconnected(ctx.redis, () => taskRecords(ctx, targets));
  const missing = ids.filter((_, i) => records[i] === null);
  if (missing.length > 0) throw new TaskMissingError(missing, 'Task not found');
  const unfinished = records.filter((r) => !TASK_FINISHED.has(r!.status));
  if (unfinished.length > 0) {
    throw new TaskStateError(unfinished.map((r) => `Task '${r!.id}' has no result yet (status ${r!.status})`).join('; '), unfinished.map((r) => r!.id));
  }
  const failures = new Set<unknown>();
  const values = records.map((r) => {
    if (r!.status === 'COMPLETE') return r!.result === undefined ? undefined : decodeValue(r!.result);
    const error = taskError(r!);
    failures.add(error);
    return error;
  });
  const readOnce = records.filter((r) => r!.removeOnRead).map((r) => r!.id);
  if (readOnce.length > 0) await ctx.scripts.taskDelete(readOnce, false);
  if (options.error) {
    const failed = values.find((v) => failures.has(v));
    if (failed) throw failed;
  }
  return values;
}
