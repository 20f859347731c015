// Activation: wire the session (connection, workers, messages) to the VS Code surfaces and the
// command table. Activation does no I/O of its own; connecting happens in the background
// afterwards, and only to a Redis that is configured or already running (a private one is
// started only when the user asks for it, by connecting or spawning workers).
import type * as vscode from 'vscode';
import { VERSION } from '../core/version';
import { CommandRunner, type ReportedProblem } from './commands/index';
import { InlineEvaluator, type InlineResultState } from './inlineEvaluator';
import { ExtensionLog } from './log';
import { LogChannels, type LogLine } from './logChannels';
import { LostWorkers } from './lostWorkers';
import { Notifications, type ShownNotification } from './notifications';
import { registerResponsesPanel, ResponsesPanel } from './responsesPanel';
import * as responsesView from './responsesView';
import { RrqSession, type SessionState } from './session';
import { StatusBar, type StatusBarSnapshot } from './statusBar';
import { WorkerTree, type WorkerTreeSnapshot } from './workerTree';

let session: RrqSession | null = null;

// Set by the bundle's first statement (scripts/build.mjs).
declare const __rrqLoadStart: number | undefined;

/** What the extension returns from activate(): for other extensions and for its own tests. */
export interface RrqExtensionApi {
  session: RrqSession;
  version: string;
  /** Milliseconds from the bundle starting to load to the end of activate(). */
  activationMs: number;
  /** What the extension's surfaces show, as data. */
  inspect: {
    workerTree(): Promise<WorkerTreeSnapshot>;
    /** Lines written to a worker's log channel (null when it was never opened). */
    logChannelLines(workerId: string): LogLine[] | null;
    /** The last problem a command reported to the user. */
    lastProblem(): ReportedProblem | null;
    /** The notifications shown so far (the last hundred), oldest first, with their buttons. */
    notifications(): ShownNotification[];
    /** The session's connection state ('reconnecting' while a dropped connection comes back). */
    sessionState(): SessionState;
    statusBar(): StatusBarSnapshot;
    /** Whether this window looks for dead workers now (it does while connected). */
    detectingLostWorkers(): boolean;
    /** The responses panel's state; with `probe`, also what its webview's DOM shows. */
    responses(options?: { probe?: boolean }): Promise<Record<string, unknown>>;
    inlineResults(): InlineResultState[];
    /** The pure formatting helpers of the responses panel. */
    responsesView: typeof responsesView;
  };
}

export function activate(context: vscode.ExtensionContext): RrqExtensionApi {
  const log = new ExtensionLog();
  const notifications = new Notifications(log);
  session = new RrqSession(context.secrets, log);
  const tree = new WorkerTree(session);
  const logChannels = new LogChannels(session, log);
  const responses = new ResponsesPanel(context, session, log);
  const inline = new InlineEvaluator(session);
  const commands = new CommandRunner({ session, log, logChannels, notifications, responses, inline });
  const statusBar = new StatusBar(session);
  context.subscriptions.push(
    log, session, tree, logChannels, responses, inline, commands, statusBar,
    new LostWorkers(session, notifications, log),
    registerResponsesPanel(responses),
  );
  const started = session;
  setImmediate(() => void started.connect({ startRedis: false }).catch(log.swallow('connecting at start-up (shown in the status bar)')));
  const activationMs = typeof __rrqLoadStart === 'number' ? performance.now() - __rrqLoadStart : NaN;
  return {
    session,
    version: VERSION,
    activationMs,
    inspect: {
      workerTree: () => tree.snapshot(),
      logChannelLines: (workerId) => logChannels.lines(workerId),
      lastProblem: () => commands.lastProblem,
      notifications: () => notifications.shown(),
      sessionState: () => started.state,
      statusBar: () => statusBar.snapshot(),
      detectingLostWorkers: () => started.detecting,
      responses: async (options = {}) => ({ ...responses.state(), ...(options.probe ? { dom: await responses.probe() } : {}) }),
      inlineResults: () => inline.state(),
      responsesView,
    },
  };
}

export async function deactivate(): Promise<void> {
  const s = session;
  session = null;
  await s?.shutdown();
}
