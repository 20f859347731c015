// A worker's log: each entry goes to its log file (human-readable, via LogOutput) and to Redis
// (the worker's log list, trimmed, and the queue's events channel), the Redis part either in a
// batch of commands the caller is building or as a pipeline of its own sent without waiting
// (commands on one connection stay in order).
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { QueueKeys } from '../core/keys';
import { eventFor, formatLogLine, logRecord } from '../core/logs';
import type { LogRecord, WorkerStatus } from '../core/protocol';
import type { LogOutput } from './logOutput';

export class WorkerLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: QueueKeys,
    private readonly workerId: string,
    private readonly output: LogOutput,
    private readonly logMax: () => number,
  ) {}

  /** Write an entry now: to the log file, and to Redis in `into` or on its own. */
  log(command: string, message = '', ref?: string, into?: ChainableCommander, response?: string): void {
    const record = this.toFile(command, message);
    const batch = into ?? this.redis.pipeline();
    this.toRedis(batch, record, ref, response);
    if (!into) this.send(batch);
  }

  /** The log-file half of an entry, for when its Redis half goes out later (toRedis). */
  toFile(command: string, message = ''): LogRecord {
    const record = logRecord(command, message);
    this.print(formatLogLine(record));
    return record;
  }

  /** The Redis half of an entry; `status`: the worker's status changes with it (see EventRecord). */
  toRedis(batch: ChainableCommander, record: LogRecord, ref?: string, response?: string, status?: WorkerStatus): void {
    const logKey = this.keys.workerLog(this.workerId);
    const event = eventFor(this.workerId, record, ref, response);
    if (status) event.status = status;
    batch.rpush(logKey, JSON.stringify(record))
      .ltrim(logKey, -this.logMax(), -1)
      .publish(this.keys.events, JSON.stringify(event));
  }

  /** Send a batch without waiting; a failure is noted in the log file. */
  send(batch: ChainableCommander): void {
    batch.exec().catch((err: Error) => this.print(`(could not write log to Redis: ${err.message})`));
  }

  /** A line for the log file only (output of PING, ECHO, problems). */
  print(text: string): void {
    this.output.line(text);
  }

  flush(): void {
    this.output.flush();
  }
}
