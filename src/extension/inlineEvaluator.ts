// The inline results of "rrq: Evaluate Selection on Workers": after the evaluated code, a
// decoration with the answers as they arrive ("⇒ worker_1: 2", "⇒ 3 workers: 2", "pending…"),
// one per document, following its lines as the document is edited above them and cleared
// when the evaluated code itself changes. The command is commands/evaluateSelection.ts.
import * as vscode from 'vscode';
import type { MessageTracker, TrackedMessage } from '../core/messageTracker';
import { inlineSummary } from './responsesView';
import type { RrqSession } from './session';

interface InlineResult {
  document: vscode.Uri;
  startLine: number;
  endLine: number;
  message: TrackedMessage;
  source: string;
  text: string;
  isError: boolean;
}

/** An inline result as tests and other extensions see it. */
export interface InlineResultState {
  document: string;
  line: number;
  startLine: number;
  text: string;
  isError: boolean;
  messageId: string;
  workerIds: string[];
  answered: number;
  source: string;
}

/** The line the result goes after: the range's last line, not counting a line it only ends at the start of. */
function resultLine(range: vscode.Range): number {
  return range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
}

export class InlineEvaluator implements vscode.Disposable {
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

  /** Show the answers to `message` after `range`, unless the document changed since `version`. */
  show(document: vscode.TextDocument, version: number, range: vscode.Range, message: TrackedMessage, source: string): void {
    this.bind();
    if (document.version !== version || document.isClosed) return; // the place is gone
    this.results.set(document.uri.toString(), {
      document: document.uri, startLine: range.start.line, endLine: resultLine(range), message, source, ...inlineSummary(message),
    });
    this.applyTo(document.uri);
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

  /** What is shown, per document (for tests and other extensions). */
  state(): InlineResultState[] {
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
