// Task records. One hash per task (`{q}:task:<id>`), so a task can later be deleted or
// expired as one key, and new fields (dependencies, retries, progress, timeouts) are added
// without touching old ones.
import type { TaskStatus } from './protocol';

export type TaskKind = 'expr' | 'call';

export interface TaskRecord {
  kind: TaskKind;
  /** JavaScript source: an expression/statements (expr), or a function (call). */
  source: string;
  /** Encoded array of arguments for a call task. */
  args?: string;
  queue: string;
  status: TaskStatus;
  timeSubmit: number;
  worker?: string;
  timeStart?: number;
  timeComplete?: number;
  /** Encoded result value (an Error value for ERROR). */
  result?: string;
}

export interface TaskCreateOptions {
  /** Named queue to put the task on (default `default`). */
  queue?: string;
}

export function taskRecordFields(record: TaskRecord): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v !== undefined) fields[k] = String(v);
  }
  return fields;
}

export function parseTaskRecord(fields: Record<string, string>): TaskRecord | null {
  if (!fields.status) return null;
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const record: TaskRecord = {
    kind: fields.kind as TaskKind,
    source: fields.source ?? '',
    queue: fields.queue ?? 'default',
    status: fields.status as TaskStatus,
    timeSubmit: Number(fields.timeSubmit),
  };
  if (fields.args !== undefined) record.args = fields.args;
  if (fields.worker !== undefined) record.worker = fields.worker;
  const start = num(fields.timeStart);
  if (start !== undefined) record.timeStart = start;
  const complete = num(fields.timeComplete);
  if (complete !== undefined) record.timeComplete = complete;
  if (fields.result !== undefined) record.result = fields.result;
  return record;
}

export function describeFunctionSource(fn: unknown): string {
  if (typeof fn === 'string') return fn;
  if (typeof fn !== 'function') throw new TypeError('taskCreateBulkCall: fn must be a function or its source text');
  const source = Function.prototype.toString.call(fn);
  if (/\[native code\]\s*\}$/.test(source)) {
    throw new TypeError(`taskCreateBulkCall: native function '${fn.name}' has no source to send; wrap it: (x) => ${fn.name}(x)`);
  }
  // Method shorthand (`{ f(x) {...} }`) is not a standalone expression; make it one.
  if (!parsesAsExpression(source)) {
    const fixed = source.replace(/^(async\s+)?/, (m) => `${m}function `);
    if (parsesAsExpression(fixed)) return fixed;
  }
  return source;
}

function parsesAsExpression(source: string): boolean {
  try {
    // Compiles without running: the body only returns the function value.
    new Function(`return (${source}\n);`);
    return true;
  } catch {
    return false;
  }
}
