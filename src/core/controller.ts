// The controller: any process that talks to one queue id. All state lives in Redis; a
// controller holds only its connections, so many can work on one queue at once.
import type Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { asArray, type ControllerContext } from './context';
import { quoteList, TimeoutError } from './errors';
import { EventHub, type EventListener } from './events';
import { newQueueId } from './ids';
import { queueKeyPattern, queueKeys, type QueueKeys } from './keys';
import { LostWorkerWatch } from './lostWorkerWatch';
import { MessageTracker } from './messageTracker';
import * as messages from './messages';
import { WorkerMonitor } from './monitor';
import { DEFAULT_WORKER_CONFIG, type LogEntry, type ResolvedWorkerConfig, type TaskStatus, type WorkerConfig, type WorkerInfo, type WorkerStatus } from './protocol';
import { openConnection, openFurtherConnection, resolveRedisTarget, retryWhileDisconnected, type RedisTarget } from './redisConnection';
import { ResponseJanitor } from './responses';
import { Scripts } from './scripts';
import { workerSpawn, type WorkerSpawnHandle, type WorkerSpawnOptions } from './spawn';
import * as taskControl from './taskControl';
import * as taskCreate from './taskCreate';
import * as taskQuery from './taskQuery';
import type { TaskCreateOptions } from './tasks';
import * as taskWait from './taskWait';
import * as workers from './workers';

export interface ControllerOptions {
  /** Queue id shared by the controller and its workers (default: RRQ_QUEUE_ID, else a new `rrq:<8 hex>`). */
  queueId?: string;
  /** Redis URL or ioredis options (default: RRQ_REDIS_URL, then 127.0.0.1:6379, then a private server). */
  redis?: string | RedisOptions;
  /** With no Redis given or running locally, start a private redis-server (default true). */
  embedded?: boolean;
}

export interface WorkerStopOptions {
  /**
   * 'message' (default): STOP, answered after the current task. 'kill': a kill request to the
   * worker's heartbeat, which ends the process at once on any host, whatever it is doing.
   * 'kill_local': SIGKILL to the process on this host, once it is checked to still be the worker.
   */
  type?: 'message' | 'kill' | 'kill_local';
  /** Seconds to wait for the workers to be gone (default: 0 for 'message', 10 for the kills). */
  timeout?: number;
}

export class Controller {
  readonly queueId: string;
  readonly keys: QueueKeys;
  private readonly ctx: ControllerContext;
  private closed = false;
  private readonly watches = new Set<LostWorkerWatch>();

  private constructor(redis: Redis, target: RedisTarget, keys: QueueKeys) {
    this.queueId = keys.queueId;
    this.keys = keys;
    const events = new EventHub(keys.events, async () => openFurtherConnection(target, `rrq:${keys.queueId}:events`));
    this.ctx = { redis, keys, scripts: new Scripts(redis, keys), events, target, janitor: new ResponseJanitor(redis, keys) };
  }

  static async connect(options: ControllerOptions = {}): Promise<Controller> {
    const keys = queueKeys(options.queueId ?? process.env.RRQ_QUEUE_ID ?? newQueueId());
    const target = await resolveRedisTarget(options.redis, undefined, options.embedded ?? true);
    const redis = await openConnection(target, `rrq:${keys.queueId}:controller`);
    return new Controller(redis, target, keys);
  }

  /** Where Redis is, password hidden. */
  get redisDisplay(): string {
    return this.ctx.target.display;
  }

  /** Whether the command connection is up now (it reconnects by itself after a fault). */
  get connected(): boolean {
    return this.ctx.redis.status === 'ready';
  }

