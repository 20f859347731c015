// rrq.killWorkers: end workers at once, after a confirmation: a kill request through their
// heartbeat, which works on any host and while a worker is stuck (a long EVAL, say).
// Automation: { workerIds, confirm: false }.
import * as vscode from 'vscode';
import { isActiveWorkerStatus } from '../../core/protocol';
import type { CommandContext } from './context';
import { isAutomationTarget, targetsOrPick, UserCancelled } from './support';

async function confirmKill(ids: string[]): Promise<void> {
  const answer = await vscode.window.showWarningMessage(
    `Kill ${ids.length === 1 ? `worker ${ids[0]}` : `${ids.length} workers`}?`,
    { modal: true, detail: `Their processes end at once, on any host: a running task is lost and marked DIED.\n\n${ids.join('\n')}` },
    'Kill',
  );
  if (answer !== 'Kill') throw new UserCancelled();
}

export async function killWorkers(ctx: CommandContext, first?: unknown, second?: unknown): Promise<string[]> {
  const ctl = await ctx.session.connected();
  const targets = await targetsOrPick(ctx, first, second, 'rrq: Kill Workers', { allByDefault: false });
  // A kill names its victims: 'all' is the workers active now.
  const ids = targets === 'all' ? ctx.session.workers.filter((w) => isActiveWorkerStatus(w.status)).map((w) => w.id) : targets;
  if (!(isAutomationTarget(first) && first.confirm === false)) await confirmKill(ids);
  await ctl.workerStop(ids, { type: 'kill' });
  await ctx.session.monitor?.refresh().catch(ctx.log.swallow('refreshing the workers after a kill'));
  return ids;
}
