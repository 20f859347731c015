// One LogOutputChannel per worker ("rrq: <worker id>"), created when first shown: the history
// (workerLogTail, every kept entry) and then the live entries from the queue's events.
// Events that arrive while the history is read are held back and written after it, minus any
// the history already had, so nothing is lost or doubled at the boundary. Workers spawned by
// this window also have a stdout/stderr file: its path heads the channel, and the command's
// quick pick offers to open it.
import * as vscode from 'vscode';
import type { Controller } from '../core/controller';
import type { EventRecord } from '../core/protocol';
import { formatLogLine, logKey, logLevelOf, type LogLevel } from './describe';
import { errorMessage, type ExtensionLog } from './log';
import type { RrqSession } from './session';

const KEEP_LINES = 10_000;

export interface LogLine {
  level: LogLevel;
  text: string;
}

class WorkerLogChannel implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** What was written (kept for tests and other extensions: the API's logChannelLines). */
  readonly lines: LogLine[] = [];
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
      const ctl = await session.connected();
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
  private controller: Controller | null = null;
  private unlisten: (() => void) | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly session: RrqSession, private readonly log: ExtensionLog) {
    this.disposables.push(session.onDidChangeState(() => this.follow()));
    this.follow();
  }

  /** Listen to the current connection's events (again after every reconnect). */
  private follow(): void {
    const ctl = this.session.controller;
    if (ctl === this.controller) return;
    this.unlisten?.();
    this.unlisten = null;
    this.controller = ctl;
    if (!ctl) return;
    ctl.listen((event) => this.channels.get(event.worker)?.handleEvent(event)).then((unlisten) => {
      if (this.controller === ctl) this.unlisten = unlisten;
      else unlisten();
    }, this.log.swallow('following worker log events'));
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

  /** What a worker's channel shows, or null when it was never opened. */
  lines(workerId: string): LogLine[] | null {
    return this.channels.get(workerId)?.lines.slice() ?? null;
  }

  dispose(): void {
    this.unlisten?.();
    for (const d of this.disposables) d.dispose();
    for (const c of this.channels.values()) c.dispose();
    this.channels.clear();
  }
}
