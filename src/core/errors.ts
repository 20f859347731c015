// Errors that callers branch on. Each is a class with a stable `code`: messages are for people
// and may be reworded, codes are not. Code that cannot use `instanceof` (the extension loads
// the core lazily, a script sees an error across a process boundary) reads the code with
// `errorCode`. Names are set as fields because the bundles are minified (class names are not kept).

export const ERROR_CODES = [
  /** A message was addressed to a worker that is not active (nothing was sent). */
  'WORKER_INACTIVE',
  /** There is no active worker to send to. */
  'NO_ACTIVE_WORKERS',
  /** A worker did not answer a message in time. */
  'RESPONSE_MISSING',
  /** Something did not happen within its time limit. */
  'TIMEOUT',
  /** Redis refused the credentials (NOAUTH, WRONGPASS). */
  'REDIS_AUTH',
  /** Redis could not be reached. */
  'REDIS_UNREACHABLE',
  /** A task id that does not exist. */
  'TASK_MISSING',
  /** A task cannot depend on a task that has failed. */
  'DEPENDENCY_FAILED',
  /** A task is in a state that does not allow what was asked (retry, delete ...). */
  'TASK_STATE',
  /** A failed task's error, returned or thrown by taskResult. */
  'TASK_FAILED',
] as const;

export type RrqErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export class RrqError extends Error {
  override name = 'RrqError';

  constructor(readonly code: RrqErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The rrq error code of an error, or undefined for any other value. */
export function errorCode(err: unknown): RrqErrorCode | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && KNOWN_CODES.has(code) ? (code as RrqErrorCode) : undefined;
}

export function quoteList(ids: readonly string[]): string {
  return ids.map((id) => `'${id}'`).join(', ');
}

export class WorkerInactiveError extends RrqError {
  override name = 'WorkerInactiveError';

  constructor(readonly workerIds: readonly string[]) {
    super('WORKER_INACTIVE', `Message not sent: worker(s) not active: ${quoteList(workerIds)}`);
  }
}

export class NoActiveWorkersError extends RrqError {
  override name = 'NoActiveWorkersError';

  constructor(message: string) {
    super('NO_ACTIVE_WORKERS', message);
  }
}

export class ResponseMissingError extends RrqError {
  override name = 'ResponseMissingError';

  constructor(readonly messageId: string, readonly workerIds: readonly string[], detail = '') {
    const what = workerIds.length === 1 ? 'worker' : 'workers';
    super('RESPONSE_MISSING', `Response missing for ${what}: ${quoteList(workerIds)}${detail}`);
  }
}

export class TimeoutError extends RrqError {
  override name = 'TimeoutError';

  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/** Whether Redis's reply text refuses the credentials. Replies are text, so this is the one place that reads them. */
export function isAuthError(message: string): boolean {
  return /NOAUTH|WRONGPASS|invalid password|invalid username|Authentication required|AUTH failed/i.test(message);
}

export class RedisAuthError extends RrqError {
  override name = 'RedisAuthError';

  constructor(message: string, options?: ErrorOptions) {
    super('REDIS_AUTH', message, options);
  }
}

export class RedisUnreachableError extends RrqError {
  override name = 'RedisUnreachableError';

  constructor(message: string, options?: ErrorOptions) {
    super('REDIS_UNREACHABLE', message, options);
  }
}

export class TaskMissingError extends RrqError {
  override name = 'TaskMissingError';

  constructor(readonly taskIds: readonly string[], what = 'Task(s) not found') {
    super('TASK_MISSING', `${what}: ${quoteList(taskIds)}`);
  }
}

export class DependencyFailedError extends RrqError {
  override name = 'DependencyFailedError';

  constructor(readonly failed: Readonly<Record<string, string>>) {
    super('DEPENDENCY_FAILED', `Task(s) not created: they would depend on failed task(s): ${
      Object.entries(failed).map(([id, status]) => `'${id}' (${status})`).join(', ')}`);
  }
}

export class TaskStateError extends RrqError {
  override name = 'TaskStateError';

  constructor(message: string, readonly taskIds: readonly string[]) {
    super('TASK_STATE', message);
  }
}

/**
 * What a failed task gives instead of a result (rrq's task error): the task's own error
 * (its class name in `errorName`, its message and stack), where it failed, and how.
 */
export class TaskError extends RrqError {
  override name = 'TaskError';

  constructor(
    readonly taskId: string,
    /** ERROR, CANCELLED, DIED, TIMEOUT or IMPOSSIBLE. */
    readonly taskStatus: string,
    readonly worker: string | null,
    /** The class name of the task's error ('TypeError' ...), or the status when there is none. */
    readonly errorName: string,
    message: string,
    stack?: string,
    cause?: unknown,
  ) {
    super('TASK_FAILED', message, cause === undefined ? undefined : { cause });
    if (stack !== undefined) this.stack = stack;
  }
}
