// rrq.statusBarActions: what clicking the status bar item offers.
import * as vscode from 'vscode';
import type { CommandContext } from './context';

export async function statusBarActions(ctx: CommandContext): Promise<void> {
  const picks = [
    { label: '$(plug) Reconnect', run: () => vscode.commands.executeCommand('rrq.connect') },
    { label: '$(gear) Open Settings', run: () => vscode.commands.executeCommand('rrq.openSettings') },
    { label: '$(list-tree) Show Workers', run: () => vscode.commands.executeCommand('rrq.workers.focus') },
  ];
  const state = ctx.session.state;
  const placeHolder = state.kind === 'connected' ? `rrq queue ${state.queueId} on ${state.redis}`
    : state.kind === 'reconnecting' ? `Disconnected from ${state.redis} (${state.reason}), reconnecting…`
      : state.kind === 'error' ? state.message : 'Not connected';
  const pick = await vscode.window.showQuickPick(picks, { title: 'rrq', placeHolder });
  await pick?.run();
}
