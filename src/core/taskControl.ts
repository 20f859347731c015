// Changing tasks (rrq's task_cancel, task_retry, task_delete, queue_remove): each one script,
// so a task is never caught half-way between two states.
import type { ControllerContext } from './context';
import { TaskMissingError } from './errors';
import { newTaskId } from './ids';
import { assertTaskIds, rawStatuses } from './taskQuery';

async function assertExist(ctx: ControllerContext, ids: readonly string[], caller: string): Promise<void> {
  assertTaskIds(ids, caller);
  const statuses = await rawStatuses(ctx, ids);
  const missing = ids.filter((_, i) => statuses[i] === 'MISSING');
  if (missing.length > 0) throw new TaskMissingError(missing, `${caller}: task(s) not found`);
}

/**
 * Cancel tasks: PENDING and DEFERRED ones never run, RUNNING ones are stopped by their worker
 * (which goes on). Tasks that depend on them become IMPOSSIBLE. Resolves, per task, whether it
 * was cancelled (false: it had already finished).
 */
export async function taskCancel(ctx: ControllerContext, ids: readonly string[]): Promise<boolean[]> {
  await assertExist(ctx, ids, 'taskCancel');
  return (await ctx.scripts.taskCancel(ids)).map((r) => r.cancelled);
}

/** Take PENDING tasks off a queue (they end CANCELLED); per task, whether it was there. */
export async function queueRemove(ctx: ControllerContext, ids: readonly string[], queue = 'default'): Promise<boolean[]> {
  assertTaskIds(ids, 'queueRemove');
  return (await ctx.scripts.taskCancel(ids, { onlyPending: true, queue })).map((r) => r.cancelled);
}

/** Retry finished tasks as new tasks (the old ones become MOVED); resolves with the new ids. */
export async function taskRetry(ctx: ControllerContext, ids: readonly string[]): Promise<string[]> {
  assertTaskIds(ids, 'taskRetry');
  const pairs = ids.map((id) => [id, newTaskId()] as const);
  await ctx.scripts.taskRetry(pairs);
  return pairs.map(([, id]) => id);
}

/**
 * Delete tasks and every key they own. Running tasks are refused (cancel them first); with
 * `check` (default) so are tasks that unfinished tasks depend on. Resolves with how many existed.
 */
export async function taskDelete(ctx: ControllerContext, ids: readonly string[], options: { check?: boolean } = {}): Promise<number> {
  assertTaskIds(ids, 'taskDelete');
  return ctx.scripts.taskDelete(ids, options.check !== false);
}
