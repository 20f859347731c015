// Creating tasks (rrq's task_create_expr, _call, _bulk_expr, _bulk_call): checked here (the
// expression parses, the function has source, the arguments encode), then written by one
// script per batch of up to 5,000 tasks, all batches pipelined: linear in the number of tasks.
import type { ControllerContext } from './context';
import { encodeValue } from './encoding';
import { newTaskId } from './ids';
import { checkExpression, describeFunction, taskOptionFields, type TaskCreateOptions } from './tasks';

export interface TaskCreateBulkCallOptions extends TaskCreateOptions {
  /** Extra arguments passed after each element: fn(element, ...args). */
  args?: readonly unknown[];
}

const BATCH = 5_000;

function queueName(options: TaskCreateOptions, caller: string): string {
  const queue = options.queue ?? 'default';
  if (typeof queue !== 'string' || !/^[^\s{}]+$/.test(queue)) throw new Error(`${caller}: invalid queue name ${JSON.stringify(queue)}`);
  return queue;
}

function dependsOnIds(options: TaskCreateOptions, caller: string): string[] {
  const ids = options.dependsOn === undefined ? [] : typeof options.dependsOn === 'string' ? [options.dependsOn] : [...options.dependsOn];
  for (const id of ids) {
    if (typeof id !== 'string' || !/^[\w.-]+$/.test(id)) throw new Error(`${caller}: dependsOn must hold task ids, not ${JSON.stringify(id)}`);
  }
  return ids;
}

function encodeArgs(value: unknown, caller: string, index: number): string {
  try {
    return encodeValue(value);
  } catch (err) {
    throw new Error(`${caller}: the arguments of task ${index + 1} cannot be sent: ${(err as Error).message}`, { cause: err });
  }
}

/** Write tasks sharing `shared` fields, one per element of `perTaskArgs` (undefined: no arguments). */
async function createTasks(
  ctx: ControllerContext, caller: string, shared: Record<string, string>, perTaskArgs: readonly unknown[] | null, count: number,
  options: TaskCreateOptions,
): Promise<string[]> {
  const queue = queueName(options, caller);
  const dependsOn = dependsOnIds(options, caller);
  const fields = { ...shared, ...taskOptionFields(options, caller) };
  const tasks: [string, string][] = [];
  for (let i = 0; i < count; i++) tasks.push([newTaskId(), perTaskArgs ? encodeArgs(perTaskArgs[i], caller, i) : '']);
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < tasks.length; i += BATCH) {
    batches.push(ctx.scripts.taskCreate({ queue, shared: fields, dependsOn, tasks: tasks.slice(i, i + BATCH) }));
  }
  await Promise.all(batches);
  return tasks.map(([id]) => id);
}

export async function taskCreateExpr(ctx: ControllerContext, expr: string, options: TaskCreateOptions = {}): Promise<string> {
  const source = checkExpression(expr, 'taskCreateExpr');
  const [id] = await createTasks(ctx, 'taskCreateExpr', { kind: 'expr', source }, null, 1, options);
  return id!;
}

/** Run `fn(...args)` on a worker. `fn`: a function (its source travels, not its closure) or an environment export's name. */
export async function taskCreateCall(
  ctx: ControllerContext, fn: ((...args: never[]) => unknown) | string, args: readonly unknown[] = [], options: TaskCreateOptions = {},
): Promise<string> {
  if (!Array.isArray(args)) throw new TypeError('taskCreateCall: args must be an array of arguments');
  const [id] = await createTasks(ctx, 'taskCreateCall', { kind: 'call', ...describeFunction(fn, 'taskCreateCall') }, [args], 1, options);
  return id!;
}

/** One task per element of `data`: the expression with the element's fields as variables. */
export async function taskCreateBulkExpr(
  ctx: ControllerContext, expr: string, data: readonly Record<string, unknown>[], options: TaskCreateOptions = {},
): Promise<string[]> {
  const source = checkExpression(expr, 'taskCreateBulkExpr');
  if (!Array.isArray(data)) throw new TypeError('taskCreateBulkExpr: data must be an array of objects (one task per object)');
  data.forEach((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new TypeError(`taskCreateBulkExpr: element ${i + 1} of data is not an object of variables`);
    }
  });
  if (data.length === 0) return [];
  return createTasks(ctx, 'taskCreateBulkExpr', { kind: 'expr', source }, data, data.length, options);
}

/** One task per element of `data`: fn(element, ...options.args). */
export async function taskCreateBulkCall(
  ctx: ControllerContext, fn: ((...args: never[]) => unknown) | string, data: readonly unknown[], options: TaskCreateBulkCallOptions = {},
): Promise<string[]> {
  if (!Array.isArray(data)) throw new TypeError('taskCreateBulkCall: data must be an array (one task per element)');
  const what = describeFunction(fn, 'taskCreateBulkCall');
  if (data.length === 0) return [];
  const extra = options.args ?? [];
  const { args: _args, ...createOptions } = options;
  return createTasks(ctx, 'taskCreateBulkCall', { kind: 'call', ...what }, data.map((element) => [element, ...extra]), data.length, createOptions);
}
