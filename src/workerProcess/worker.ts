// The worker: rrq's loop. Between two pieces of work one script (workerNext) finishes what it
// ran and takes what comes next: its inbox first (a message always beats a task), then its
// queues in order; with nothing to do it becomes IDLE, new tasks are handed straight to its
// inbox, and it blocks on that inbox alone. What it takes is moved to its in-hand list or
// marked RUNNING on it in the same step, so a reply lost to a dropped connection loses nothing.
// Tasks run off the main thread (taskRunner), one at a time; a message that arrives during a
// task is handled right after it.
//
//   run():  register → loop { next work → message | task (→ finish + next) | block on the inbox | idle check } → leave
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { encodeValue } from '../core/encoding';
import { queueKeys, type QueueKeys } from '../core/keys';
import { eventFor } from '../core/logs';
import {
  DEFAULT_WORKER_CONFIG, parseWorkerConfig, RESPONSE_INLINE_MAX, type EventRecord, type ResolvedWorkerConfig, type ResponseRecord,
  type WorkerActivity, type WorkerInfo,
} from '../core/protocol';
import { InFlightGuard, isConnectionError, openConnection, whenReady, type RedisTarget } from '../core/redisConnection';
import { Scripts, type NextWork, type TaskFinish } from '../core/scripts';
import { parseRunFields, type TaskRunFields } from '../core/tasks';
import { handleMessage, type LiveStatus, type MessageContext, type MessageOutcome } from './handlers';
import { Heartbeat } from './heartbeat';
import { IdleTimer } from './idleTimer';
import { collectWorkerInfo, formatInfoForLog } from './info';
import { LogOutput } from './logOutput';
import { parseMessage } from './parseMessage';
import { TaskThread } from './taskExecutors';
import { runTask, type TaskContext } from './taskRunner';
import { WorkerLog } from './workerLog';

export interface WorkerOptions {
  target: RedisTarget;
  queueId: string;
  workerId: string;
  /** Name of the stored worker config to use (default `localhost`: rrq's defaults). */
  configName?: string;
  /** Where the human-readable log goes (the worker's log file; stdout by default). */
  out?: LogOutput;
}

/**
 * Opens both connections at once; a blocking call gets a connection of its own. A command cut
 * off by a lost connection fails instead of being sent again: the worker then looks at what it
 * holds in Redis (recover) rather than risk doing a step twice.
 */
async function openConnections(options: WorkerOptions): Promise<[Redis, Redis]> {
  const name = `rrq:${options.queueId}:worker:${options.workerId}`;
  const extra = { autoResendUnfulfilledCommands: false };
  const [redis, blocking] = await Promise.allSettled([
    openConnection(options.target, name, extra),
    openConnection(options.target, `${name}:poll`, extra),
  ]);
  if (redis.status === 'fulfilled' && blocking.status === 'fulfilled') return [redis.value, blocking.value];
  if (redis.status === 'fulfilled') redis.value.disconnect();
  if (blocking.status === 'fulfilled') blocking.value.disconnect();
  throw (redis.status === 'rejected' ? redis.reason : (blocking as PromiseRejectedResult).reason);
}

/** The stored config named `configName` (rrq's defaults for `localhost`), checking no worker of this id is active. */
async function readConfig(redis: Redis, keys: QueueKeys, options: WorkerOptions): Promise<ResolvedWorkerConfig> {
  const configName = options.configName ?? 'localhost';
  const [stored, active] = await Promise.all([
    redis.hget(keys.workerConfig, configName),
    redis.sismember(keys.workerIds, options.workerId),
  ]);
  if (stored === null && configName !== 'localhost') {
    throw new Error(`No worker config named '${configName}' in queue ${options.queueId}`);
  }
  if (active) throw new Error(`A worker with id '${options.workerId}' is already active in queue ${options.queueId}`);
  return stored === null ? DEFAULT_WORKER_CONFIG : parseWorkerConfig(stored);
}

/** How long a signalled worker waits for an unreachable Redis to record its leaving. */
const UNREACHABLE_EXIT_MS = 10_000;

/** Several tasks are taken at once only while they are this short, together. */
const BATCH_MS = 5;
const BATCH_MAX = 32;

