// The responses panel: one webview listing the messages sent from this window, newest first,
// with each target worker's answer (or "pending") and its round-trip time, updated live.
// The host formats values (util.inspect) and posts plain data; media/responses.js builds
// the DOM with textContent only, under a CSP that allows nothing but our own script (by
// nonce) and stylesheet. Works across reconnects: the session's tracker is re-bound.
import * as vscode from 'vscode';
import type { MessageTracker, TrackedMessage } from '../core/messageTracker';
import { errorMessage, type ExtensionLog } from './log';
import * as view from './responsesView';
import type { FromWebview, ToWebview, ViewMessage } from './webviewProtocol';
import type { RrqSession, SessionState } from './session';

export const RESPONSES_VIEW_TYPE = 'rrq.responses';

/** Arguments of rrq.showResponses (all optional; from menus it gets none). */
export interface ShowResponsesOptions {
  preserveFocus?: boolean;
  viewColumn?: vscode.ViewColumn;
}

const POSTED_LOG = 200;

function connectionText(state: SessionState): string {
  switch (state.kind) {
    case 'connected': return `${state.queueId} on ${state.redis}`;
    case 'connecting': return 'connecting…';
    case 'reconnecting': return `disconnected from ${state.queueId} (${state.reason}), reconnecting…`;
    case 'error': return `not connected: ${state.message}`;
    default: return 'not connected';
  }
}

export class ResponsesPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private tracker: MessageTracker | null = null;
  private unbindTracker: (() => void) | null = null;
  /** The webview's script has loaded and said so (false while hidden: its iframe is gone). */
  private ready = false;
  private readonly dirty = new Set<TrackedMessage>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** What was posted, newest last (for tests and debugging). */
  readonly posted: ToWebview[] = [];
  private readonly probes = new Map<string, (report: unknown) => void>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly session: RrqSession, private readonly log: ExtensionLog) {
    this.disposables.push(session.onDidChangeState(() => this.bind()));
    this.bind();
  }

  /** Follow the session's current tracker (a new one after every reconnect). */
  private bind(): void {
    const tracker = this.session.tracker;
    if (tracker !== this.tracker) {
      this.unbindTracker?.();
      this.unbindTracker = null;
      this.tracker = tracker;
      this.dirty.clear();
      if (tracker) this.unbindTracker = tracker.onDidChange((m) => this.markDirty(m));
      this.sendReset();
    } else {
      this.post({ type: 'connection', connection: connectionText(this.session.state) });
    }
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  show(options: ShowResponsesOptions = {}): void {
    if (this.panel) {
      // Stay where the user put it, unless that would cover the editor asking to stay visible.
      const coversEditor = options.viewColumn === vscode.ViewColumn.Beside
        && this.panel.viewColumn !== undefined && this.panel.viewColumn === vscode.window.activeTextEditor?.viewColumn;
      this.panel.reveal(coversEditor ? vscode.ViewColumn.Beside : undefined, options.preserveFocus ?? false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      RESPONSES_VIEW_TYPE, 'rrq: Responses',
      { viewColumn: options.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: options.preserveFocus ?? false },
      this.webviewOptions(),
    );
    this.adopt(panel);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      enableForms: false,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'media')],
    };
  }

  /** Take over a new panel, or one VS Code restored after a reload. */
  adopt(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) this.panel.dispose();
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'rrq.svg');
    panel.webview.options = this.webviewOptions();
    const media = (file: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', file)).toString();
    panel.webview.html = view.renderShell({
      cspSource: panel.webview.cspSource, nonce: view.makeNonce(), scriptUri: media('responses.js'), styleUri: media('responses.css'),
    });
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m)),
      // Hidden webviews lose their document; the script says 'ready' again when shown.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        this.ready = false;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    );
  }

  private receive(message: FromWebview): void {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendReset();
        break;
      case 'copy':
        this.copy(String(message.id), String(message.worker)).catch((err: unknown) => {
          this.log.error(`copying a response: ${errorMessage(err)}`);
          void vscode.window.showErrorMessage(`rrq: could not copy the response: ${errorMessage(err)}`);
        });
        break;
      case 'clear':
        this.tracker?.clear();
        this.dirty.clear();
        this.sendReset();
        break;
      case 'probeResult': {
        const resolve = this.probes.get(String(message.token));
        this.probes.delete(String(message.token));
        resolve?.(message.report);
        break;
      }
      default:
        break;
    }
  }

  private async copy(id: string, worker: string): Promise<void> {
    const message = this.tracker?.all.find((m) => m.id === id);
    const text = message ? view.copyText(message, worker) : undefined;
    if (text === undefined) return;
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`rrq: copied the response of ${worker}`, 3000);
    this.post({ type: 'copied', id, worker });
  }

  private markDirty(message: TrackedMessage): void {
    if (!this.panel) return; // a reset on open sends everything anyway
    this.dirty.add(message);
    // One post per burst (a broadcast to 200 workers answers 200 times within milliseconds).
    this.flushTimer ??= setTimeout(() => this.flush(), 30);
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (!this.ready || !this.tracker) {
      this.dirty.clear(); // sent with the next reset
      return;
    }
    const all = this.tracker.all;
    // Oldest first, so that new messages end up on top in the order they were sent.
    const changed = [...this.dirty].sort((a, b) => all.indexOf(b) - all.indexOf(a)).filter((m) => all.includes(m));
    this.dirty.clear();
    if (changed.length === 0) return;
    this.post({ type: 'upsert', messages: changed.map(view.viewMessage), total: all.length });
  }

  snapshot(): ViewMessage[] {
    return (this.tracker?.all ?? []).map(view.viewMessage);
  }

  private sendReset(): void {
    this.post({ type: 'reset', messages: this.snapshot(), connection: connectionText(this.session.state) });
  }

  private post(message: ToWebview): void {
    if (!this.panel || !this.ready) return;
    this.posted.push(message);
    if (this.posted.length > POSTED_LOG) this.posted.splice(0, this.posted.length - POSTED_LOG);
    this.panel.webview.postMessage(message).then(undefined, this.log.swallow(`posting ${message.type} to the responses webview`));
  }

  /** Ask the webview what its DOM shows (tests and other extensions, through the API). */
  async probe(timeoutMs = 10_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!this.ready || !this.panel) return null;
    this.flush();
    const token = view.makeNonce();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.probes.delete(token); resolve(null); }, Math.max(0, deadline - Date.now()) + 1000);
      this.probes.set(token, (report) => { clearTimeout(timer); resolve(report); });
      this.post({ type: 'probe', token });
    });
  }

  state(): Record<string, unknown> {
    const webview = this.panel?.webview;
    return {
      open: this.panel !== undefined,
      visible: this.panel?.visible ?? false,
      ready: this.ready,
      viewType: RESPONSES_VIEW_TYPE,
      connection: connectionText(this.session.state),
      messages: this.snapshot(),
      posted: [...this.posted],
      html: webview?.html ?? null,
      options: webview ? {
        enableScripts: webview.options.enableScripts,
        localResourceRoots: (webview.options.localResourceRoots ?? []).map((u) => u.toString()),
      } : null,
    };
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.unbindTracker?.();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function registerResponsesPanel(panel: ResponsesPanel): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(RESPONSES_VIEW_TYPE, {
    deserializeWebviewPanel: async (restored) => panel.adopt(restored),
  });
}
