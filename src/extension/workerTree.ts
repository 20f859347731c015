// The Workers view: one item per worker of the queue, its status as a coloured ThemeIcon, the
// running task (or a message that takes a while, a long EVAL) and its elapsed time in the
// description, the info record in the tooltip, and
// details (host, pid, queues, idle timeout, log file) as children. Pushed, not polled: the
// session's worker snapshots (from queue events) refresh it, debounced; the only timer is the
// one-second tick of BUSY elapsed times, and only while a worker is busy and the view visible.
import * as vscode from 'vscode';
import type { WorkerSnapshot } from '../core/monitor';
import type { WorkerStatus } from '../core/protocol';
import { describeWorkerStatus, formatElapsed } from './describe';
import type { RrqSession } from './session';
import type { DetailElement, TreeElement, WorkerElement } from './treeElements';

const DEBOUNCE_MS = 50;
const CONFIG_TTL_MS = 10_000;

const STATUS_ICONS: Record<WorkerStatus, { icon: string; color: string }> = {
  IDLE: { icon: 'debug-start', color: 'charts.green' },
  BUSY: { icon: 'sync~spin', color: 'charts.yellow' },
  PAUSED: { icon: 'debug-pause', color: 'charts.orange' },
  EXITED: { icon: 'debug-stop', color: 'disabledForeground' },
  LOST: { icon: 'warning', color: 'errorForeground' },
};

interface DetailNode extends DetailElement {
  readonly label: string;
  readonly value: string;
  readonly open?: vscode.Uri;
}

function statusIcon(status: WorkerStatus): vscode.ThemeIcon {
  const s = STATUS_ICONS[status] ?? { icon: 'question', color: 'foreground' };
  return new vscode.ThemeIcon(s.icon, new vscode.ThemeColor(s.color));
}

/** Queue name from the key a worker lists in its info (`{<queue id>}:queue:<name>`). */
function queueName(key: string): string {
  const at = key.lastIndexOf(':queue:');
  return at >= 0 ? key.slice(at + ':queue:'.length) : key;
}

function formatSeconds(value: number): string {
  return Number.isFinite(value) ? `${value} s` : 'never (Infinity)';
}