  /**
   * Follow the command connection: `listener(false, reason)` when it drops, `listener(true)` once
   * it is back (commands sent meanwhile wait, and run then). Returns the function that stops it.
   */
  onConnectionChange(listener: (connected: boolean, reason?: string) => void): () => void {
    let up = this.connected;
    let lastError: string | undefined;
    const onError = (err: Error) => { lastError = err.message; };
    const onClose = () => {
      if (!up || this.closed) return;
      up = false;
      listener(false, lastError);
    };
    const onReady = () => {
      if (up) return;
      up = true;
      lastError = undefined;
      listener(true);
    };
    const redis = this.ctx.redis;
    redis.on('error', onError).on('close', onClose).on('ready', onReady);
    return () => {
      redis.off('error', onError).off('close', onClose).off('ready', onReady);
    };
  }

  /** The Redis connection (for advanced use; do not issue blocking commands on it). */
  get redis(): Redis {
    return this.ctx.redis;
  }

  // Workers --------------------------------------------------------------------------------

  async workerSpawn(n = 1, options: WorkerSpawnOptions = {}): Promise<WorkerSpawnHandle> {
    return workerSpawn(this.ctx, n, options, async (ids, timeout) => {
      await this.workerStop(ids, { timeout });
    });
  }

  workerList(): Promise<string[]> {
    return workers.workerList(this.ctx);
  }

  workerStatus(ids?: string | readonly string[]): Promise<Record<string, WorkerStatus>> {
    return workers.workerStatus(this.ctx, ids);
  }

  workerInfo(ids?: string | readonly string[]): Promise<Record<string, WorkerInfo>> {
    return workers.workerInfo(this.ctx, ids);
  }

  workerTaskId(ids?: string | readonly string[]): Promise<Record<string, string | null>> {
    return workers.workerTaskId(this.ctx, ids);
  }

  workerLogTail(options: workers.WorkerLogTailOptions = {}): Promise<LogEntry[]> {
    return workers.workerLogTail(this.ctx, options);
  }

  /**
   * Stop workers (default: all active). With type 'message' they finish their current task,
   * answer STOP with "BYE" and exit; with a timeout this waits for that answer.
   */
  async workerStop(ids?: string | readonly string[], options: WorkerStopOptions = {}): Promise<string[]> {
    const list = ids === undefined ? await this.workerList() : asArray(ids);
    if (list.length === 0) return [];
    const type = options.type ?? 'message';
    if (type === 'message') {
      const timeout = options.timeout ?? 0;
      if (timeout > 0) {
        await messages.messageSendAndWait(this.ctx, 'STOP', 'BYE', { workerIds: list, timeout });
        await this.waitForStatus(list, ['EXITED', 'LOST'], timeout);
      } else {
        await messages.messageSendTo(this.ctx, 'STOP', 'BYE', { workerIds: list });
      }
      return list;
    }
    if (type === 'kill') {
      await workers.workerKillRequest(this.ctx, list);
      await this.waitForStatus(list, ['EXITED', 'LOST'], options.timeout ?? 10, ' (a worker whose heartbeat thread is gone cannot take a kill request: type \'kill_local\' signals its process on its host)');
      return list;
    }
    if (type !== 'kill_local') throw new Error(`workerStop: type must be 'message', 'kill' or 'kill_local', not ${JSON.stringify(type)}`);
    await workers.workerKillLocal(this.ctx, list);
    return list;
  }

  /**
   * rrq's worker_detect_exited: mark LOST every active worker whose heartbeat has expired (its
   * tasks DIED, or retried when they may be; their dependants IMPOSSIBLE). Workers and
   * long-running controllers (the extension) do this by themselves every heartbeat period.
   */
  workerDetectExited(): Promise<string[]> {
    return workers.workerDetectExited(this.ctx);
  }

  /**
   * Look for lost workers by itself for as long as this controller runs, as the workers do
   * (core/lostWorkerWatch.ts): a moment after a heartbeat can have expired, and at least every
   * `periodSeconds` (default 5). For long-running controllers (the extension); `onLost` hears
   * of the workers this controller found. Returns the function that stops it.
   */
  workerDetectExitedEvery(periodSeconds = 5, onLost: (ids: string[]) => void = () => {}): () => void {
    if (!(periodSeconds > 0)) throw new Error(`workerDetectExitedEvery: the period must be a positive number of seconds, not ${periodSeconds}`);
    const watch = new LostWorkerWatch({
      scripts: this.ctx.scripts, caller: workers.controllerId(), periodMs: periodSeconds * 1000, logMax: DEFAULT_WORKER_CONFIG.logMax, onLost,
    });
    watch.start();
    this.watches.add(watch);
    return () => {
      this.watches.delete(watch);
      void watch.stop();
    };
  }

