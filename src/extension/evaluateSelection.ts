// "rrq: Evaluate Selection on Workers": the selection (or the cursor's line) of a JavaScript
// or TypeScript editor goes to workers as an EVAL (TypeScript stripped to JavaScript with
// esbuild first); the answers appear in the responses panel and, as they arrive, as an
// inline decoration after the selection ("⇒ worker_1: 2", "⇒ 3 workers: 2", "pending…").
import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import type { MessageTracker, TrackedMessage } from '../core/messageTracker';
import type { ShowResponsesOptions } from './responsesPanel';
import { inlineSummary } from './responsesView';
import type { RrqSession } from './session';

const LANGUAGES = new Set(['javascript', 'typescript', 'javascriptreact', 'typescriptreact']);
const LOADERS: Record<string, 'ts' | 'tsx' | 'jsx'> = { typescript: 'ts', typescriptreact: 'tsx', javascriptreact: 'jsx' };

/** Options of the command, for automation: `executeCommand('rrq.evaluateSelection', { workerIds })`. */
export interface EvaluateSelectionOptions {
  /** Target workers; skips the prompt. */
  workerIds?: string[];
}

export interface EvaluateSelectionResult {
  messageId: string;
  workerIds: string[];
  /** The JavaScript sent. */
  source: string;
}

type Esbuild = typeof import('esbuild');
let esbuild: Esbuild | undefined;

/**
 * esbuild is loaded at run time from node_modules (it has a native binary, so it cannot be
 * bundled); createRequire keeps the bundler from following it.
 */
function loadEsbuild(): Esbuild {
  esbuild ??= createRequire(__filename)('esbuild') as Esbuild;
  return esbuild;
}

/** TypeScript (or JSX) to the JavaScript a worker evaluates. Throws esbuild's message on a syntax error. */
export async function toJavaScript(code: string, languageId: string): Promise<string> {
  const loader = LOADERS[languageId];
  if (!loader) return code;
  const result = await loadEsbuild().transform(code, {
    loader, sourcefile: `selection.${loader}`, target: 'es2022', logLevel: 'silent',
  });
  return result.code.replace(/(^|\n)export\s*\{\s*\};?\s*$/, '$1').trimEnd();
}

/** The evaluated range: the selection, or the whole line when the selection is empty. */
export function evaluationRange(document: vscode.TextDocument, selection: vscode.Selection): vscode.Range {
  return selection.isEmpty ? document.lineAt(selection.active.line).range : new vscode.Range(selection.start, selection.end);
}

/** The line the result goes after: the range's last line, not counting a line it only ends at the start of. */
function resultLine(range: vscode.Range): number {
  return range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
}

interface InlineResult {
  document: vscode.Uri;
  startLine: number;
  endLine: number;
  message: TrackedMessage;
  source: string;
  text: string;
  isError: boolean;
}

function isOptions(value: unknown): value is EvaluateSelectionOptions {
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri) && Array.isArray((value as EvaluateSelectionOptions).workerIds);
}

