// rrq.showWorkerLog: a worker's log channel (history, then live), for the tree items it was
// invoked on, or for a worker picked from the palette, where the stdout/stderr files of
// workers spawned by this window are offered too.
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { targetsOf, UserCancelled } from './support';

interface LogPick extends vscode.QuickPickItem {
  workerId?: string;
  file?: string;
}

async function pickLog(ctx: CommandContext): Promise<LogPick> {
  const { session } = ctx;
  // The pick lists the workers known so far even when not connected (the error shows in the view).
  await session.connected().catch(ctx.log.swallow('connecting to list worker logs'));
  const workers = session.workers;
  if (workers.length === 0) throw new Error('No workers on this queue: nothing to show. Start some with "rrq: Spawn Workers".');
  const files = workers.map((w) => ({ w, file: session.logFileOf(w.id) })).filter((x) => x.file !== null);
  const items: LogPick[] = [
    { label: 'Log (output channel)', kind: vscode.QuickPickItemKind.Separator },
    ...workers.map((w) => ({ label: `$(output) ${w.id}`, description: w.status, workerId: w.id })),
  ];
  if (files.length > 0) {
    items.push({ label: 'stdout/stderr file (workers spawned by this window)', kind: vscode.QuickPickItemKind.Separator });
    items.push(...files.map(({ w, file }) => ({ label: `$(go-to-file) ${w.id}`, description: 'open log file', detail: file!, file: file! })));
  }
  const pick = await vscode.window.showQuickPick(items, { title: 'rrq: Show Worker Log', placeHolder: 'Worker whose log to show', matchOnDetail: true });
  if (!pick) throw new UserCancelled();
  return pick;
}

export async function showWorkerLog(ctx: CommandContext, first?: unknown, second?: unknown): Promise<void> {
  const targets = targetsOf(first, second);
  if (targets === 'all') throw new Error('Show Worker Log needs one worker.');
  if (targets === undefined || targets.length === 0) {
    const pick = await pickLog(ctx);
    if (pick.file) await vscode.window.showTextDocument(vscode.Uri.file(pick.file), { preview: true });
    else await ctx.logChannels.show(pick.workerId!);
    return;
  }
  // Several selected: open each channel; the clicked one ends up shown.
  for (const id of [...targets].reverse()) await ctx.logChannels.show(id, true);
}
