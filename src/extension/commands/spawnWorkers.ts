// rrq.spawnWorkers: start workers as child processes of VS Code. Automation passes the count.
import * as vscode from 'vscode';
import { errorMessage } from '../log';
import { MAX_SPAWN, parseWorkerCount, validateWorkerCount } from '../prompts';
import { readSettings } from '../settings';
import type { CommandContext } from './context';
import { UserCancelled } from './support';

async function askCount(): Promise<number> {
  const text = await vscode.window.showInputBox({
    title: 'rrq: Spawn Workers',
    prompt: `How many workers to start (1 to ${MAX_SPAWN}); they run as child processes of VS Code.`,
    value: String(readSettings().workerCount),
    ignoreFocusOut: true,
    validateInput: validateWorkerCount,
  });
  if (text === undefined) throw new UserCancelled();
  return parseWorkerCount(text);
}

export async function spawnWorkers(ctx: CommandContext, count?: unknown): Promise<string[]> {
  const n = count === undefined || count === null || typeof count === 'object' ? await askCount() : parseWorkerCount(count);
  const handle = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Spawning ${n} worker${n === 1 ? '' : 's'}…` },
    async () => {
      try {
        return await ctx.session.spawnWorkers(n);
      } catch (err) {
        throw new Error(`Could not spawn workers: ${errorMessage(err)}`, { cause: err });
      }
    },
  );
  await ctx.session.monitor?.refresh().catch(ctx.log.swallow('refreshing the workers after a spawn'));
  void vscode.window.setStatusBarMessage(`rrq: ${n} worker${n === 1 ? '' : 's'} started`, 5000);
  return handle.ids;
}