/** A task handed to the worker through its inbox: `{"task": id, "fields": {...}}`. */
function handedTask(raw: string): { id: string; task: TaskRunFields } | null {
  if (!raw.startsWith('{"task"') && !raw.includes('"task"')) return null;
  try {
    const record = JSON.parse(raw) as { task?: unknown; fields?: Record<string, string> };
    if (typeof record.task !== 'string' || typeof record.fields !== 'object' || record.fields === null) return null;
    return { id: record.task, task: parseRunFields(record.fields) };
  } catch {
    return null;
  }
}

export class Worker {
  readonly id: string;
  private readonly keys: QueueKeys;
  private readonly scripts: Scripts;
  private readonly idle: IdleTimer;
  private readonly workerLog: WorkerLog;
  private readonly thread: TaskThread;
  private envirPath: string | null;
  private status: LiveStatus = 'IDLE';
  /** In the idle sets of its queues: new tasks come to its inbox, so it can block there. */
  private waitingForWork = false;
  private stopReason: string | null = null;
  /** The task running now (for a forced stop). */
  private runningTask: string | null = null;
  private heartbeat: Heartbeat | null = null;
  /** Tasks finished whose results the next workerNext call stores. */
  private unreported: TaskFinish[] = [];
  /** Milliseconds tasks have taken lately; starts high, so one task is taken at a time until they prove short. */
  private taskMs = 1000;
  /** The last response write, not yet confirmed by Redis (`done` resolves to its error, if any), and how to make it again. */
  private unconfirmedWrite: { done: Promise<Error | null>; write: () => Promise<Error | null> } | null = null;
  private signalCount = 0;
  /** Whether leaving is recorded in Redis (not once the worker's records were deleted). */
  private writeOnLeave = true;
  private shuttingDown: Promise<void> | null = null;
  /** What message handlers see of this worker. */
  private readonly messageContext: MessageContext;
  /** What the task runner sees of this worker. */
  private readonly taskContext: TaskContext;
  /** Commands cut off by a lost connection fail (see openConnections) instead of hanging. */
  private readonly guard: InFlightGuard;
  private readonly blockingGuard: InFlightGuard;

  private constructor(
    private readonly options: WorkerOptions,
    private readonly redis: Redis,
    private readonly blocking: Redis,
    private readonly config: ResolvedWorkerConfig,
    queueEnvir: string | null,
    thread: TaskThread,
  ) {
    this.id = options.workerId;
    this.guard = new InFlightGuard(redis);
    this.blockingGuard = new InFlightGuard(blocking);
    this.keys = queueKeys(options.queueId);
    this.scripts = new Scripts(redis, this.keys);
    this.idle = new IdleTimer(config.timeoutIdle);
    this.envirPath = config.envir ?? queueEnvir;
    this.thread = thread;
    this.workerLog = new WorkerLog(redis, this.keys, this.id, options.out ?? new LogOutput(), () => this.config.logMax);
    const currentStatus = () => this.status;
    this.messageContext = {
      get status() { return currentStatus(); },
      idle: this.idle,
      allowEval: config.allowEval,
      print: (text) => this.workerLog.print(text),
      log: (command, message) => this.workerLog.log(command, message),
      setStatus: (status) => this.setStatus(status),
      refreshInfo: () => this.refreshInfo(),
      rebuildEnvironment: () => this.rebuildEnvironment(),
      evaluate: (source) => this.thread.evaluate(`eval-${Date.now()}-${Math.random()}`, source, (text) => this.workerLog.print(text.replace(/\n$/, ''))),
    };
    this.taskContext = {
      workerId: this.id, redis, blocking, blockingGuard: this.blockingGuard, keys: this.keys, log: this.workerLog, thread: this.thread,
      envir: () => this.envirPath,
      tasksAllowed: config.tasks,
    };
  }

  static async create(options: WorkerOptions): Promise<Worker> {
    const keys = queueKeys(options.queueId);
    // The task thread starts while the connections open (it takes about as long); the
    // environment module, known once the config is read, is loaded into it then.
    const thread = new TaskThread(null);
    const starting = thread.start();
    starting.catch(() => {}); // awaited in register
    let connections: [Redis, Redis] | null = null;
    try {
      connections = await openConnections(options);
      const [redis, blocking] = connections;
      const [config, queueEnvir] = await Promise.all([readConfig(redis, keys, options), redis.get(keys.envir)]);
      return new Worker(options, redis, blocking, config, queueEnvir, thread);
    } catch (err) {
      connections?.forEach((c) => c.disconnect());
      await thread.close();
      throw err;
    }
  }

