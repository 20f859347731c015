// Task records: one hash per task (`{q}:task:<id>`, fields in docs/protocol.md) and its entry in
// the status index. What a task runs is one of: an expression (statements; the completion
// value of the last one is the result), a function's source called with arguments, or the
// name of an export of the worker's environment module called with arguments.
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import type { TaskStatus } from './protocol';

export type TaskKind = 'expr' | 'call';

/** What a worker gets to run a task (the run fields of its hash). */
export interface TaskRunFields {
  kind: TaskKind;
  /** Expression or statements (expr), or a function's source (call with a function value). */
  source?: string;
  /** Name of an export of the environment module (call by name). */
  fn?: string;
  /** Encoded: the argument array (call), or the variables of the expression (bulk expr). */
  args?: string;
  /** Seconds the task may run. */
  timeout?: number;
  /** Runs in a process of its own. */
  separate?: boolean;
  queue: string;
}

export interface TaskCreateOptions {
  /** Named queue (default `default`). */
  queue?: string;
  /** Seconds the task may run before it is stopped and ends TIMEOUT (default: no limit). */
  timeout?: number;
  /** Tasks that must COMPLETE first; it is DEFERRED until they do, IMPOSSIBLE if one fails. */
  dependsOn?: string | readonly string[];
  /** Run in a separate process (isolated; its output captured like any task's). */
  separateProcess?: boolean;
  /** Times to retry the task, as a new task, when its worker dies while running it (default 0). */
  retry?: number;
  /** Seconds after it finishes when the task and everything it keeps is deleted. */
  removeAfter?: number;
  /** Delete the task once its result has been read (taskResult, taskResults, taskWait with results). */
  removeOnRead?: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** Whether text names an export of the environment module (`fit`, `models.fit`) rather than being source. */
export function isExportName(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** The shared fields of tasks created with these options. Throws a clear error for bad options. */
export function taskOptionFields(options: TaskCreateOptions, caller: string): Record<string, string> {
  const fields: Record<string, string> = {};
  if (options.timeout !== undefined) {
    if (typeof options.timeout !== 'number' || !(options.timeout > 0)) throw new Error(`${caller}: timeout must be a positive number of seconds, not ${String(options.timeout)}`);
    if (Number.isFinite(options.timeout)) fields.timeout = String(options.timeout);
  }
  if (options.separateProcess) fields.separate = '1';
  if (options.retry !== undefined && options.retry !== 0) {
    if (!Number.isInteger(options.retry) || options.retry < 0) throw new Error(`${caller}: retry must be a whole number of times, not ${String(options.retry)}`);
    fields.retry = String(options.retry);
  }
  if (options.removeAfter !== undefined) {
    if (typeof options.removeAfter !== 'number' || !(options.removeAfter >= 0)) throw new Error(`${caller}: removeAfter must be a non-negative number of seconds, not ${String(options.removeAfter)}`);
    fields.removeAfter = String(options.removeAfter);
  }
  if (options.removeOnRead) fields.removeOnRead = '1';
  return fields;
}

/** Check that an expression parses (as a worker will run it), without running it. */
export function checkExpression(expr: unknown, caller: string): string {
  if (typeof expr !== 'string' || expr.trim() === '') throw new TypeError(`${caller}: expr must be JavaScript source text`);
  try {
    new Script(expr, { filename: 'task.js' });
  } catch (err) {
    throw new SyntaxError(`${caller}: the expression does not parse: ${(err as Error).message}`, { cause: err });
  }
  return expr;
}

/**
 * What a call task runs: `{ source }` for a function value (sent as its source text: variables
 * it closes over do not travel; pass them as arguments) or for function source text, `{ fn }` for
 * the name of an export of the worker's environment module.
 */
export function describeFunction(fn: unknown, caller: string): { source: string } | { fn: string } {
  if (typeof fn === 'string') {
    if (isExportName(fn.trim())) return { fn: fn.trim() };
    return { source: functionSource(fn, caller) };
  }
  if (typeof fn !== 'function') throw new TypeError(`${caller}: fn must be a function, its source text, or the name of an export of the environment module`);
  const source = Function.prototype.toString.call(fn);
  if (/\[native code\]\s*\}$/.test(source)) {
    throw new TypeError(`${caller}: native function '${fn.name || '(anonymous)'}' has no source to send (a built-in or bound function); wrap it: (x) => ${fn.name || 'f'}(x)`);
  }
  return { source: functionSource(source, caller) };
}

function functionSource(source: string, caller: string): string {
  if (parsesAsExpression(source)) return source;
  // Method shorthand (`{ f(x) {...} }`) is not a standalone expression; make it one.
  const fixed = source.replace(/^(async\s+)?(\*\s*)?/, (_m, a = '', star = '') => `${a}function${star ? '*' : ''} `);
  if (parsesAsExpression(fixed)) return fixed;
  throw new SyntaxError(`${caller}: the function's source does not parse as a function: ${source.slice(0, 120)}`);
}

function parsesAsExpression(source: string): boolean {
  try {
    // Compiles without running: the body only returns the function value.
    new Script(`(${source}\n);`);
    return true;
  } catch {
    return false;
  }
}

/** A short, stable name for a piece of source (for caches). */
export function sourceDigest(source: string): string {
  return createHash('sha1').update(source).digest('hex').slice(0, 16);
}

/** Statuses of tasks that failed (a task depending on one becomes IMPOSSIBLE). */
export const TASK_FAILED_STATUSES: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['ERROR', 'CANCELLED', 'DIED', 'TIMEOUT', 'IMPOSSIBLE']);

