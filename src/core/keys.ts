// The one place that names Redis keys. Every key of a queue id starts with the same
// Redis Cluster hash tag, `{<queueId>}`, so all keys of one queue live in one slot and
// multi-key commands, MULTI and Lua scripts keep working on Redis Cluster.

export interface QueueKeys {
  readonly queueId: string;
  /** Prefix shared by every key: `{<queueId>}`. */
  readonly prefix: string;
  /** Pub/sub channel on which workers and controllers publish events (wake-ups, not state). */
  readonly events: string;
  /** String: the last message id handed out (expires quickly; keeps ids unique). */
  readonly messageLastId: string;
  /** Set of active worker ids. */
  readonly workerIds: string;
  /** Hash worker id -> status. */
  readonly workerStatus: string;
  /** Hash worker id -> id of the task it is running. */
  readonly workerTask: string;
  /** Hash worker id -> info record (JSON). */
  readonly workerInfo: string;
  /** Hash config name -> worker config (JSON). */
  readonly workerConfig: string;
  /** List of pending messages of a worker (controller RPUSHes, worker BLPOPs). */
  workerMessage(workerId: string): string;
  /** Hash message id -> response record of a worker. */
  workerResponse(workerId: string): string;
  /** List of log entries of a worker. */
  workerLog(workerId: string): string;
  /** Every key of a worker's own (for deleting them together). */
  workerKeys(workerId: string): string[];
  /** What precedes a worker id in its own keys (for Lua scripts that derive them). */
  readonly workerKeyPrefix: string;
  /** List of pending task ids of a named queue. */
  queue(name: string): string;
  /** Hash: one record per task (fields: see docs/protocol.md). */
  task(taskId: string): string;
}

/**
 * Suffixes of a worker's own keys, `<prefix>:worker:<id><suffix>`. Lua scripts that reach a
 * worker's keys from its id get the prefix (`workerKeyPrefix`) and these suffixes as arguments,
 * so this module stays the only one that spells a key.
 */
export const WORKER_KEY_SUFFIX = { message: ':message', response: ':response', log: ':log' } as const;

const QUEUE_ID_PATTERN = /^[^{}\s]+$/;

export function assertValidQueueId(queueId: string): void {
  if (typeof queueId !== 'string' || !QUEUE_ID_PATTERN.test(queueId)) {
    throw new Error(
      `Invalid queue id ${JSON.stringify(queueId)}: use a non-empty name without spaces or braces, e.g. 'rrq:b96fa67a'`,
    );
  }
}

export function queueKeys(queueId: string): QueueKeys {
  assertValidQueueId(queueId);
  const prefix = `{${queueId}}`;
  const worker = `${prefix}:worker`;
  return {
    queueId,
    prefix,
    events: `${prefix}:events`,
    messageLastId: `${prefix}:message:last_id`,
    workerIds: `${worker}:id`,
    workerStatus: `${worker}:status`,
    workerTask: `${worker}:task`,
    workerInfo: `${worker}:info`,
    workerConfig: `${worker}:config`,
    workerKeyPrefix: `${worker}:`,
    workerMessage: (id) => `${worker}:${id}${WORKER_KEY_SUFFIX.message}`,
    workerResponse: (id) => `${worker}:${id}${WORKER_KEY_SUFFIX.response}`,
    workerLog: (id) => `${worker}:${id}${WORKER_KEY_SUFFIX.log}`,
    workerKeys: (id) => Object.values(WORKER_KEY_SUFFIX).map((suffix) => `${worker}:${id}${suffix}`),
    queue: (name) => `${prefix}:queue:${name}`,
    task: (taskId) => `${prefix}:task:${taskId}`,
  };
}