  private async waitForStatus(ids: string[], wanted: WorkerStatus[], timeoutSeconds: number, hint = ''): Promise<void> {
    const ok = await this.ctx.events.waitFor(async () => {
      const status = await retryWhileDisconnected(this.ctx.redis, () => this.workerStatus(ids));
      return ids.every((id) => wanted.includes(status[id]!)) ? true : undefined;
    }, (e) => ids.includes(e.worker), timeoutSeconds * 1000);
    if (!ok) throw new TimeoutError(`Worker(s) did not reach ${wanted.join('/')} within ${timeoutSeconds} s: ${quoteList(ids)}${hint}`);
  }

  workerDeleteExited(ids?: string | readonly string[]): Promise<string[]> {
    return workers.workerDeleteExited(this.ctx, ids);
  }

  workerConfigSave(name: string, config: WorkerConfig): Promise<ResolvedWorkerConfig> {
    return workers.workerConfigSave(this.ctx, name, config);
  }

  workerConfigList(): Promise<string[]> {
    return workers.workerConfigList(this.ctx);
  }

  workerConfigRead(name: string): Promise<ResolvedWorkerConfig> {
    return workers.workerConfigRead(this.ctx, name);
  }

  // Messages -------------------------------------------------------------------------------

  async messageSend(command: string, args?: unknown, options: messages.MessageSendOptions = {}): Promise<string> {
    return (await messages.messageSendTo(this.ctx, command, args, options)).id;
  }

  /** Like messageSend, but also says which workers the message went to. */
  messageSendTo(command: string, args?: unknown, options: messages.MessageSendOptions = {}): Promise<{ id: string; workerIds: string[] }> {
    return messages.messageSendTo(this.ctx, command, args, options);
  }

  messageHasResponse(id: string, options: { workerIds?: string | readonly string[] } = {}): Promise<Record<string, boolean>> {
    return messages.messageHasResponse(this.ctx, id, options.workerIds);
  }

  messageResponseIds(workerId: string): Promise<string[]> {
    return messages.messageResponseIds(this.ctx, workerId);
  }

  messageGetResponse(id: string, options: messages.MessageGetResponseOptions = {}): Promise<Record<string, unknown>> {
    return messages.messageGetResponse(this.ctx, id, options);
  }

  messageSendAndWait(command: string, args?: unknown, options: messages.MessageSendAndWaitOptions = {}): Promise<Record<string, unknown>> {
    return messages.messageSendAndWait(this.ctx, command, args, options);
  }

  // Tasks: create ---------------------------------------------------------------------------

  /** A task that evaluates `expr` (statements; the last one's value is the result) on a worker. */
  taskCreateExpr(expr: string, options: TaskCreateOptions = {}): Promise<string> {
    return taskCreate.taskCreateExpr(this.ctx, expr, options);
  }

  /**
   * A task that calls `fn(...args)` on a worker. `fn` is a function (its source travels, not the
   * variables it closes over: pass those as arguments) or the name of an export of the worker
   * environment module (workerEnvirSet).
   */
  taskCreateCall(fn: ((...args: never[]) => unknown) | string, args: readonly unknown[] = [], options: TaskCreateOptions = {}): Promise<string> {
    return taskCreate.taskCreateCall(this.ctx, fn, args, options);
  }

  /** One task per element of `data`: `expr` evaluated with the element's fields as variables. */
  taskCreateBulkExpr(expr: string, data: readonly Record<string, unknown>[], options: TaskCreateOptions = {}): Promise<string[]> {
    return taskCreate.taskCreateBulkExpr(this.ctx, expr, data, options);
  }