export class WorkerTreeProvider implements vscode.TreeDataProvider<TreeElement>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeElement | TreeElement[] | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private snapshots = new Map<string, WorkerSnapshot>();
  private readonly elements = new Map<string, WorkerElement>();
  private roots: WorkerElement[] = [];
  private pending: WorkerSnapshot[] | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private visible = false;
  private readonly configs = new Map<string, { at: number; value: Promise<number | null> }>();

  constructor(private readonly session: RrqSession) {
    this.apply(session.workers);
  }

  /** Called with each new worker list; coalesced so a burst costs one redraw. */
  schedule(workers: WorkerSnapshot[]): void {
    this.pending = workers;
    this.debounce ??= setTimeout(() => {
      this.debounce = null;
      const next = this.pending;
      this.pending = null;
      if (next) this.apply(next);
    }, DEBOUNCE_MS);
  }

  private apply(workers: readonly WorkerSnapshot[]): void {
    this.snapshots = new Map(workers.map((w) => [w.id, w]));
    for (const id of [...this.elements.keys()]) if (!this.snapshots.has(id)) this.elements.delete(id);
    this.roots = workers.map((w) => {
      let e = this.elements.get(w.id);
      if (!e) {
        e = { kind: 'worker', id: w.id };
        this.elements.set(w.id, e);
      }
      return e;
    });
    this.emitter.fire();
    this.updateTicker();
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.emitter.fire(); // elapsed times went stale while hidden
    this.updateTicker();
  }

  private busyElements(): WorkerElement[] {
    return this.roots.filter((e) => this.snapshots.get(e.id)?.status === 'BUSY');
  }

  private updateTicker(): void {
    const want = this.visible && this.busyElements().length > 0;
    if (want && !this.ticker) {
      this.ticker = setInterval(() => {
        const busy = this.busyElements();
        if (busy.length === 0 || !this.visible) {
          this.updateTicker();
          return;
        }
        this.emitter.fire(busy);
      }, 1000);
    } else if (!want && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  get tickerRunning(): boolean {
    return this.ticker !== null;
  }

  snapshotOf(id: string): WorkerSnapshot | undefined {
    return this.snapshots.get(id);
  }

  getChildren(element?: TreeElement): TreeElement[] | Promise<TreeElement[]> {
    // While a dropped connection comes back, the workers as last seen stay (the view's message says so).
    if (!element) return this.session.state.kind === 'connected' || this.session.state.kind === 'reconnecting' ? this.roots : [];
    if (element.kind === 'worker') return this.details(element.id);
    return [];
  }

  getParent(element: TreeElement): TreeElement | undefined {
    return element.kind === 'detail' ? this.elements.get(element.workerId) : undefined;
  }

  getTreeItem(element: TreeElement): vscode.TreeItem {
    if (element.kind === 'detail') {
      const d = element as DetailNode;
      const item = new vscode.TreeItem(d.label, vscode.TreeItemCollapsibleState.None);
      item.id = `${d.workerId}\u0000${d.key}`;
      item.description = d.value;
      item.tooltip = `${d.label}: ${d.value}`;
      item.contextValue = 'worker-detail';
      if (d.open) {
        item.iconPath = new vscode.ThemeIcon('go-to-file');
        item.command = { command: 'vscode.open', title: 'Open Log File', arguments: [d.open] };
        item.tooltip = `Open ${d.value}`;
      }
      return item;
    }
    const w = this.snapshots.get(element.id);
    const item = new vscode.TreeItem(element.id, w?.info ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = element.id;
    if (!w) return item;
    item.description = describeWorkerStatus(w, Date.now() / 1000);
    item.iconPath = statusIcon(w.status);
    item.contextValue = `worker-${w.status.toLowerCase()}`;
    item.tooltip = this.tooltip(w);
    item.accessibilityInformation = { label: `Worker ${w.id}, ${item.description}` };
    return item;
  }

  private tooltip(w: WorkerSnapshot): vscode.MarkdownString {
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown(`$(${STATUS_ICONS[w.status]?.icon.replace('~spin', '') ?? 'question'}) **`);
    md.appendText(w.id);
    md.appendMarkdown(`** · ${w.status}\n\n`);
    if (w.taskId) {
      md.appendMarkdown('task: ');
      md.appendText(w.taskId);
      if (w.taskStarted !== null) md.appendText(` (running ${formatElapsed(Date.now() / 1000 - w.taskStarted)})`);
      md.appendMarkdown('  \n');
    }
    if (w.activity) {
      md.appendMarkdown('message: ');
      md.appendText(`${w.activity.command} ${w.activity.messageId} (running ${formatElapsed(Date.now() / 1000 - w.activity.since)})`);
      md.appendMarkdown('  \n');
    }
    if (!w.info) {
      md.appendText('No info record.');
      return md;
    }
    const info = w.info as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(info)) {
      if (value === null || value === undefined) continue;
      const text = key === 'queue' && Array.isArray(value) ? value.map((q) => queueName(String(q))).join(', ')
        : Array.isArray(value) ? value.join(', ') : String(value);
      md.appendText(`${key}: ${text}`);
      md.appendMarkdown('  \n');
    }
    return md;
  }

  private configTimeout(name: string): Promise<number | null> {
    const cached = this.configs.get(name);
    if (cached && Date.now() - cached.at < CONFIG_TTL_MS) return cached.value;
    const ctl = this.session.controller;
    const value = ctl ? ctl.workerConfigRead(name).then((c) => c.timeoutIdle, () => null) : Promise.resolve(null);
    this.configs.set(name, { at: Date.now(), value });
    return value;
  }

  /** Children of a worker: what its info record says, plus the configured idle timeout (one read per config, cached). */
  async details(workerId: string): Promise<DetailNode[]> {
    const w = this.snapshots.get(workerId);
    if (!w?.info) return [];
    const info = w.info;
    const queues = info.queue.map(queueName);
    const rows: Array<[string, string, string, vscode.Uri?]> = [
      ['host', 'host', info.hostname],
      ['pid', 'pid', String(info.pid)],
      ['queue', queues.length === 1 ? 'queue' : 'queues', queues.join(', ')],
      ['config', 'config', info.config],
    ];
    const timeout = info.config ? await this.configTimeout(info.config) : null;
    if (timeout !== null) rows.push(['timeout', 'idle timeout (config)', formatSeconds(timeout)]);
    if (w.taskId) rows.push(['task', 'task', w.taskId]);
    if (w.activity) rows.push(['message', 'message', `${w.activity.command} ${w.activity.messageId}`]);
    rows.push(
      ['platform', 'platform', info.platform],
      ['node', 'node', info.node],
      ['wd', 'working dir', info.wd],
      ['user', 'user', info.username],
      ['version', 'rrq', info.rrqVersion],
    );
    const logFile = this.session.logFileOf(workerId);
    if (logFile) rows.push(['logfile', 'log file', logFile, vscode.Uri.file(logFile)]);
    return rows
      .filter(([, , value]) => value !== undefined && value !== null && value !== '')
      .map(([key, label, value, open]) => ({ kind: 'detail', workerId, key, label, value, ...(open ? { open } : {}) }));
  }

  /** What the view shows now (for tests and other extensions, through the API). */
  async render(): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    for (const element of await this.getChildren()) {
      const item = this.getTreeItem(element);
      const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
      const children = (await this.getChildren(element)).map((c) => {
        const ci = this.getTreeItem(c);
        return { label: ci.label, description: ci.description, contextValue: ci.contextValue, command: ci.command?.command };
      });
      out.push({
        element,
        id: item.id,
        label: item.label,
        description: item.description,
        contextValue: item.contextValue,
        icon: icon?.id,
        iconColor: icon?.color?.id,
        tooltip: item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip,
        collapsible: item.collapsibleState,
        children,
      });
    }
    return out;
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    if (this.ticker) clearInterval(this.ticker);
    this.debounce = null;
    this.ticker = null;
    this.emitter.dispose();
  }
}

