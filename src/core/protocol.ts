// The records that travel through Redis, shared by controller and worker.
// docs/protocol.md describes the same for clients in other languages.

export const WORKER_STATUSES = ['IDLE', 'BUSY', 'PAUSED', 'EXITED', 'LOST'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export const TASK_STATUSES = [
  'PENDING', 'RUNNING', 'COMPLETE', 'ERROR', 'CANCELLED', 'DIED', 'TIMEOUT', 'IMPOSSIBLE', 'DEFERRED', 'MOVED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number] | 'MISSING';

/** Statuses after which a task will not change again by itself. */
export const TASK_FINISHED: ReadonlySet<TaskStatus> = new Set<TaskStatus>([
  'COMPLETE', 'ERROR', 'CANCELLED', 'DIED', 'TIMEOUT', 'IMPOSSIBLE', 'MOVED',
]);

/** The most workers one workerSpawn call starts (each is a process with its own connections). */
export const MAX_SPAWN = 256;

/** Workers that take messages and tasks (the others have left). */
export const ACTIVE_WORKER_STATUSES: ReadonlySet<WorkerStatus> = new Set<WorkerStatus>(['IDLE', 'BUSY', 'PAUSED']);

export function isActiveWorkerStatus(status: string): boolean {
  return ACTIVE_WORKER_STATUSES.has(status as WorkerStatus);
}

/**
 * The messages workers understand. Adding one: CONTRIBUTING.md; the worker's handler table,
 * the extension's command specs and the CLI are keyed by this type, so the type checker lists
 * every place that needs it.
 */
export const MESSAGE_COMMANDS = [
  'PING', 'ECHO', 'EVAL', 'INFO', 'PAUSE', 'RESUME', 'REFRESH', 'TIMEOUT_SET', 'TIMEOUT_GET', 'STOP',
] as const;
export type MessageCommand = (typeof MESSAGE_COMMANDS)[number];

const MESSAGE_COMMAND_SET: ReadonlySet<string> = new Set(MESSAGE_COMMANDS);

/** Whether a text names a message command (never true for `constructor`, `__proto__` and the like). */
export function isMessageCommand(command: unknown): command is MessageCommand {
  return typeof command === 'string' && MESSAGE_COMMAND_SET.has(command);
}

/** What argument a message takes: `text` (non-empty), `optionalText`, `seconds` (a number ≥ 0, Infinity or null for none). */
export type MessageArgumentKind = 'none' | 'text' | 'optionalText' | 'seconds';

/** The argument of each message, for every client that asks a person for it (the CLI, the extension). */
export const MESSAGE_ARGUMENTS: { readonly [C in MessageCommand]: MessageArgumentKind } = {
  PING: 'none', ECHO: 'text', EVAL: 'text', INFO: 'none', PAUSE: 'none', RESUME: 'none', REFRESH: 'none',
  TIMEOUT_SET: 'seconds', TIMEOUT_GET: 'none', STOP: 'optionalText',
};

/**
 * Messages whose handling changes the worker's status or info record before it answers, so a
 * view of the workers re-reads them on the RESPONSE event (WorkerMonitor).
 */
export const MESSAGES_CHANGING_WORKER_RECORD: ReadonlySet<MessageCommand> = new Set<MessageCommand>(['PAUSE', 'RESUME', 'INFO']);

/** Element of a worker's message list: JSON `{id, command, args}`; `args` is an encoded value. */
export interface MessageRecord {
  id: string;
  command: string;
  /** Encoded with `encodeValue` (devalue text). */
  args: string;
}

/** Field value in a worker's response hash: JSON; `result` is an encoded value. */
export interface ResponseRecord {
  id: string;
  command: string;
  /** Encoded with `encodeValue` (devalue text). */
  result: string;
  /** Worker clock, seconds since the epoch, when the response was written. */
  time: number;
}

/** Element of a worker's log list (JSON). */
export interface LogRecord {
  /** Seconds since the epoch (worker clock, millisecond precision). */
  time: number;
  command: string;
  message: string;
  /** Process id of a child process (separate-process tasks), else absent. */
  child?: number;
}

export interface LogEntry {
  workerId: string;
  child: number | null;
  time: number;
  command: string;
  message: string;
}

/**
 * Published on the queue's events channel for every log record, with the id the entry is
 * about (`ref`: a message id or task id). Events wake waiters; Redis keys stay the truth.
 */
export interface EventRecord extends LogRecord {
  worker: string;
  ref?: string;
  /**
   * On RESPONSE events: the response record exactly as written to the response hash, when it
   * is small (at most RESPONSE_INLINE_MAX characters), so a waiting controller need not read it.
   */
  response?: string;
  /** On TASK_PROGRESS events: the progress value, encoded. */
  progress?: string;
  /**
   * Set when the event comes with a change of the worker's status that no other event tells:
   * a message that takes a while makes it BUSY (MESSAGE), its answer ends that (RESPONSE).
   */
  status?: WorkerStatus;
}

/** What a worker is doing when it is not running a task: a message that takes a while (an EVAL, say). */
export interface WorkerActivity {
  command: string;
  messageId: string;
  /** When it started (seconds since the epoch). */
  since: number;
}

export const RESPONSE_INLINE_MAX = 32 * 1024;

export interface WorkerInfo {
  worker: string;
  config: string;
  rrqVersion: string;
  platform: string;
  running: string;
  hostname: string;
  username: string;
  queue: string[];
  wd: string;
  pid: number;
  redisHost: string;
  redisPort: number;
  heartbeatKey: string | null;
  node: string;
  /** When the process started (processIdentity.ts): tells it from a later process with the same pid. */
  pidStart?: string | null;
  /** Time the environment was (re)built, seconds since the epoch. */
  envir?: number;
}

export interface TimeoutInfo {
  timeoutIdle: number;
  remaining: number;
}

/** Stored worker configuration (rrq's `worker_config`). */
export interface WorkerConfig {
  /** Queues to serve, in priority order; `default` is always served, last. */
  queue?: string[];
  /** Seconds one blocking poll lasts before the worker looks around again (rrq: 60). */
  pollTimeout?: number;
  /** Seconds without work before the worker exits; Infinity (default) never. */
  timeoutIdle?: number;
  /** Module that builds the task environment (path, resolved on the worker's machine). */
  envir?: string | null;
  /** Log entries kept per worker in Redis (older ones are trimmed). */
  logMax?: number;
  /** Seconds between heartbeats; a worker whose heartbeat is 3 periods old is LOST (default 5). */
  heartbeatPeriod?: number;
  /** Whether EVAL messages run (default true); false answers them with an error. */
  allowEval?: boolean;
  /** Which tasks run: 'any' (default), or 'environment': only calls of functions the environment module exports. */
  tasks?: 'any' | 'environment';
  /** Seconds the answer to a message nobody can wait for (it had no valid id) is kept (default 300). */
  invalidResponseTtl?: number;
}

export interface ResolvedWorkerConfig {
  queue: string[];
  pollTimeout: number;
  timeoutIdle: number;
  envir: string | null;
  logMax: number;
  heartbeatPeriod: number;
  allowEval: boolean;
  tasks: 'any' | 'environment';
  invalidResponseTtl: number;
}

export const DEFAULT_WORKER_CONFIG: ResolvedWorkerConfig = {
  queue: ['default'],
  pollTimeout: 60,
  timeoutIdle: Infinity,
  envir: null,
  logMax: 10_000,
  heartbeatPeriod: 5,
  allowEval: true,
  tasks: 'any',
  invalidResponseTtl: 300,
};

export function resolveWorkerConfig(config: WorkerConfig = {}): ResolvedWorkerConfig {
  const queue = normaliseQueues(config.queue);
  const pollTimeout = config.pollTimeout ?? DEFAULT_WORKER_CONFIG.pollTimeout;
  if (!(pollTimeout > 0)) throw new Error(`pollTimeout must be a positive number of seconds, not ${pollTimeout}`);
  const timeoutIdle = config.timeoutIdle ?? DEFAULT_WORKER_CONFIG.timeoutIdle;
  if (!(timeoutIdle >= 0)) throw new Error(`timeoutIdle must be a non-negative number of seconds or Infinity, not ${timeoutIdle}`);
  const logMax = config.logMax ?? DEFAULT_WORKER_CONFIG.logMax;
  if (!(Number.isInteger(logMax) && logMax > 0)) throw new Error(`logMax must be a positive integer, not ${logMax}`);
  const heartbeatPeriod = config.heartbeatPeriod ?? DEFAULT_WORKER_CONFIG.heartbeatPeriod;
  if (!(heartbeatPeriod >= 0.1 && heartbeatPeriod <= 3600)) throw new Error(`heartbeatPeriod must be from 0.1 to 3600 seconds, not ${heartbeatPeriod}`);
  const allowEval = config.allowEval ?? DEFAULT_WORKER_CONFIG.allowEval;
  if (typeof allowEval !== 'boolean') throw new Error(`allowEval must be true or false, not ${String(allowEval)}`);
  const tasks = config.tasks ?? DEFAULT_WORKER_CONFIG.tasks;
  if (tasks !== 'any' && tasks !== 'environment') throw new Error(`tasks must be 'any' or 'environment', not ${JSON.stringify(tasks)}`);
  const invalidResponseTtl = config.invalidResponseTtl ?? DEFAULT_WORKER_CONFIG.invalidResponseTtl;
  if (!(invalidResponseTtl > 0)) throw new Error(`invalidResponseTtl must be a positive number of seconds, not ${invalidResponseTtl}`);
  return {
    queue, pollTimeout, timeoutIdle, envir: config.envir ?? null, logMax, heartbeatPeriod, allowEval, tasks, invalidResponseTtl,
  };
}

/** rrq's rule: queues in the given order, duplicates dropped, `default` last. */
export function normaliseQueues(queue: readonly string[] | undefined): string[] {
  const names = (queue ?? []).filter((q) => q !== 'default');
  for (const q of names) {
    if (typeof q !== 'string' || q.length === 0 || /[\s{}]/.test(q)) {
      throw new Error(`Invalid queue name ${JSON.stringify(q)}`);
    }
  }
  return [...new Set(names), 'default'];
}

/** Worker config as stored in Redis: JSON, with Infinity written as null. */
export function serialiseWorkerConfig(config: ResolvedWorkerConfig): string {
  return JSON.stringify({ ...config, timeoutIdle: Number.isFinite(config.timeoutIdle) ? config.timeoutIdle : null });
}

export function parseWorkerConfig(text: string): ResolvedWorkerConfig {
  const raw = JSON.parse(text) as WorkerConfig & { timeoutIdle?: number | null };
  return resolveWorkerConfig({ ...raw, timeoutIdle: raw.timeoutIdle ?? Infinity });
}
