// Activation: wire the session (connection, workers, messages) to the VS Code surfaces.
// Activation does no I/O of its own; connecting happens in the background afterwards, and
// only to a Redis that is configured or already running (a private one is started only when
// the user asks for it, by connecting or spawning workers).
import * as vscode from 'vscode';
import { VERSION } from '../core/version';
import { registerCommands } from './commands';
import { registerEvaluateSelection } from './evaluateSelection';
import { registerLogChannels } from './logChannels';
import { registerResponsesPanel } from './responsesPanel';
import { RrqSession } from './session';
import { registerStatusBar } from './statusBar';
import { registerWorkerTree } from './workerTree';

let session: RrqSession | null = null;

// Set by the bundle's first statement (scripts/build.mjs).
declare const __rrqLoadStart: number | undefined;

/** What the extension returns from activate(): used by its tests and by other extensions. */
export interface RrqExtensionApi {
  session: RrqSession;
  version: string;
  /** Milliseconds from the bundle starting to load to the end of activate(). */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): RrqExtensionApi {
  session = new RrqSession(context.secrets);
  context.subscriptions.push(
    session,
    registerStatusBar(session),
    registerWorkerTree(session),
    registerLogChannels(session),
    registerResponsesPanel(context, session),
    registerEvaluateSelection(context, session),
    registerCommands(context, session),
    vscode.commands.registerCommand('rrq.showVersion', () => vscode.window.showInformationMessage(`rrq ${VERSION}`)),
  );
  const started = session;
  setImmediate(() => void started.connect({ startRedis: false }).catch(() => { /* shown in the status bar */ }));
  const activationMs = typeof __rrqLoadStart === 'number' ? performance.now() - __rrqLoadStart : NaN;
  return { session, version: VERSION, activationMs };
}

export async function deactivate(): Promise<void> {
  const s = session;
  session = null;
  await s?.shutdown();
}