class InlineEvaluator implements vscode.Disposable {
  /** One result per document: the last evaluation there. */
  private readonly results = new Map<string, InlineResult>();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1.5em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private tracker: MessageTracker | null = null;
  private unbindTracker: (() => void) | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly session: RrqSession) {
    this.disposables.push(
      this.decoration,
      session.onDidChangeState(() => this.bind()),
      vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => { for (const e of editors) this.apply(e); }),
    );
    this.bind();
  }

  private bind(): void {
    if (this.session.tracker === this.tracker) return;
    this.unbindTracker?.();
    this.tracker = this.session.tracker;
    this.unbindTracker = this.tracker?.onDidChange((m) => this.messageChanged(m)) ?? null;
  }

  async run(arg: unknown): Promise<EvaluateSelectionResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('rrq: evaluating editor code on workers is disabled in an untrusted workspace. Trust the workspace to use it.');
      return undefined;
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor || !LANGUAGES.has(editor.document.languageId)) {
      void vscode.window.showWarningMessage('rrq: open a JavaScript or TypeScript editor to evaluate its selection on workers.');
      return undefined;
    }
    const { document } = editor;
    const range = evaluationRange(document, editor.selection);
    const code = document.getText(range);
    if (code.trim() === '') {
      void vscode.window.showInformationMessage('rrq: nothing to evaluate: select some code or put the cursor on a line with code.');
      return undefined;
    }
    const version = document.version;

    let source: string;
    try {
      source = await toJavaScript(code, document.languageId);
    } catch (err) {
      void vscode.window.showErrorMessage(`rrq: cannot strip the TypeScript: ${(err as Error).message}`);
      return undefined;
    }

    let tracker: MessageTracker;
    try {
      await this.session.connect();
      if (!this.session.tracker) throw new Error('not connected');
      tracker = this.session.tracker;
      this.bind();
    } catch (err) {
      void vscode.window.showErrorMessage(`rrq: cannot evaluate: ${(err as Error).message}`);
      return undefined;
    }

    const workerIds = isOptions(arg) ? arg.workerIds : await this.pickWorkers();
    if (!workerIds) return undefined;
    if (workerIds.length === 0) {
      const spawn = 'Spawn Workers';
      void vscode.window.showWarningMessage('rrq: no active workers to evaluate on.', spawn).then((choice) => {
        if (choice === spawn) void vscode.commands.executeCommand('rrq.spawnWorkers');
      });
      return undefined;
    }

    let message: TrackedMessage;
    try {
      message = await tracker.send('EVAL', source, workerIds);
    } catch (err) {
      void vscode.window.showErrorMessage(`rrq: EVAL failed: ${(err as Error).message}`);
      return undefined;
    }

    // The document may have changed while the code was being sent; then the place is gone.
    if (document.version === version && !document.isClosed) {
      const summary = inlineSummary(message);
      this.results.set(document.uri.toString(), {
        document: document.uri, startLine: range.start.line, endLine: resultLine(range), message, source, ...summary,
      });
      this.applyTo(document.uri);
    }
    const show: ShowResponsesOptions = { preserveFocus: true, viewColumn: vscode.ViewColumn.Beside };
    vscode.commands.executeCommand('rrq.showResponses', show).then(undefined, () => { /* the answer still shows inline */ });
    return { messageId: message.id, workerIds: [...message.workerIds], source };
  }

  /** All active workers, or the quick pick's choice when there are several. undefined: cancelled. */
  private async pickWorkers(): Promise<string[] | undefined> {
    const active = this.session.workers.filter((w) => w.status === 'IDLE' || w.status === 'BUSY' || w.status === 'PAUSED');
    if (active.length <= 1) return active.map((w) => w.id);
    type Item = vscode.QuickPickItem & { ids: string[] };
    const items: Item[] = [
      { label: 'All workers', description: `${active.length} workers`, ids: active.map((w) => w.id) },
      { label: '', kind: vscode.QuickPickItemKind.Separator, ids: [] },
      ...active.map((w) => ({
        label: w.id, description: w.status.toLowerCase(), detail: w.info ? `${w.info.hostname}, pid ${w.info.pid}` : undefined, ids: [w.id],
      } as Item)),
    ];
    const choice = await vscode.window.showQuickPick(items, { title: 'rrq: Evaluate Selection on Workers', placeHolder: 'Evaluate on which workers?' });
    return choice?.ids;
  }

  private messageChanged(message: TrackedMessage): void {
    for (const [key, result] of this.results) {
      if (result.message !== message) continue;
      Object.assign(result, inlineSummary(message));
      this.applyTo(result.document);
      if (this.results.get(key) !== result) break;
    }
  }

  private documentChanged(e: vscode.TextDocumentChangeEvent): void {
    const result = this.results.get(e.document.uri.toString());
    if (!result) return;
    for (const change of e.contentChanges) {
      const { start, end } = change.range;
      if (start.line > result.endLine) continue; // below: nothing moves
      if (end.line < result.startLine) {
        // Above: the result moves with its lines.
        const delta = (change.text.match(/\n/g)?.length ?? 0) - (end.line - start.line);
        result.startLine += delta;
        result.endLine += delta;
        continue;
      }
      this.clear(e.document.uri); // the evaluated code itself changed
      return;
    }
  }

  private clear(uri: vscode.Uri): void {
    if (this.results.delete(uri.toString())) this.applyTo(uri);
  }

  private applyTo(uri: vscode.Uri): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === uri.toString()) this.apply(editor);
    }
  }

  private apply(editor: vscode.TextEditor): void {
    const result = this.results.get(editor.document.uri.toString());
    if (!result || result.endLine >= editor.document.lineCount) {
      editor.setDecorations(this.decoration, []);
      return;
    }
    const end = editor.document.lineAt(result.endLine).range.end;
    const hover = new vscode.MarkdownString();
    hover.appendText(`rrq EVAL ${result.message.id}\n\n`);
    for (const w of result.message.workerIds) {
      const r = result.message.responses.get(w);
      hover.appendText(`${w}: ${r ? `${inlineSummary({ workerIds: [w], responses: new Map([[w, r]]) }, 400).text.replace(/^⇒ [^:]*: /, '')} (${Math.round(r.roundTripMs)} ms)` : 'pending…'}\n\n`);
    }
    editor.setDecorations(this.decoration, [{
      range: new vscode.Range(end, end),
      hoverMessage: hover,
      renderOptions: {
        after: {
          contentText: result.text,
          color: new vscode.ThemeColor(result.isError ? 'errorForeground' : 'editorCodeLens.foreground'),
        },
      },
    }]);
  }

  /** For tests. */
  state(): unknown[] {
    return [...this.results.values()].map((r) => ({
      document: r.document.toString(),
      line: r.endLine,
      startLine: r.startLine,
      text: r.text,
      isError: r.isError,
      messageId: r.message.id,
      workerIds: [...r.message.workerIds],
      answered: r.message.responses.size,
      source: r.source,
    }));
  }

  dispose(): void {
    this.unbindTracker?.();
    for (const d of this.disposables) d.dispose();
  }
}

export function registerEvaluateSelection(_context: vscode.ExtensionContext, session: RrqSession): vscode.Disposable {
  const evaluator = new InlineEvaluator(session);
  return vscode.Disposable.from(
    evaluator,
    vscode.commands.registerCommand('rrq.evaluateSelection', (arg?: unknown) => evaluator.run(arg)),
    // For tests: not contributed, so not in the command palette.
    vscode.commands.registerCommand('rrq._internal.inlineResults', () => evaluator.state()),
  );
}