  private get inbox(): string {
    return this.keys.workerMessage(this.id);
  }

  private collectInfo(): WorkerInfo {
    const { host, port } = this.options.target.options;
    return collectWorkerInfo({
      workerId: this.id,
      config: this.options.configName ?? 'localhost',
      queueKeys: this.config.queue.map((q) => this.keys.queue(q)),
      redisHost: String(host ?? '127.0.0.1'),
      redisPort: Number(port ?? 6379),
      heartbeatKey: this.keys.workerHeartbeat(this.id),
      envirBuilt: this.thread.state.builtAt,
    });
  }

  private async refreshInfo(): Promise<WorkerInfo> {
    const info = this.collectInfo();
    await this.redis.hset(this.keys.workerInfo, this.id, JSON.stringify(info));
    return info;
  }

  /** PAUSE and RESUME: a paused worker is out of the idle sets (handed nothing) and takes messages only. */
  private async setStatus(status: LiveStatus): Promise<void> {
    this.status = status;
    const multi = this.redis.multi().hset(this.keys.workerStatus, this.id, status);
    if (status === 'PAUSED') for (const q of this.config.queue) multi.srem(this.keys.queueIdle(q), this.id);
    await multi.exec();
    this.waitingForWork = false; // look again before blocking: a resumed worker takes from its queues
  }

  /** REFRESH: the environment module again (the queue's may have been changed), in the task thread. */
  private async rebuildEnvironment(): Promise<void> {
    if (this.config.envir === null) this.envirPath = await this.redis.get(this.keys.envir);
    const state = await this.thread.refresh(this.envirPath);
    if (state.error) throw new Error(state.error);
  }

  /** A line in the worker's log file (the process's uncaught errors, say). */
  print(text: string): void {
    this.workerLog.print(text);
  }

  /**
   * Run until stopped. Resolves with the reason logged on STOP. Each turn takes the next piece
   * of work (finishing the last task in the same call), or blocks on the inbox when the worker
   * is known to be idle. A lost connection costs nothing but time: once it is back, the worker
   * writes again what it had not confirmed and takes again what it holds (workerNext is safe to
   * repeat).
   */
  async run(): Promise<string> {
    await this.register();
    let take = true;
    try {
      while (!this.stopReason) {
        try {
          const taking = take;
          const step = taking ? this.takeNext(this.unreported) : this.waitForWork();
          step.catch(() => {}); // awaited below; settling the last answer comes first
          // The last answer's write went out before this step; it is confirmed (or made again) now.
          await this.settleWrite();
          const work = await step;
          if (taking) {
            this.unreported = [];
            take = false;
          }
          if (work === null) {
            if (!taking && this.idle.remainingMs() <= 0) this.requestStop('OK (TIMEOUT)');
            continue;
          }
          const handed = work.kind === 'inbox' ? handedTask(work.raw) : null;
          if (work.kind === 'tasks') {
            // One at a time; a stop request lets the one running finish, and the rest go back.
            for (const task of work.tasks) {
              if (this.stopReason) break;
              this.unreported.push(await this.processTask(task.id, parseRunFields(task.fields)));
            }
            take = true;
          } else if (handed) {
            this.unreported.push(await this.processTask(handed.id, handed.task));
            take = true;
          } else {
            await this.processMessage(work.raw);
            // Still in the idle sets, the worker can block again: new tasks come to its inbox.
            take = !this.waitingForWork;
          }
        } catch (err) {
          if (!isConnectionError(err)) throw err;
          await this.recover(err as Error);
          take = true;
        }
      }
      await this.settleWrite();
    } catch (err) {
      this.requestStop(`ERROR (${(err as Error).message})`);
    }
    await this.shutdown(false);
    return this.stopReason!;
  }

