// The worker: rrq's loop. One blocking pop over [its message list, its queues in order]
// (only the message list while paused), so a message always beats a task, and a message
// that arrives during a task is handled right after it.
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { decodeValue, encodeValue } from '../core/encoding';
import { formatMessageId, MESSAGE_ID_PATTERN } from '../core/ids';
import { queueKeys, type QueueKeys } from '../core/keys';
import { eventFor, formatLogLine, logRecord } from '../core/logs';
import {
  DEFAULT_WORKER_CONFIG, parseWorkerConfig, RESPONSE_INLINE_MAX, type LogRecord, type MessageRecord, type ResolvedWorkerConfig, type ResponseRecord,
  type WorkerInfo,
} from '../core/protocol';
import { openConnection, type RedisTarget } from '../core/redisConnection';
import { defineScripts } from '../core/scripts';
import { parseTaskRecord } from '../core/tasks';
import { TaskEnvironment } from './evaluate';
import { handleMessage, type MessageOutcome } from './handlers';
import { collectWorkerInfo, formatInfoForLog } from './info';
import { LogOutput } from './logOutput';

export interface WorkerOptions {
  target: RedisTarget;
  queueId: string;
  workerId: string;
  /** Name of the stored worker config to use (default `localhost`: rrq's defaults). */
  configName?: string;
  /** Where the human-readable log goes (the worker's log file; stdout by default). */
  out?: LogOutput;
}

type LiveStatus = 'IDLE' | 'BUSY' | 'PAUSED';

interface ParsedMessage {
  id: string;
  command: string;
  args: unknown;
  /** Why the message could not be read, if it could not. */
  problem?: string;
}

let syntheticCounter = 0;
function syntheticMessageId(): string {
  const now = Date.now();
  return formatMessageId(Math.floor(now / 1000), (now % 1000) * 1000 + (syntheticCounter++ % 1000));
}

export function parseMessage(raw: string): ParsedMessage {
  let record: Partial<MessageRecord>;
  try {
    record = JSON.parse(raw) as Partial<MessageRecord>;
  } catch {
    return { id: syntheticMessageId(), command: 'INVALID', args: undefined, problem: `Malformed message (not JSON): ${raw.slice(0, 120)}` };
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    return { id: syntheticMessageId(), command: 'INVALID', args: undefined, problem: `Malformed message (not an object): ${raw.slice(0, 120)}` };
  }
  const id = typeof record.id === 'string' && MESSAGE_ID_PATTERN.test(record.id) ? record.id : syntheticMessageId();
  if (id !== record.id) {
    return { id, command: 'INVALID', args: undefined, problem: `Malformed message (missing or invalid id ${JSON.stringify(record.id)})` };
  }
  if (typeof record.command !== 'string' || record.command === '') {
    return { id, command: 'INVALID', args: undefined, problem: `Malformed message ${id} (missing command)` };
  }
  let args: unknown;
  if (record.args !== undefined) {
    try {
      args = decodeValue(String(record.args));
    } catch (err) {
      return { id, command: record.command, args: undefined, problem: `Malformed arguments of message ${id} (${record.command}): ${(err as Error).message}` };
    }
  }
  return { id, command: record.command, args };
}

export class Worker {
  readonly id: string;
  readonly keys: QueueKeys;
  status: LiveStatus = 'IDLE';
  config: ResolvedWorkerConfig = DEFAULT_WORKER_CONFIG;
  /** Seconds without work before exiting (Infinity: never). */
  timeoutIdle = Infinity;
  /** When the worker last did something that counts as work (ms). */
  idleSince = Date.now();
  info!: WorkerInfo;
  readonly envir: TaskEnvironment;
  private stopReason: string | null = null;
  /** The last response write, not yet confirmed by Redis (resolves to its error, if any). */
  private unconfirmedWrite: Promise<Error | null> | null = null;
  private signalCount = 0;
  private readonly output: LogOutput;
  private readonly out: (line: string) => void;

  private constructor(
    private readonly options: WorkerOptions,
    readonly redis: Redis,
    private readonly blocking: Redis,
    config: ResolvedWorkerConfig,
  ) {
    this.id = options.workerId;
    this.keys = queueKeys(options.queueId);
    this.config = config;
    this.timeoutIdle = config.timeoutIdle;
    this.envir = new TaskEnvironment(config.envir);
    this.output = options.out ?? new LogOutput();
    this.out = (line) => this.output.line(line);
    defineScripts(redis);
  }

  static async create(options: WorkerOptions): Promise<Worker> {
    const keys = queueKeys(options.queueId);
    const name = `rrq:${options.queueId}:worker:${options.workerId}`;
    // A blocking pop gets a connection of its own; both connect at once.
    const [redis, blocking] = await Promise.allSettled([
      openConnection(options.target, name),
      openConnection(options.target, `${name}:poll`),
    ]);
    try {
      if (redis.status === 'rejected') throw redis.reason;
      if (blocking.status === 'rejected') throw blocking.reason;
      const configName = options.configName ?? 'localhost';
      const [stored, active] = await Promise.all([
        redis.value.hget(keys.workerConfig, configName),
        redis.value.sismember(keys.workerIds, options.workerId),
      ]);
      if (stored === null && configName !== 'localhost') {
        throw new Error(`No worker config named '${configName}' in queue ${options.queueId}`);
      }
      if (active) throw new Error(`A worker with id '${options.workerId}' is already active in queue ${options.queueId}`);
      const config = stored === null ? DEFAULT_WORKER_CONFIG : parseWorkerConfig(stored);
      return new Worker(options, redis.value, blocking.value, config);
    } catch (err) {
      if (redis.status === 'fulfilled') redis.value.disconnect();
      if (blocking.status === 'fulfilled') blocking.value.disconnect();
      throw err;
    }
  }