  /** One task per element of `data`: `fn(element, ...options.args)`. */
  taskCreateBulkCall(
    fn: ((...args: never[]) => unknown) | string, data: readonly unknown[], options: taskCreate.TaskCreateBulkCallOptions = {},
  ): Promise<string[]> {
    return taskCreate.taskCreateBulkCall(this.ctx, fn, data, options);
  }

  // Tasks: look ----------------------------------------------------------------------------

  /** Status of one task, or of several (same order as given); 'MISSING' for unknown ids. */
  taskStatus(id: string, options?: taskQuery.FollowOption): Promise<TaskStatus>;
  taskStatus(ids: readonly string[], options?: taskQuery.FollowOption): Promise<TaskStatus[]>;
  async taskStatus(ids: string | readonly string[], options: taskQuery.FollowOption = {}): Promise<TaskStatus | TaskStatus[]> {
    const statuses = await taskQuery.taskStatuses(this.ctx, asArray(ids), options);
    return typeof ids === 'string' ? statuses[0]! : statuses;
  }

  taskInfo(id: string): Promise<taskQuery.TaskInfo> {
    return taskQuery.taskInfo(this.ctx, id);
  }

  taskTimes(ids: string | readonly string[]): Promise<Record<string, taskQuery.TaskTimes>> {
    return taskQuery.taskTimes(this.ctx, asArray(ids));
  }

  /** Place of each task in its queue (1 = next), 0 when not waiting on a queue. */
  taskPosition(ids: string | readonly string[], options: { queue?: string } = {}): Promise<number[]> {
    return taskQuery.taskPosition(this.ctx, asArray(ids), options);
  }

  /** How many tasks are in each status. */
  taskOverview(): Promise<Record<Exclude<TaskStatus, 'MISSING'>, number>> {
    return taskQuery.taskOverview(this.ctx);
  }

  taskList(): Promise<string[]> {
    return taskQuery.taskList(this.ctx);
  }

  taskExists(ids: string | readonly string[]): Promise<boolean[]> {
    return taskQuery.taskExists(this.ctx, asArray(ids));
  }

  /** The last progress value a task reported from inside (progress(value)). */
  taskProgress(id: string): Promise<unknown> {
    return taskQuery.taskProgress(this.ctx, id);
  }

  /** What a task printed (console output, stdout and stderr). */
  taskLog(id: string): Promise<string> {
    return taskQuery.taskLog(this.ctx, id);
  }

  /** DEFERRED tasks, each with the statuses of the tasks it waits for. */
  deferredList(): Promise<Record<string, Record<string, TaskStatus>>> {
    return taskQuery.deferredList(this.ctx);
  }

  queueList(): Promise<string[]> {
    return taskQuery.queueList(this.ctx);
  }

  queueLength(queue = 'default'): Promise<number> {
    return taskQuery.queueLength(this.ctx, queue);
  }

  // Tasks: wait and results ----------------------------------------------------------------

  /**
   * Wait until the tasks have finished. Resolves true when all COMPLETE, false when some did not
   * (with `results: true`, the results instead, as taskResults gives them); rejects with a
   * TimeoutError naming the unfinished ones. Retried tasks are followed.
   */
  taskWait(ids: string | readonly string[], options?: taskWait.TaskWaitOptions & { results?: false }): Promise<boolean>;
  taskWait(ids: string | readonly string[], options: taskWait.TaskWaitOptions & taskWait.TaskResultOptions & { results: true }): Promise<unknown[]>;
  async taskWait(
    ids: string | readonly string[], options: taskWait.TaskWaitOptions & taskWait.TaskResultOptions & { results?: boolean } = {},
  ): Promise<boolean | unknown[]> {
    const { targets, statuses } = await taskWait.waitForTasks(this.ctx, ids, options);
    if (!options.results) return statuses.every((s) => s === 'COMPLETE');
    return taskWait.taskResults(this.ctx, targets, { ...options, follow: false });
  }

