// Running one task from the worker's main thread: in the task thread (or a process of its own),
// with its timeout, its cancellation (a request on the worker's control list, watched once the
// task has run for a moment), its progress values (stored and published, at most every 50 ms)
// and what it prints (appended to the task's log, in batches). What it returns is what the next
// workerNext call stores, so finishing one task and taking the next is one round trip.
import type Redis from 'ioredis';
import { encodeValue } from '../core/encoding';
import type { QueueKeys } from '../core/keys';
import type { InFlightGuard } from '../core/redisConnection';
import { eventFor, logRecord } from '../core/logs';
import type { TaskFinish } from '../core/scripts';
import type { TaskRunFields } from '../core/tasks';
import { runInProcess, type Execution, type HostOutcome, type TaskThread } from './taskExecutors';
import type { WorkerLog } from './workerLog';

/** What running a task needs of the worker. */
export interface TaskContext {
  readonly workerId: string;
  readonly redis: Redis;
  /** The worker's blocking connection, idle while a task runs: it watches the control list. */
  readonly blocking: Redis;
  readonly blockingGuard: InFlightGuard;
  readonly keys: QueueKeys;
  readonly log: WorkerLog;
  readonly thread: TaskThread;
  /** The environment module tasks in a process of their own load. */
  envir(): string | null;
  /** 'environment': only tasks calling a function of the environment module by name run (worker config `tasks`). */
  readonly tasksAllowed: 'any' | 'environment';
}

/** A task that runs longer than this gets its control list watched (shorter ones finish first). */
const WATCH_AFTER_MS = 50;
const PROGRESS_EVERY_MS = 50;
const OUTPUT_EVERY_MS = 100;

function timeoutError(seconds: number): string {
  const error = new Error(`The task did not finish within its timeout of ${seconds} s`);
  error.name = 'TimeoutError';
  delete error.stack;
  return encodeValue(error);
}

/** Writes of progress and output, coalesced so that a chatty task costs a few writes a second. */
class TaskWrites {
  private progress: string | null = null;
  private output: string[] = [];
  private progressTimer: NodeJS.Timeout | null = null;
  private outputTimer: NodeJS.Timeout | null = null;

  constructor(private readonly w: TaskContext, private readonly id: string) {}

  onProgress(value: string): void {
    this.progress = value;
    this.progressTimer ??= setTimeout(() => this.flushProgress(), PROGRESS_EVERY_MS);
  }

  onOutput(text: string): void {
    this.output.push(text);
    this.outputTimer ??= setTimeout(() => this.flushOutput(), OUTPUT_EVERY_MS);
  }

  private flushProgress(): void {
    this.progressTimer = null;
    if (this.progress === null) return;
    const { keys, workerId, id } = { ...this.w, id: this.id };
    const event = { ...eventFor(workerId, logRecord('TASK_PROGRESS', id), id), progress: this.progress };
    this.w.redis.pipeline()
      .hset(keys.task(id), 'progress', this.progress)
      .publish(keys.events, JSON.stringify(event))
      .exec()
      .catch((err: Error) => this.w.log.print(`(could not store the progress of task ${id}: ${err.message})`));
    this.progress = null;
  }

  private flushOutput(): void {
    this.outputTimer = null;
    if (this.output.length === 0) return;
    const chunks = this.output;
    this.output = [];
    this.w.redis.rpush(this.w.keys.taskLog(this.id), ...chunks)
      .catch((err: Error) => this.w.log.print(`(could not store the output of task ${this.id}: ${err.message})`));
  }

  /** Write what is left, before the result (one connection keeps the order). */
  flush(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    if (this.outputTimer) clearTimeout(this.outputTimer);
    this.flushProgress();
    this.flushOutput();
  }
}

/** Resolves with the id's cancel request if one comes before `stopWatching()`; null otherwise. */
function watchControl(w: TaskContext, id: string): { cancelled: Promise<boolean>; stopWatching(): Promise<void> } {
  const key = w.keys.workerControl(w.workerId);
  let watching = false;
  let done = false;
  let resolveCancel: (cancelled: boolean) => void = () => {};
  const cancelled = new Promise<boolean>((resolve) => { resolveCancel = resolve; });
  let loop: Promise<void> = Promise.resolve();
  const timer = setTimeout(() => {
    watching = true;
    loop = (async () => {
      while (!done) {
        const reply = await w.blockingGuard.guard(w.blocking.blpop(key, 0)).catch(() => null);
        if (reply === null) break; // the connection failed: cancellation waits for the task to end
        if (reply[1] === `cancel ${id}`) {
          resolveCancel(true);
          break;
        }
        if (reply[1] === `done ${id}`) break;
      }
    })();
  }, WATCH_AFTER_MS);
  return {
    cancelled,
    async stopWatching() {
      done = true;
      clearTimeout(timer);
      resolveCancel(false);
      if (!watching) return;
      // The watch blocks in Redis: a 'done' element ends it (the next workerNext clears the list).
      await w.redis.rpush(key, `done ${id}`).catch(() => {});
      await loop;
    },
  };
}

export async function runTask(w: TaskContext, id: string, task: TaskRunFields): Promise<TaskFinish> {
  if (w.tasksAllowed === 'environment' && !(task.kind === 'call' && task.fn !== undefined && task.source === undefined)) {
    const refusal = new Error('This worker runs only tasks that call a function of its environment module by name (its worker config has tasks: \'environment\'); this task carries code of its own');
    w.log.print(`Task ${id} refused: ${refusal.message}`);
    return { id, status: 'ERROR', result: encodeValue(refusal) };
  }
  const writes = new TaskWrites(w, id);
  const hooks = { onProgress: (v: string) => writes.onProgress(v), onOutput: (t: string) => writes.onOutput(t) };
  const execution: Execution = task.separate ? runInProcess(w.envir(), id, task, hooks) : w.thread.run(id, task, hooks);
  const control = watchControl(w, id);
  let timer: NodeJS.Timeout | null = null;
  const timedOut = new Promise<'TIMEOUT'>((resolve) => {
    if (task.timeout !== undefined && Number.isFinite(task.timeout)) timer = setTimeout(() => resolve('TIMEOUT'), task.timeout * 1000);
  });
  const outcome: HostOutcome | 'TIMEOUT' | 'CANCELLED' = await Promise.race([
    execution.done, timedOut, control.cancelled.then((c) => (c ? 'CANCELLED' as const : new Promise<never>(() => {}))),
  ]);
  if (timer) clearTimeout(timer);
  await control.stopWatching();
  writes.flush();
  if (outcome === 'TIMEOUT' || outcome === 'CANCELLED') {
    execution.stop();
    return { id, status: outcome, result: outcome === 'TIMEOUT' ? timeoutError(task.timeout!) : '' };
  }
  return { id, status: outcome.status, result: outcome.result };
}