/** Statuses a task can be retried from. */
export const TASK_RETRIABLE_STATUSES: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['COMPLETE', 'ERROR', 'CANCELLED', 'DIED', 'TIMEOUT']);

/** A task's hash as stored. */
export interface TaskRecord extends TaskRunFields {
  id: string;
  status: TaskStatus;
  timeSubmit?: number;
  timeStart?: number;
  timeComplete?: number;
  timeMoved?: number;
  worker?: string;
  /** Encoded result (the Error for a failed task). */
  result?: string;
  /** Encoded last progress value. */
  progress?: string;
  dependsOn?: string[];
  waiting?: number;
  movedTo?: string;
  movedFrom?: string;
  retry?: number;
  removeAfter?: number;
  removeOnRead?: boolean;
  /** When its worker was found dead (a task that was then retried). */
  died?: number;
}

export function parseTaskRecord(id: string, status: TaskStatus, fields: Record<string, string>): TaskRecord {
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const record: TaskRecord = { id, status, kind: (fields.kind as TaskKind) ?? 'expr', queue: fields.queue ?? 'default' };
  const set = <K extends keyof TaskRecord>(key: K, value: TaskRecord[K] | undefined) => {
    if (value !== undefined) record[key] = value;
  };
  set('source', fields.source);
  set('fn', fields.fn);
  set('args', fields.args);
  set('timeout', num(fields.timeout));
  if (fields.separate === '1') record.separate = true;
  set('timeSubmit', num(fields.timeSubmit));
  set('timeStart', num(fields.timeStart));
  set('timeComplete', num(fields.timeComplete));
  set('timeMoved', num(fields.timeMoved));
  set('worker', fields.worker);
  set('result', fields.result);
  set('progress', fields.progress);
  if (fields.dependsOn !== undefined) record.dependsOn = JSON.parse(fields.dependsOn) as string[];
  set('waiting', num(fields.waiting));
  set('movedTo', fields.movedTo);
  set('movedFrom', fields.movedFrom);
  set('retry', num(fields.retry));
  set('removeAfter', num(fields.removeAfter));
  if (fields.removeOnRead === '1') record.removeOnRead = true;
  set('died', num(fields.died));
  return record;
}

/** The run fields of a task as the worker receives them (from the script's reply or a hand-over record). */
export function parseRunFields(fields: Record<string, string | undefined>): TaskRunFields {
  const run: TaskRunFields = { kind: fields.kind === 'call' ? 'call' : 'expr', queue: fields.queue ?? 'default' };
  if (fields.source !== undefined) run.source = fields.source;
  if (fields.fn !== undefined) run.fn = fields.fn;
  if (fields.args !== undefined) run.args = fields.args;
  if (fields.timeout !== undefined) run.timeout = Number(fields.timeout);
  if (fields.separate === '1') run.separate = true;
  return run;
}