  get messageKey(): string {
    return this.keys.workerMessage(this.id);
  }

  private queueKeyList(): string[] {
    return this.config.queue.map((q) => this.keys.queue(q));
  }

  collectInfo(): WorkerInfo {
    const { host, port } = this.options.target.options;
    this.info = collectWorkerInfo({
      workerId: this.id,
      config: this.options.configName ?? 'localhost',
      queueKeys: this.queueKeyList(),
      redisHost: String(host ?? '127.0.0.1'),
      redisPort: Number(port ?? 6379),
      envirBuilt: this.envir.builtAt,
    });
    return this.info;
  }

  /**
   * Append a log entry: to the log file now, and to Redis (log list + event) either inside the
   * given batch or as its own pipeline, sent without waiting (commands on one connection
   * stay in order).
   */
  log(command: string, message = '', ref?: string, into?: ChainableCommander, response?: string): void {
    const record = this.logToFile(command, message);
    const batch = into ?? this.redis.pipeline();
    this.logToRedis(batch, record, ref, response);
    if (!into) this.send(batch);
  }

  private logToFile(command: string, message: string): LogRecord {
    const record = logRecord(command, message);
    this.out(formatLogLine(record));
    return record;
  }

  private logToRedis(batch: ChainableCommander, record: LogRecord, ref?: string, response?: string): void {
    const logKey = this.keys.workerLog(this.id);
    batch.rpush(logKey, JSON.stringify(record))
      .ltrim(logKey, -this.config.logMax, -1)
      .publish(this.keys.events, JSON.stringify(eventFor(this.id, record, ref, response)));
  }

  private send(batch: ChainableCommander): void {
    batch.exec().catch((err: Error) => this.out(`(could not write log to Redis: ${err.message})`));
  }