  /** The result of a finished task; for a failed one its TaskError (thrown with `error: true`). */
  async taskResult(id: string, options: taskWait.TaskResultOptions = {}): Promise<unknown> {
    return (await taskWait.taskResults(this.ctx, [id], options))[0];
  }

  taskResults(ids: readonly string[], options: taskWait.TaskResultOptions = {}): Promise<unknown[]> {
    return taskWait.taskResults(this.ctx, ids, options);
  }

  // Tasks: change --------------------------------------------------------------------------

  /** Cancel tasks (pending, deferred or running); per task, whether it was cancelled. */
  taskCancel(ids: string | readonly string[]): Promise<boolean[]> {
    return taskControl.taskCancel(this.ctx, asArray(ids));
  }

  /** Retry finished tasks as new ones; resolves with the new ids. */
  taskRetry(ids: string | readonly string[]): Promise<string[]> {
    return taskControl.taskRetry(this.ctx, asArray(ids));
  }

  /** Delete tasks and all they keep (not running ones); resolves with how many existed. */
  taskDelete(ids: string | readonly string[], options: { check?: boolean } = {}): Promise<number> {
    return taskControl.taskDelete(this.ctx, asArray(ids), options);
  }

  /** Take PENDING tasks off a queue (they end CANCELLED); per task, whether it was there. */
  queueRemove(ids: string | readonly string[], options: { queue?: string } = {}): Promise<boolean[]> {
    return taskControl.queueRemove(this.ctx, asArray(ids), options.queue);
  }

  /**
   * The task environment module of this queue id (a path on the workers' machines; JavaScript,
   * or TypeScript, stripped with esbuild): its exports are the variables tasks see, and the
   * functions taskCreateCall can name. null removes it. Active workers reload it (REFRESH)
   * unless `notify` is false.
   */
  workerEnvirSet(modulePath: string | null, options: { notify?: boolean } = {}): Promise<string[]> {
    return workers.workerEnvirSet(this.ctx, modulePath, options);
  }

  // Watching -------------------------------------------------------------------------------

  /** A started live view of the workers, updated from events (stop it when done). */
  async workerMonitor(): Promise<WorkerMonitor> {
    const monitor = new WorkerMonitor(this.ctx);
    await monitor.start();
    return monitor;
  }

  /** A started record of the messages sent through it and their answers, for user interfaces (stop it when done). */
  async messageTracker(keep?: number): Promise<MessageTracker> {
    const tracker = new MessageTracker(this.ctx, keep);
    await tracker.start();
    return tracker;
  }

  /**
   * Hear every event of the queue (every worker log entry, as it happens); resolves, once
   * subscribed, with the function that stops listening. After a reconnect of the subscriber,
   * listeners get an event with command 'RECONNECTED': events may have been missed.
   */
  listen(listener: EventListener): Promise<() => void> {
    return this.ctx.events.listen(listener);
  }

  // Lifecycle ------------------------------------------------------------------------------

  /** Delete every key of this queue id (rrq's destroy). Workers should be stopped first. */
  async destroy(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, found] = await this.ctx.redis.scan(cursor, 'MATCH', queueKeyPattern(this.keys), 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) deleted += await this.ctx.redis.del(...found);
    } while (cursor !== '0');
    return deleted;
  }

  /** Close connections. Workers keep running (stop them first if they should not). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.watches].map((w) => w.stop()));
    this.watches.clear();
    // Closing regardless: a connection that cannot delete the last responses cannot do anything else either.
    await this.ctx.janitor.flush().catch(() => {});
    await this.ctx.events.close();
    // While Redis is away a QUIT would wait for it: then the connection is just dropped.
    if (this.ctx.redis.status === 'ready') await this.ctx.redis.quit().catch(() => this.ctx.redis.disconnect());
    else this.ctx.redis.disconnect();
  }
}
