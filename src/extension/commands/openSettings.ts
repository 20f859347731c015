// rrq.openSettings: the Settings editor, filtered to rrq's settings.
import * as vscode from 'vscode';

export function openSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', '@ext:rrq.rrq');
}
