// rrq.deleteExitedWorkers: remove every key of the workers that have exited or been lost.
import * as vscode from 'vscode';
import type { CommandContext } from './context';

export async function deleteExitedWorkers(ctx: CommandContext): Promise<string[]> {
  const ctl = await ctx.session.connected();
  const deleted = await ctl.workerDeleteExited();
  await ctx.session.monitor?.refresh().catch(ctx.log.swallow('refreshing the workers after deleting exited ones'));
  void vscode.window.setStatusBarMessage(
    deleted.length === 0 ? 'rrq: no exited workers to delete' : `rrq: deleted ${deleted.length} exited worker${deleted.length === 1 ? '' : 's'}`, 5000,
  );
  return deleted;
}
