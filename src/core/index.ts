// Public API of the core library (`require('rrq/core')`).
export { Controller, type ControllerOptions, type WorkerStopOptions } from './controller';
export {
  DependencyFailedError, ERROR_CODES, errorCode, isAuthError, NoActiveWorkersError, RedisAuthError, RedisUnreachableError,
  ResponseMissingError, RrqError, TaskError, TaskMissingError, TaskStateError, TimeoutError, WorkerInactiveError, type RrqErrorCode,
} from './errors';
export { encodeValue, decodeValue } from './encoding';
export { queueKeys, type QueueKeys } from './keys';
export { formatMessageId, newQueueId, workerIds, workerNamePrefix } from './ids';
export { formatLogLine } from './logs';
export { WorkerMonitor, type WorkerSnapshot } from './monitor';
export { MessageTracker, type TrackedMessage, type TrackedResponse } from './messageTracker';
export {
  ACTIVE_WORKER_STATUSES, isActiveWorkerStatus, isMessageCommand, MESSAGE_COMMANDS, TASK_STATUSES, WORKER_STATUSES, normaliseQueues, resolveWorkerConfig,
  type EventRecord, type LogEntry, type MessageCommand, type ResolvedWorkerConfig, type TaskStatus,
  type TimeoutInfo, type WorkerConfig, type WorkerInfo, type WorkerStatus,
} from './protocol';
export { parseRedisUrl, redactUrl, resolveRedisTarget, type RedisTarget } from './redisConnection';
export { findOnPath, stateDir, INSTALL_REDIS_HINT } from './embeddedRedis';
export type { WorkerSpawnHandle, WorkerSpawnOptions } from './spawn';
export type { TaskCreateOptions } from './tasks';
export type { TaskCreateBulkCallOptions } from './taskCreate';
export type { FollowOption, TaskInfo, TaskTimes } from './taskQuery';
export type { TaskResultOptions, TaskWaitOptions } from './taskWait';
export { VERSION } from './version';