  /** Wait for Redis to be back (the connections reconnect by themselves), saying so in the log. */
  private async recover(err: Error): Promise<void> {
    if (this.stopReason) return;
    this.workerLog.print(`Lost the connection to Redis (${err.message}); waiting for it to come back`);
    const started = Date.now();
    for (const conn of [this.redis, this.blocking]) await whenReady(conn, () => this.stopReason !== null);
    if (!this.stopReason) this.workerLog.log('RECONNECT', `after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Start-up, in one transaction: clear old keys, join the active set, IDLE, info, ALIVE. */
  private async register(): Promise<void> {
    const state = this.envirPath === null ? await this.thread.start() : await this.thread.refresh(this.envirPath);
    if (state.error) this.workerLog.print(state.error);
    const info = this.collectInfo();
    const k = this.keys;
    const multi = this.redis.multi()
      .del(...k.workerKeys(this.id))
      .hdel(k.workerTask, this.id);
    this.joinActive(multi, 'IDLE', info);
    this.workerLog.log('ALIVE', '', undefined, multi);
    this.workerLog.log('ENVIR', 'new', undefined, multi);
    this.workerLog.log('QUEUE', this.config.queue.join(', '), undefined, multi);
    // Printed before the ALIVE event goes out, so whoever waits for ALIVE sees a complete file.
    this.workerLog.print(formatInfoForLog(info));
    this.workerLog.flush();
    await multi.exec();
    this.idle.reset();
    this.startHeartbeat();
  }

  /** What registering writes (at start, and when it comes back): active, status, queues, info, heartbeat. */
  private joinActive(multi: ChainableCommander, status: LiveStatus, info: WorkerInfo): void {
    const k = this.keys;
    multi.sadd(k.workerIds, this.id)
      .hset(k.workerStatus, this.id, status)
      .hset(k.workerQueues, this.id, this.config.queue.join('\n'))
      .hset(k.workerInfo, this.id, JSON.stringify(info))
      .set(k.workerHeartbeat(this.id), String(Date.now()), 'PX', this.heartbeatExpiryMs)
      // Whoever holds the detection lock planned its next look without this worker's heartbeat,
      // which may be shorter: the next look is this worker's own, within its period.
      .del(k.detectLock);
  }

  private get heartbeatExpiryMs(): number {
    return Math.round(3 * this.config.heartbeatPeriod * 1000);
  }

  private startHeartbeat(): void {
    const periodMs = Math.round(this.config.heartbeatPeriod * 1000);
    this.heartbeat = new Heartbeat({
      workerId: this.id, redis: this.redis, keys: this.keys, scripts: this.scripts, periodMs, logMax: this.config.logMax,
      print: (text) => this.workerLog.print(text),
      guard: (command) => this.guard.guard(command),
      comeBack: () => this.comeBack(),
      forgotten: () => {
        // Writing anything now would bring back keys someone deleted on purpose.
        this.writeOnLeave = false;
        this.requestStop('ERROR (its records were deleted from Redis: its queue destroyed, or it was deleted as lost)');
        this.blocking.disconnect();
      },
      stopping: () => this.stopReason !== null,
    }, { redis: this.options.target.options, queueId: this.options.queueId, workerId: this.id, periodMs, logMax: this.config.logMax });
    this.heartbeat.begin();
  }

  /**
   * Declared lost (its heartbeat expired: a cut link, a frozen process) and still here: register
   * again. Its tasks were declared DIED meanwhile and their results will not be stored.
   */
  private async comeBack(): Promise<void> {
    const multi = this.redis.multi();
    this.joinActive(multi, this.status, this.collectInfo());
    if (this.waitingForWork) for (const q of this.config.queue) multi.sadd(this.keys.queueIdle(q), this.id);
    this.workerLog.log('BACK', 'this worker had been declared lost (its heartbeat expired); it has registered again', undefined, multi);
    await this.guard.guard(multi.exec());
  }

  /**
   * Finish `finished` and take the next piece of work, in one script call. Tasks are taken
   * several at a time only while they are short (what fits in BATCH_MS by the recent average),
   * so a message waits at most about that long behind them.
   */
  private async takeNext(finished: readonly TaskFinish[]): Promise<NextWork> {
    const claim = Math.max(1, Math.min(BATCH_MAX, Math.floor(BATCH_MS / Math.max(this.taskMs, 0.001))));
    const { next, discarded } = await this.guard.guard(
      this.scripts.workerNext(this.id, this.config.queue, this.config.logMax, this.status === 'PAUSED', claim, finished),
    );
    for (const f of finished) this.workerLog.toFile(`TASK_${discarded.includes(f.id) ? 'DISCARDED' : f.status}`, f.id);
    if (finished.length > 0) {
      this.runningTask = null;
      if (this.status === 'BUSY') this.status = 'IDLE';
    }
    this.waitingForWork = next === null && this.status !== 'PAUSED';
    return next;
  }

  /** Block on the inbox (moving what comes to the in-hand list) until something comes, the poll ends, or the idle time is up. */
  private async waitForWork(): Promise<NextWork> {
    const remainingMs = this.idle.remainingMs();
    if (remainingMs <= 0) return null;
    // Redis reads timeouts in seconds with millisecond resolution, and 0 means forever.
    const seconds = Math.max(0.01, Math.ceil(Math.min(this.config.pollTimeout * 1000, remainingMs)) / 1000);
    let raw: string | null;
    try {
      raw = await this.blockingGuard.guard(this.blocking.blmove(this.inbox, this.keys.workerInHand(this.id), 'LEFT', 'RIGHT', seconds));
    } catch (err) {
      if (this.stopReason) return null;
      throw err;
    }
    if (raw === null) return null;
    return { kind: 'inbox', raw };
  }

  /**
   * The worker polls again before Redis confirms its last answer (the next message may already
   * be on its way); the write is checked here, before anything else happens, and made again
   * (it is safe to repeat) until Redis confirms it.
   */
  private async settleWrite(): Promise<void> {
    while (this.unconfirmedWrite) {
      const { done, write } = this.unconfirmedWrite;
      const error = await done;
      if (!error) {
        this.unconfirmedWrite = null;
        return;
      }
      if (!isConnectionError(error)) {
        this.unconfirmedWrite = null;
        throw error;
      }
      await this.recover(error);
      this.unconfirmedWrite = { write, done: write() };
    }
  }

  private async processMessage(raw: string): Promise<void> {
    const message = parseMessage(raw);
    const received = this.workerLog.toFile('MESSAGE', message.command);
    // A quick answer reaches Redis in one write with its MESSAGE entry. A slow one (a long
    // EVAL, say) shows MESSAGE in Redis right away, and the worker BUSY with it (its activity),
    // so that it is handed no task meanwhile and everyone sees what it is doing.
    let slow = false;
    const flushReceived = setTimeout(() => {
      slow = true;
      // Out of the idle sets: the next step takes from the queues (joining them again).
      this.waitingForWork = false;
      const activity: WorkerActivity = { command: message.command, messageId: message.id, since: Date.now() / 1000 };
      const batch = this.redis.pipeline()
        .hset(this.keys.workerStatus, this.id, 'BUSY')
        .hset(this.keys.workerActivity, this.id, JSON.stringify(activity));
      this.workerLog.toRedis(batch, received, message.id, undefined, 'BUSY');
      this.workerLog.send(batch);
    }, 1);
    let outcome: MessageOutcome;
    if (message.problem) {
      this.workerLog.print(message.problem);
      outcome = { value: new Error(message.problem) };
    } else {
      outcome = await handleMessage(this.messageContext, message.command, message.args);
    }
    clearTimeout(flushReceived);
    // One script: the answer and the message leaving the in-hand list go together.
    const result = outcome.encoded ?? encodeResponse(message.command, outcome.value);
    const response = JSON.stringify({ id: message.id, command: message.command, result, time: Date.now() / 1000 } satisfies ResponseRecord);
    const responded = this.workerLog.toFile('RESPONSE', message.command);
    const respondedEvent: EventRecord = eventFor(this.id, responded, message.id, response.length <= RESPONSE_INLINE_MAX ? response : undefined);
    if (slow) respondedEvent.status = this.status;
    const answer = {
      messageId: message.id,
      response,
      received: slow ? '' : JSON.stringify(received),
      receivedEvent: slow ? '' : JSON.stringify(eventFor(this.id, received, message.id)),
      responded: JSON.stringify(responded),
      respondedEvent: JSON.stringify(respondedEvent),
      logMax: this.config.logMax,
      raw,
      restoreStatus: slow ? this.status : '',
      // An answer to a message that came without a valid id cannot be waited for: it goes after a while.
      expireAt: message.problem && message.syntheticId ? Date.now() / 1000 + this.config.invalidResponseTtl : null,
    };
    const write = () => this.guard.guard(this.scripts.messageRespond(this.id, answer)).then(() => null, (err: Error) => err);
    this.unconfirmedWrite = { write, done: write() };
    if (outcome.stop) this.requestStop(outcome.stop);
  }

  /** Add a response record and its RESPONSE log entry to a batch of commands. */
  private respond(id: string, command: string, result: string, batch: ChainableCommander): void {
    const record: ResponseRecord = { id, command, result, time: Date.now() / 1000 };
    const text = JSON.stringify(record);
    batch.hset(this.keys.workerResponse(this.id), id, text);
    this.workerLog.log('RESPONSE', command, id, batch, text.length <= RESPONSE_INLINE_MAX ? text : undefined);
  }

  private async processTask(id: string, task: TaskRunFields): Promise<TaskFinish> {
    this.status = 'BUSY';
    this.runningTask = id;
    this.workerLog.toFile('TASK_START', id);
    const started = performance.now();
    const finish = await runTask(this.taskContext, id, task);
    // How long tasks take lately (a moving average): it decides how many are taken at once.
    this.taskMs = 0.8 * this.taskMs + 0.2 * (performance.now() - started);
    this.idle.reset();
    return finish;
  }

  private requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  /** Signals: the first lets the current task finish; the second stops at once. */
  onSignal(signal: NodeJS.Signals): void {
    this.signalCount += 1;
    this.requestStop(`OK (${signal})`);
    if (this.status !== 'BUSY' || this.signalCount > 1) this.blocking.disconnect();
    if (this.signalCount > 1 && this.status === 'BUSY') void this.shutdown(true).then(() => process.exit(1));
    // Leaving is recorded in Redis; with Redis unreachable it cannot be, and the worker does not
    // wait for it for ever: it leaves, and is found LOST once its heartbeat expires.
    if (this.signalCount === 1) {
      setTimeout(() => {
        if (this.redis.status === 'ready') return;
        this.workerLog.print(`STOP ${this.stopReason} not recorded: Redis is unreachable (this worker will be found LOST when its heartbeat expires)`);
        this.workerLog.flush();
        process.exit(1);
      }, UNREACHABLE_EXIT_MS).unref();
    }
  }

  /**
   * Leave cleanly: out of the active and idle sets first (so nothing new is sent or handed
   * over), tasks handed over but not started back to their queue, status EXITED, and every
   * message still waiting answered with an error instead of being left in Redis.
   */
  private shutdown(abandonTask: boolean): Promise<void> {
    this.shuttingDown ??= (async () => {
      const k = this.keys;
      await this.heartbeat?.end().catch(() => {});
      if (!this.writeOnLeave) {
        this.workerLog.print(`STOP ${this.stopReason}`);
        await this.redis.del(k.workerHeartbeat(this.id), k.workerKill(this.id)).catch(() => {});
        await this.closeResources();
        return;
      }
      const abandoned = abandonTask ? this.runningTask : null;
      // Results not yet stored (a stop between tasks taken together) are stored first.
      if (this.unreported.length > 0 && !abandonTask) {
        await this.scripts.workerNext(this.id, this.config.queue, this.config.logMax, true, 0, this.unreported).catch(() => {});
      }
      const pending = await this.scripts.workerLeave(this.id, abandoned, this.config.logMax);
      // Then, at once: answers to what was queued, the STOP entry and status EXITED, so whoever
      // sees EXITED also sees why.
      const multi = this.redis.multi()
        .hset(k.workerStatus, this.id, 'EXITED')
        .hdel(k.workerActivity, this.id)
        .del(k.workerHeartbeat(this.id), k.workerKill(this.id));
      for (const raw of pending) {
        const message = parseMessage(raw);
        const error = new Error(`Worker '${this.id}' stopped (${this.stopReason}) before handling message ${message.id} (${message.command})`);
        this.respond(message.id, message.command, encodeValue(error), multi);
      }
      if (abandoned) this.workerLog.toFile('TASK_DIED', abandoned);
      this.workerLog.log('STOP', this.stopReason ?? 'OK', undefined, multi);
      await multi.exec();
      this.workerLog.flush();
      await this.closeResources();
    })();
    return this.shuttingDown;
  }

  private async closeResources(): Promise<void> {
    await this.thread.close().catch(() => {});
    await Promise.all([this.redis.quit(), this.blocking.quit()].map((p) => p.catch(() => {})));
  }
}

/** A handler's value as response text; a value that cannot be encoded becomes an error saying so. */
function encodeResponse(command: string, value: unknown): string {
  try {
    return encodeValue(value);
  } catch (err) {
    return encodeValue(new Error(`Response to ${command} cannot be encoded: ${(err as Error).message}`));
  }
}
