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
  /** Prefix of a worker's own keys (for listing/deleting them together). */
  workerKeys(workerId: string): string[];
  /** List of pending task ids of a named queue. */
  queue(name: string): string;
  /** Hash: one record per task (fields: see docs/protocol.md). */
  task(taskId: string): string;
}

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
    workerMessage: (id) => `${worker}:${id}:message`,
    workerResponse: (id) => `${worker}:${id}:response`,
    workerLog: (id) => `${worker}:${id}:log`,
    workerKeys: (id) => [`${worker}:${id}:message`, `${worker}:${id}:response`, `${worker}:${id}:log`],
    queue: (name) => `${prefix}:queue:${name}`,
    task: (taskId) => `${prefix}:task:${taskId}`,
  };
}

/** The key prefix a Lua script needs to derive a worker's message key from its id. */
export function workerKeyPrefix(keys: QueueKeys): string {
  return `${keys.prefix}:worker:`;
}