/** What the Workers view shows, as data. */
export interface WorkerTreeSnapshot {
  message: string | undefined;
  description: string | undefined;
  visible: boolean;
  tickerRunning: boolean;
  items: Array<Record<string, unknown>>;
}

export class WorkerTree implements vscode.Disposable {
  private readonly provider: WorkerTreeProvider;
  private readonly view: vscode.TreeView<TreeElement>;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly session: RrqSession) {
    this.provider = new WorkerTreeProvider(session);
    this.view = vscode.window.createTreeView<TreeElement>('rrq.workers', {
      treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true,
    });
    this.provider.setVisible(this.view.visible);
    this.showState();
    let lastKind = session.state.kind;
    this.disposables = [
      this.provider,
      this.view,
      this.view.onDidChangeVisibility((e) => this.provider.setVisible(e.visible)),
      session.onDidChangeWorkers((workers) => this.provider.schedule(workers)),
      session.onDidChangeState((state) => {
        this.showState();
        if (state.kind !== lastKind) this.provider.schedule(session.workers); // connected or not decides whether roots show
        lastKind = state.kind;
      }),
    ];
  }

  private showState(): void {
    const state = this.session.state;
    this.view.message = state.kind === 'error' ? `Cannot connect to Redis: ${state.message}`
      : state.kind === 'reconnecting' ? `Disconnected from Redis (${state.reason}); reconnecting… The workers are shown as last seen.`
        : undefined;
    this.view.description = state.kind === 'connected' || state.kind === 'reconnecting' ? state.queueId : undefined;
  }

  async snapshot(): Promise<WorkerTreeSnapshot> {
    return {
      message: this.view.message,
      description: this.view.description,
      visible: this.view.visible,
      tickerRunning: this.provider.tickerRunning,
      items: await this.provider.render(),
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
