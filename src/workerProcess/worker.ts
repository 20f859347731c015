// The worker: rrq's loop. One blocking pop over [its message list, its queues in order]
// (only the message list while paused), so a message always beats a task, and a message
// that arrives during a task is handled right after it.
//
//   run():  register → loop { poll → settle the last write → message | task | idle check } → shutdown
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { encodeValue } from '../core/encoding';
import { queueKeys, type QueueKeys } from '../core/keys';
import {
  DEFAULT_WORKER_CONFIG, parseWorkerConfig, RESPONSE_INLINE_MAX, type ResolvedWorkerConfig, type ResponseRecord, type WorkerInfo,
} from '../core/protocol';
import { openConnection, type RedisTarget } from '../core/redisConnection';
import { Scripts } from '../core/scripts';
import { TaskEnvironment } from './evaluate';
import { handleMessage, type LiveStatus, type MessageContext, type MessageOutcome } from './handlers';
import { IdleTimer } from './idleTimer';
import { collectWorkerInfo, formatInfoForLog } from './info';
import { LogOutput } from './logOutput';
import { parseMessage } from './parseMessage';
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

/** Opens both connections at once; a blocking pop gets a connection of its own. */
async function openConnections(options: WorkerOptions): Promise<[Redis, Redis]> {
  const name = `rrq:${options.queueId}:worker:${options.workerId}`;
  const [redis, blocking] = await Promise.allSettled([
    openConnection(options.target, name),
    openConnection(options.target, `${name}:poll`),
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

export class Worker {
  readonly id: string;
  private readonly keys: QueueKeys;
  private readonly scripts: Scripts;
  private readonly envir: TaskEnvironment;
  private readonly idle: IdleTimer;
  private readonly workerLog: WorkerLog;
  private status: LiveStatus = 'IDLE';
  private stopReason: string | null = null;
  /** The last response write, not yet confirmed by Redis (resolves to its error, if any). */
  private unconfirmedWrite: Promise<Error | null> | null = null;
  private signalCount = 0;
  private shuttingDown: Promise<void> | null = null;
  /** What message handlers see of this worker. */
  private readonly messageContext: MessageContext;
  /** What the task runner sees of this worker. */
  private readonly taskContext: TaskContext;

  private constructor(
    private readonly options: WorkerOptions,
    private readonly redis: Redis,
    private readonly blocking: Redis,
    private readonly config: ResolvedWorkerConfig,
  ) {
    this.id = options.workerId;
    this.keys = queueKeys(options.queueId);
    this.scripts = new Scripts(redis, this.keys);
    this.idle = new IdleTimer(config.timeoutIdle);
    this.envir = new TaskEnvironment(config.envir);
    this.workerLog = new WorkerLog(redis, this.keys, this.id, options.out ?? new LogOutput(), () => this.config.logMax);
    const currentStatus = () => this.status;
    this.messageContext = {
      get status() { return currentStatus(); },
      idle: this.idle,
      print: (text) => this.workerLog.print(text),
      log: (command, message) => this.workerLog.log(command, message),
      setStatus: (status) => this.setStatus(status),
      refreshInfo: () => this.refreshInfo(),
      rebuildEnvironment: () => this.envir.build(),
    };
    this.taskContext = {
      workerId: this.id,
      redis,
      keys: this.keys,
      log: this.workerLog,
      envir: this.envir,
      noteStatus: (status) => { this.status = status; },
    };
  }

  static async create(options: WorkerOptions): Promise<Worker> {
    const keys = queueKeys(options.queueId);
    const [redis, blocking] = await openConnections(options);
    try {
      return new Worker(options, redis, blocking, await readConfig(redis, keys, options));
    } catch (err) {
      redis.disconnect();
      blocking.disconnect();
      throw err;
    }
  }

  private get messageKey(): string {
    return this.keys.workerMessage(this.id);
  }

  private queueKeyList(): string[] {
    return this.config.queue.map((q) => this.keys.queue(q));
  }

  private collectInfo(): WorkerInfo {
    const { host, port } = this.options.target.options;
    return collectWorkerInfo({
      workerId: this.id,
      config: this.options.configName ?? 'localhost',
      queueKeys: this.queueKeyList(),
      redisHost: String(host ?? '127.0.0.1'),
      redisPort: Number(port ?? 6379),
      envirBuilt: this.envir.builtAt,
    });
  }

  private async refreshInfo(): Promise<WorkerInfo> {
    const info = this.collectInfo();
    await this.redis.hset(this.keys.workerInfo, this.id, JSON.stringify(info));
    return info;
  }

  private async setStatus(status: LiveStatus): Promise<void> {
    this.status = status;
    await this.redis.hset(this.keys.workerStatus, this.id, status);
  }

  /** A line in the worker's log file (the process's uncaught errors, say). */
  print(text: string): void {
    this.workerLog.print(text);
  }

  /** Run until stopped. Resolves with the reason logged on STOP. */
  async run(): Promise<string> {
    await this.register();
    try {
      while (!this.stopReason) {
        const item = await this.poll();
        await this.settleWrite();
        if (!item) this.stopIfIdleTimeIsUp();
        else if (item[0] === this.messageKey) await this.processMessage(item[1]);
        else await this.processTask(item[1]);
      }
      await this.settleWrite();
    } catch (err) {
      this.requestStop(`ERROR (${(err as Error).message})`);
    }
    await this.shutdown(false);
    return this.stopReason!;
  }

  /** Start-up, in one transaction: clear old keys, join the active set, IDLE, info, ALIVE. */
  private async register(): Promise<void> {
    await this.envir.build();
    const info = this.collectInfo();
    const k = this.keys;
    const multi = this.redis.multi()
      .del(...k.workerKeys(this.id))
      .sadd(k.workerIds, this.id)
      .hset(k.workerStatus, this.id, 'IDLE')
      .hdel(k.workerTask, this.id)
      .hset(k.workerInfo, this.id, JSON.stringify(info));
    this.workerLog.log('ALIVE', '', undefined, multi);
    this.workerLog.log('ENVIR', 'new', undefined, multi);
    this.workerLog.log('QUEUE', this.config.queue.join(', '), undefined, multi);
    // Printed before the ALIVE event goes out, so whoever waits for ALIVE sees a complete file.
    this.workerLog.print(formatInfoForLog(info));
    this.workerLog.flush();
    await multi.exec();
    this.idle.reset();
  }

  /** The next message or task id, or null when the poll (or the idle time) ran out. */
  private async poll(): Promise<[string, string] | null> {
    const keys = this.status === 'PAUSED' ? [this.messageKey] : [this.messageKey, ...this.queueKeyList()];
    const remainingMs = this.idle.remainingMs();
    if (remainingMs <= 0) return this.scripts.popFirst(keys);
    // Redis reads timeouts in seconds with millisecond resolution, and 0 means forever.
    const seconds = Math.max(0.01, Math.ceil(Math.min(this.config.pollTimeout * 1000, remainingMs)) / 1000);
    try {
      return await this.blocking.blpop(...keys, seconds);
    } catch (err) {
      if (this.stopReason) return null;
      throw err;
    }
  }

  /**
   * The worker polls again before Redis confirms its last answer (the next message may already
   * be on its way); the write is checked here, before anything else happens.
   */
  private async settleWrite(): Promise<void> {
    const pending = this.unconfirmedWrite;
    this.unconfirmedWrite = null;
    const error = pending ? await pending : null;
    if (error) throw error;
  }

  private stopIfIdleTimeIsUp(): void {
    if (this.idle.remainingMs() <= 0) this.requestStop('OK (TIMEOUT)');
  }

  private async processMessage(raw: string): Promise<void> {
    const message = parseMessage(raw);
    const received = this.workerLog.toFile('MESSAGE', message.command);
    // A quick answer reaches Redis in one write with its MESSAGE entry; a slow one (a long
    // EVAL, say) shows MESSAGE in Redis and to watchers right away.
    let receivedSent = false;
    const flushReceived = setTimeout(() => {
      receivedSent = true;
      const batch = this.redis.pipeline();
      this.workerLog.toRedis(batch, received, message.id);
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
    // A pipeline, not a transaction: one connection keeps the order (response before its
    // event), and nothing else needs to be atomic with it.
    const batch = this.redis.pipeline();
    if (!receivedSent) this.workerLog.toRedis(batch, received, message.id);
    this.respond(message.id, message.command, encodeResponse(message.command, outcome.value), batch);
    this.unconfirmedWrite = batch.exec().then(() => null, (err: Error) => err);
    if (outcome.stop) this.requestStop(outcome.stop);
  }

  /** Add a response record and its RESPONSE log entry to a batch of commands. */
  private respond(id: string, command: string, result: string, batch: ChainableCommander): void {
    const record: ResponseRecord = { id, command, result, time: Date.now() / 1000 };
    const text = JSON.stringify(record);
    batch.hset(this.keys.workerResponse(this.id), id, text);
    this.workerLog.log('RESPONSE', command, id, batch, text.length <= RESPONSE_INLINE_MAX ? text : undefined);
  }

  private async processTask(taskId: string): Promise<void> {
    await runTask(this.taskContext, taskId);
    this.idle.reset();
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
  }

  /**
   * Leave cleanly: out of the active set first (so nothing new is sent), status EXITED, and
   * every message still waiting answered with an error instead of being left in Redis.
   */
  private shutdown(abandonTask: boolean): Promise<void> {
    this.shuttingDown ??= (async () => {
      const k = this.keys;
      const taskId = abandonTask ? await this.redis.hget(k.workerTask, this.id) : null;
      // First out of the active set, taking what is queued: nothing new can arrive after this.
      const [, pending] = ((await this.redis.multi()
        .srem(k.workerIds, this.id)
        .lrange(this.messageKey, 0, -1)
        .del(this.messageKey)
        .exec()) ?? []).map(([, v]) => v) as [unknown, string[]];
      // Then, at once: answers to what was queued, the STOP entry and status EXITED, so whoever
      // sees EXITED also sees why.
      const multi = this.redis.multi()
        .hset(k.workerStatus, this.id, 'EXITED')
        .hdel(k.workerTask, this.id);
      if (taskId) {
        multi.hset(k.task(taskId), { status: 'DIED', timeComplete: String(Date.now() / 1000) });
        this.workerLog.log('TASK_DIED', taskId, taskId, multi);
      }
      for (const raw of pending ?? []) {
        const message = parseMessage(raw);
        const error = new Error(`Worker '${this.id}' stopped (${this.stopReason}) before handling message ${message.id} (${message.command})`);
        this.respond(message.id, message.command, encodeValue(error), multi);
      }
      this.workerLog.log('STOP', this.stopReason ?? 'OK', undefined, multi);
      await multi.exec();
      this.workerLog.flush();
      await Promise.all([this.redis.quit(), this.blocking.quit()].map((p) => p.catch(() => {})));
    })();
    return this.shuttingDown;
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
