// rrq.showVersion.
import * as vscode from 'vscode';
import { VERSION } from '../../core/version';

export function showVersion(): Thenable<unknown> {
  return vscode.window.showInformationMessage(`rrq ${VERSION}`);
}
