// One LogOutputChannel per worker ("rrq: <worker id>"), created when first shown: the history
// (workerLogTail, every kept entry) and then the live entries from the queue's events.
// Events that arrive while the history is read are held back and written after it, minus any
// the history already had, so nothing is lost or doubled at the boundary. Workers spawned by
// this window also have a stdout/stderr file: its path heads the channel, and the command's
// quick pick offers to open it.
import * as vscode from 'vscode';
import type { WorkerMonitor } from '../core/monitor';
import type { EventRecord } from '../core/protocol';
import { formatLogLine, logKey, logLevelOf, type LogLevel } from './prompts';
import type { RrqSession } from './session';
import { connected, errorMessage, registerSafeCommand, targetsOf, UserCancelled } from './ui';

const KEEP_LINES = 10_000;

interface Line {
  level: LogLevel;
  text: string;
}

class WorkerLogChannel implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** What was written (kept for tests: `rrq._internal.logChannelLines`). */
  readonly lines: Line[] = [];
  private state: 'new' | 'loading' | 'live' = 'new';
  private held: EventRecord[] = [];
  loading: Promise<void> | null = null;

  constructor(readonly workerId: string) {
    this.channel = vscode.window.createOutputChannel(`rrq: ${workerId}`, { log: true });
  }

  write(level: LogLevel, text: string): void {
    this.lines.push({ level, text });
    if (this.lines.length > KEEP_LINES) this.lines.splice(0, this.lines.length - KEEP_LINES);
    this.channel[level](text);
  }

  get needsLoad(): boolean {
    return this.state === 'new';
  }

  handleEvent(event: EventRecord): void {
    if (this.state === 'new') return; // the history read on open will include it
    if (this.state === 'loading') {
      this.held.push(event);
      return;
    }
    this.write(logLevelOf(event.command), formatLogLine(event));
  }

  load(session: RrqSession): Promise<void> {
    this.loading ??= this.read(session).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async read(session: RrqSession): Promise<void> {
    this.state = 'loading';
    this.held = [];
    try {
      const ctl = await connected(session);
      const entries = await ctl.workerLogTail({ workerIds: this.workerId, n: Infinity });
      const logFile = session.logFileOf(this.workerId);
      this.write('info', `Worker ${this.workerId} on queue ${ctl.queueId}: ${entries.length} log entr${entries.length === 1 ? 'y' : 'ies'} so far (worker clock), then live.`);
      if (logFile) this.write('info', `stdout/stderr of this worker: ${logFile}`);
      if (entries.length === 0) this.write('warn', 'No log entries: the worker is unknown on this queue or was deleted.');
      const now = new Date();
      const seen = new Set<string>();
      for (const e of entries) {
        seen.add(logKey(e));
        this.write(logLevelOf(e.command), formatLogLine(e, now));
      }
      for (const e of this.held) if (!seen.has(logKey(e))) this.write(logLevelOf(e.command), formatLogLine(e));
      this.state = 'live';
    } catch (err) {
      this.state = 'new'; // try again next time it is shown
      this.write('error', `Could not read the log of ${this.workerId}: ${errorMessage(err)}`);
      throw err;
    } finally {
      this.held = [];
    }
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export class LogChannels implements vscode.Disposable {
  private readonly channels = new Map<string, WorkerLogChannel>();
  private monitor: WorkerMonitor | null = null;
  private unlisten: (() => void) | null = null;

  constructor(private readonly session: RrqSession) {
    this.follow();
  }

  /** Listen to the current connection's events (called again after every reconnect). */
  follow(): void {
    const monitor = this.session.monitor;
    if (monitor === this.monitor) return;
    this.unlisten?.();
    this.unlisten = null;
    this.monitor = monitor;
    if (monitor) this.unlisten = monitor.onEvent((event) => this.channels.get(event.worker)?.handleEvent(event));
  }

  async show(workerId: string, preserveFocus = false): Promise<void> {
    let channel = this.channels.get(workerId);
    if (!channel) {
      channel = new WorkerLogChannel(workerId);
      this.channels.set(workerId, channel);
    }
    this.follow();
    channel.channel.show(preserveFocus);
    if (channel.needsLoad) await channel.load(this.session);
    else if (channel.loading) await channel.loading;
  }

  lines(workerId: string): Line[] | null {
    return this.channels.get(workerId)?.lines.slice() ?? null;
  }

  dispose(): void {
    this.unlisten?.();
    for (const c of this.channels.values()) c.dispose();
    this.channels.clear();
  }
}

interface LogPick extends vscode.QuickPickItem {
  workerId?: string;
  file?: string;
}

async function pickLog(session: RrqSession): Promise<LogPick> {
  await connected(session).catch(() => undefined);
  const workers = session.workers;
  const files = workers.map((w) => ({ w, file: session.logFileOf(w.id) })).filter((x) => x.file !== null);
  if (workers.length === 0) throw new Error('No workers on this queue: nothing to show. Start some with "rrq: Spawn Workers".');
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

export function registerLogChannels(session: RrqSession): vscode.Disposable {
  const logs = new LogChannels(session);
  return vscode.Disposable.from(
    logs,
    session.onDidChangeState(() => logs.follow()),
    registerSafeCommand('rrq.showWorkerLog', async (first?: unknown, second?: unknown) => {
      const targets = targetsOf(first, second);
      if (targets === 'all') throw new Error('Show Worker Log needs one worker.');
      if (targets === undefined || targets.length === 0) {
        const pick = await pickLog(session);
        if (pick.file) {
          await vscode.window.showTextDocument(vscode.Uri.file(pick.file), { preview: true });
          return;
        }
        await logs.show(pick.workerId!);
        return;
      }
      // Several selected: open each channel; the clicked one ends up shown.
      for (const id of [...targets].reverse()) await logs.show(id, true);
    }),
    vscode.commands.registerCommand('rrq._internal.logChannelLines', (workerId: string) => logs.lines(workerId)),
  );
}
