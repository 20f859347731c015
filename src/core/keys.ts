// The one place that names Redis keys. Every key of a queue id starts with the same Redis
// Cluster hash tag, `{<queueId>}`, so all keys of one queue live in one slot and multi-key
// commands, transactions and Lua scripts keep working on Redis Cluster. The Lua scripts get
// the same names: `luaKeyFunctions()` writes them as Lua functions of the prefix.

/** Every key of a queue id, after its prefix `{<queueId>}`; `$` stands for the id a key is about. */
export const KEY_TEMPLATES = {
  /** Pub/sub channel: events (wake-ups, never the truth). */
  events: ':events',
  /** String: the last message id handed out (expires quickly; keeps ids unique). */
  messageLastId: ':message:last_id',
  /** String: what one messageSend call did (expires quickly; a call sent again after a reconnect finds it). */
  messageSent: ':message:sent:$',
  /** Set of active worker ids. */
  workerIds: ':worker:id',
  /** Hash worker id -> status. */
  workerStatus: ':worker:status',
  /** Hash worker id -> id of the task it is running. */
  workerTask: ':worker:task',
  /** Hash worker id -> info record (JSON). */
  workerInfo: ':worker:info',
  /** Hash worker id -> the names of the queues it serves, in order, joined by newlines. */
  workerQueues: ':worker:queues',
  /** Hash config name -> worker config (JSON). */
  workerConfig: ':worker:config',
  /** List: a worker's inbox: messages, and tasks handed to it while it was idle. */
  workerMessage: ':worker:$:message',
  /** Hash message id -> response record of a worker. */
  workerResponse: ':worker:$:response',
  /** List of log entries of a worker. */
  workerLog: ':worker:$:log',
  /** List: what a worker took from its inbox and has not finished (at most one element). */
  workerInHand: ':worker:$:inhand',
  /** List: requests to a worker about its running task (cancel). */
  workerControl: ':worker:$:control',
  /** List: ids of the tasks a worker took from its queues and has not finished, in the order it runs them. */
  workerClaimed: ':worker:$:claimed',
  /** String with a time to live: a worker is alive while it exists (its heartbeat renews it). */
  workerHeartbeat: ':worker:$:heartbeat',
  /** List: requests to kill a worker, taken by its heartbeat (on any host, whatever the worker is doing). */
  workerKill: ':worker:$:kill',
  /** Sorted set message id -> when to delete the response (answers to messages nobody can wait for). */
  workerExpiring: ':worker:$:expiring',
  /** Hash worker id -> what it is doing when it is not a task (a long message: `EVAL <message id>`). */
  workerActivity: ':worker:activity',
  /** String with a time to live: whoever holds it looks for lost workers now (one at a time). */
  detectLock: ':worker:detect',
  /** List of pending task ids of a named queue. */
  queue: ':queue:$',
  /** Set of the idle workers serving a queue (they are handed its new tasks directly). */
  queueIdle: ':idle:$',
  /** Set of the names of the queues that tasks have been put on. */
  queues: ':queues',
  /** Hash: one task (fields: docs/protocol.md). */
  task: ':task:$',
  /** List: what a task printed. */
  taskLog: ':task:$:log',
  /** Set: the tasks that depend on a task. */
  taskDependents: ':task:$:down',
  /** Hash task id -> status: the status of every task of the queue id. */
  taskStatus: ':tasks:status',
  /** Set of DEFERRED task ids (waiting for the tasks they depend on). */
  taskDeferred: ':tasks:deferred',
  /** Sorted set task id -> when to delete it (tasks created with removeAfter). */
  taskExpiry: ':tasks:expiry',
  /** String: the task environment module of the queue id. */
  envir: ':envir',
} as const;

type Templates = typeof KEY_TEMPLATES;
type KeyOf<T extends string> = T extends `${string}$${string}` ? (id: string) => string : string;

export type QueueKeys = { readonly [K in keyof Templates]: KeyOf<Templates[K]> } & {
  readonly queueId: string;
  /** Prefix shared by every key: `{<queueId>}`. */
  readonly prefix: string;
  /** Every key of a worker's own (for deleting them together). */
  workerKeys(workerId: string): string[];
  /** Every key of a task's own (for deleting them together). */
  taskKeys(taskId: string): string[];
};

/**
 * Queue ids: letters, digits and `_ . : -`, at most 200 characters. No spaces, braces (the hash
 * tag) or glob characters (`* ? [ ] \`), so that no key pattern can reach another queue's keys.
 */
export const QUEUE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;

export function assertValidQueueId(queueId: string): void {
  if (typeof queueId !== 'string' || !QUEUE_ID_PATTERN.test(queueId)) {
    throw new Error(
      `Invalid queue id ${JSON.stringify(queueId)}: use 1 to 200 letters, digits and _ . : - (no spaces, braces or glob characters), e.g. 'rrq:b96fa67a'`,
    );
  }
}

/** Every key of a queue id matches this SCAN pattern, and no key of another queue does. */
export function queueKeyPattern(keys: QueueKeys): string {
  return `${keys.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}

const ownKeys = (pattern: RegExp) => (Object.keys(KEY_TEMPLATES) as (keyof Templates)[]).filter((k) => pattern.test(KEY_TEMPLATES[k]));
const WORKER_OWN = ownKeys(/^:worker:\$:/);
const TASK_OWN = ownKeys(/^:task:\$/);

export function queueKeys(queueId: string): QueueKeys {
  assertValidQueueId(queueId);
  const prefix = `{${queueId}}`;
  const keys: Record<string, unknown> = { queueId, prefix };
  for (const [name, template] of Object.entries(KEY_TEMPLATES)) {
    const [before, after] = template.split('$') as [string, string | undefined];
    keys[name] = after === undefined ? prefix + before : (id: string) => `${prefix}${before}${id}${after}`;
  }
  const built = keys as QueueKeys;
  const own = (names: (keyof Templates)[]) => (id: string) => names.map((n) => (built[n] as (x: string) => string)(id));
  return { ...built, workerKeys: own(WORKER_OWN), taskKeys: own(TASK_OWN) };
}

/**
 * The key names as Lua functions of the prefix (and of the id a key is about):
 * `key_task(P, id)` is `P .. ':task:' .. id`. Scripts include them (`-- @include keys`).
 */
export function luaKeyFunctions(): string {
  const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return Object.entries(KEY_TEMPLATES).map(([name, template]) => {
    const [before, after] = template.split('$') as [string, string | undefined];
    return after === undefined
      ? `local function key_${name}(p) return p .. ${quote(before)} end`
      : `local function key_${name}(p, x) return p .. ${quote(before)} .. x .. ${quote(after)} end`;
  }).join('\n');
}
