// Every command of the extension, in one flat table: its id (as contributed in package.json; a
// test checks the two agree) and the function that runs it. Each runs under the same error
// handling: a failure is shown (first line in the toast, the rest behind "Show Details"; through
// notifications.ts, so the API lists it) and written to the rrq log, never left as an unhandled
// rejection; a dismissed prompt ends it quietly.
import * as vscode from 'vscode';
import { errorMessage } from '../log';
import { connect } from './connect';
import type { CommandContext, RrqCommand } from './context';
import { deleteExitedWorkers } from './deleteExitedWorkers';
import { evaluateSelection } from './evaluateSelection';
import { killWorkers } from './killWorkers';
import { messageCommand } from './messageCommand';
import { openSettings } from './openSettings';
import { pingAll } from './pingAll';
import { refreshWorkers } from './refreshWorkers';
import { sendMessage } from './sendMessage';
import { showResponses } from './showResponses';
import { showVersion } from './showVersion';
import { showWorkerLog } from './showWorkerLog';
import { spawnWorkers } from './spawnWorkers';
import { statusBarActions } from './statusBarActions';
import { stopWorkers } from './stopWorkers';
import { Notice, UserCancelled } from './support';

export const COMMANDS = {
  'rrq.connect': connect,
  'rrq.openSettings': openSettings,
  'rrq.spawnWorkers': spawnWorkers,
  'rrq.stopWorkers': stopWorkers,
  'rrq.killWorkers': killWorkers,
  'rrq.sendMessage': sendMessage,
  'rrq.ping': messageCommand('PING'),
  'rrq.pingAll': pingAll,
  'rrq.echo': messageCommand('ECHO'),
  'rrq.eval': messageCommand('EVAL'),
  'rrq.info': messageCommand('INFO'),
  'rrq.pause': messageCommand('PAUSE'),
  'rrq.resume': messageCommand('RESUME'),
  'rrq.refreshEnvironment': messageCommand('REFRESH'),
  'rrq.setIdleTimeout': messageCommand('TIMEOUT_SET'),
  'rrq.getIdleTimeout': messageCommand('TIMEOUT_GET'),
  'rrq.stopWorker': messageCommand('STOP'),
  'rrq.refreshWorkers': refreshWorkers,
  'rrq.deleteExitedWorkers': deleteExitedWorkers,
  'rrq.showWorkerLog': showWorkerLog,
  'rrq.showResponses': showResponses,
  'rrq.evaluateSelection': evaluateSelection,
  'rrq.showVersion': showVersion,
  'rrq.statusBarActions': statusBarActions,
} satisfies Record<string, RrqCommand>;

export type CommandId = keyof typeof COMMANDS;

/** The last problem a command reported to the user (for tests and other extensions). */
export interface ReportedProblem {
  command: string;
  message: string;
  at: number;
}

export class CommandRunner implements vscode.Disposable {
  private last: ReportedProblem | null = null;
  private readonly registrations: vscode.Disposable[];

  constructor(private readonly ctx: CommandContext) {
    this.registrations = Object.entries(COMMANDS).map(([id, run]) => vscode.commands.registerCommand(id, (...args: unknown[]) => this.run(id, run, args)));
  }

  get lastProblem(): ReportedProblem | null {
    return this.last;
  }

  private async run(id: string, command: RrqCommand, args: unknown[]): Promise<unknown> {
    try {
      return await command(this.ctx, ...args);
    } catch (err) {
      if (!(err instanceof UserCancelled)) this.report(id, err);
      return undefined;
    }
  }

  private report(command: string, err: unknown): void {
    const message = errorMessage(err);
    this.last = { command, message, at: Date.now() };
    const { log, notifications } = this.ctx;
    if (err instanceof Notice) {
      log.warn(`${command}: ${message}`);
      void notifications.warn(`rrq: ${message}`, ...(err.action ? [{ ...err.action }] : []));
      return;
    }
    log.error(`${command}: ${err instanceof Error && err.stack ? err.stack : message}`);
    const [first, ...rest] = message.split('\n');
    const detail = rest.join('\n').trim();
    const text = `rrq: ${first}`;
    if (!detail) {
      void notifications.show('error', text);
      return;
    }
    void notifications.show('error', text, {
      title: 'Show Details',
      run: async () => {
        const doc = await vscode.workspace.openTextDocument({ content: message, language: 'log' });
        await vscode.window.showTextDocument(doc);
      },
    });
  }

  dispose(): void {
    for (const d of this.registrations) d.dispose();
  }
}