  print(text: string): void {
    this.out(text);
  }

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
    this.log('ALIVE', '', undefined, multi);
    this.log('ENVIR', 'new', undefined, multi);
    this.log('QUEUE', this.config.queue.join(', '), undefined, multi);
    // Printed before the ALIVE event goes out, so whoever waits for ALIVE sees a complete file.
    this.out(formatInfoForLog(info));
    this.output.flush();
    await multi.exec();
    this.idleSince = Date.now();
  }

  async setStatus(status: LiveStatus): Promise<void> {
    this.status = status;
    await this.redis.hset(this.keys.workerStatus, this.id, status);
  }

  /** Milliseconds until the idle timeout (Infinity when there is none). */
  idleRemainingMs(): number {
    if (!Number.isFinite(this.timeoutIdle)) return Infinity;
    return this.timeoutIdle * 1000 - (Date.now() - this.idleSince);
  }

  resetIdleTimer(): void {
    this.idleSince = Date.now();
  }

  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  /** Signals: the first lets the current task finish; the second stops at once. */
  onSignal(signal: NodeJS.Signals): void {
    this.signalCount += 1;
    this.requestStop(`OK (${signal})`);
    if (this.status !== 'BUSY' || this.signalCount > 1) this.blocking.disconnect();
    if (this.signalCount > 1 && this.status === 'BUSY') void this.shutdown(true).then(() => process.exit(1));
  }

  private async poll(): Promise<[string, string] | null> {
    const keys = this.status === 'PAUSED' ? [this.messageKey] : [this.messageKey, ...this.queueKeyList()];
    const remainingMs = this.idleRemainingMs();
    if (remainingMs <= 0) return this.redis.rrqPopFirst(keys.length, ...keys);
    // Redis reads timeouts in seconds with millisecond resolution, and 0 means forever.
    const seconds = Math.max(0.01, Math.ceil(Math.min(this.config.pollTimeout * 1000, remainingMs)) / 1000);
    try {
      return await this.blocking.blpop(...keys, seconds);
    } catch (err) {
      if (this.stopReason) return null;
      throw err;
    }
  }

  /** Run until stopped. Resolves with the reason logged on STOP. */
  async run(): Promise<string> {
    await this.register();
    try {
      while (!this.stopReason) {
        const item = await this.poll();
        await this.settleWrite();
        if (!item) {
          if (this.idleRemainingMs() <= 0) this.requestStop('OK (TIMEOUT)');
          continue;
        }
        const [key, value] = item;
        if (key === this.messageKey) await this.processMessage(value);
        else await this.runTask(value);
      }
      await this.settleWrite();
    } catch (err) {
      this.requestStop(`ERROR (${(err as Error).message})`);
    }
    await this.shutdown(false);
    return this.stopReason!;
  }

  private async settleWrite(): Promise<void> {
    const pending = this.unconfirmedWrite;
    this.unconfirmedWrite = null;
    const error = pending ? await pending : null;
    if (error) throw error;
  }

  private async processMessage(raw: string): Promise<void> {
    const message = parseMessage(raw);
    const received = this.logToFile('MESSAGE', message.command);
    // A quick answer reaches Redis in one write with its MESSAGE entry; a slow one (a long
    // EVAL, say) shows MESSAGE in Redis and to watchers right away.
    let receivedSent = false;
    const flushReceived = setTimeout(() => {
      receivedSent = true;
      const batch = this.redis.pipeline();
      this.logToRedis(batch, received, message.id);
      this.send(batch);
    }, 1);
    let outcome: MessageOutcome;
    if (message.problem) {
      this.out(message.problem);
      outcome = { value: new Error(message.problem) };
    } else {
      outcome = await handleMessage(this, message.command, message.args);
    }
    clearTimeout(flushReceived);
    if (outcome.resetsTimer) this.resetIdleTimer();
    let result: string;
    try {
      result = encodeValue(outcome.value);
    } catch (err) {
      result = encodeValue(new Error(`Response to ${message.command} cannot be encoded: ${(err as Error).message}`));
    }
    // A pipeline, not a transaction: one connection keeps the order (response before its
    // event), and nothing else needs to be atomic with it.
    const batch = this.redis.pipeline();
    if (!receivedSent) this.logToRedis(batch, received, message.id);
    this.respond(message.id, message.command, result, batch);
    // Poll again at once instead of waiting for Redis to confirm: the next message may already
    // be on its way. The write is checked before anything else happens (see settleWrite).
    this.unconfirmedWrite = batch.exec().then(() => null, (err: Error) => err);
    if (outcome.stop) this.requestStop(outcome.stop);
  }

  /** Add a response record and its RESPONSE log entry to a batch of commands. */
  private respond(id: string, command: string, result: string, multi: ChainableCommander): void {
    const record: ResponseRecord = { id, command, result, time: Date.now() / 1000 };
    const text = JSON.stringify(record);
    multi.hset(this.keys.workerResponse(this.id), id, text);
    this.log('RESPONSE', command, id, multi, text.length <= RESPONSE_INLINE_MAX ? text : undefined);
  }

  private async runTask(taskId: string): Promise<void> {
    const taskKey = this.keys.task(taskId);
    const record = parseTaskRecord(await this.redis.hgetall(taskKey));
    if (!record) {
      this.log('TASK_MISSING', taskId, taskId);
      return;
    }
    if (record.status !== 'PENDING') {
      this.log('TASK_SKIP', `${taskId} (${record.status})`, taskId);
      return;
    }
    this.status = 'BUSY';
    const start = this.redis.multi()
      .hset(taskKey, { status: 'RUNNING', worker: this.id, timeStart: String(Date.now() / 1000) })
      .hset(this.keys.workerStatus, this.id, 'BUSY')
      .hset(this.keys.workerTask, this.id, taskId);
    this.log('TASK_START', taskId, taskId, start);
    await start.exec();

    let status: 'COMPLETE' | 'ERROR' = 'COMPLETE';
    let value: unknown;
    try {
      value = record.kind === 'call'
        ? await this.envir.call(record.source, (record.args ? decodeValue(record.args) : []) as unknown[])
        : await this.envir.evaluate(record.source);
    } catch (err) {
      status = 'ERROR';
      value = err instanceof Error ? err : new Error(`Task threw a non-Error value: ${String(err)}`);
    }
    let result: string;
    try {
      result = encodeValue(value);
    } catch (err) {
      status = 'ERROR';
      result = encodeValue(new Error(`Task result cannot be encoded: ${(err as Error).message}`));
    }
    this.status = 'IDLE';
    const finish = this.redis.multi()
      .hset(taskKey, { status, result, timeComplete: String(Date.now() / 1000) })
      .hset(this.keys.workerStatus, this.id, 'IDLE')
      .hdel(this.keys.workerTask, this.id);
    this.log(`TASK_${status}`, taskId, taskId, finish);
    await finish.exec();
    this.resetIdleTimer();
  }

  private shuttingDown: Promise<void> | null = null;

  /**
   * Leave cleanly: out of the active set first (so nothing new is sent), status EXITED, and
   * every message still waiting answered with an error instead of being left in Redis.
   */
  shutdown(abandonTask: boolean): Promise<void> {
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
        this.log('TASK_DIED', taskId, taskId, multi);
      }
      for (const raw of pending ?? []) {
        const message = parseMessage(raw);
        const error = new Error(`Worker '${this.id}' stopped (${this.stopReason}) before handling message ${message.id} (${message.command})`);
        this.respond(message.id, message.command, encodeValue(error), multi);
      }
      this.log('STOP', this.stopReason ?? 'OK', undefined, multi);
      await multi.exec();
      this.output.flush();
      await Promise.all([this.redis.quit(), this.blocking.quit()].map((p) => p.catch(() => {})));
    })();
    return this.shuttingDown;
  }
}
