// The VS Code layer. For now it only activates and reports its version; the worker tree,
// commands, log channels and the responses webview build on src/core.
import * as vscode from 'vscode';
import { VERSION } from '../core/version';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('rrq.showVersion', () => vscode.window.showInformationMessage(`rrq ${VERSION}`)),
  );
}

export function deactivate(): void {}
