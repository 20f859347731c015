// rrq.refreshWorkers: read every worker again now (the view is otherwise updated by events).
import type { CommandContext } from './context';

export async function refreshWorkers(ctx: CommandContext): Promise<number> {
  await ctx.session.connected();
  await ctx.session.monitor?.refresh();
  return ctx.session.workers.length;
}
