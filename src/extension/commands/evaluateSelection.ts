// rrq.evaluateSelection: the selection (or the cursor's line) of a JavaScript or TypeScript
// editor goes to workers as an EVAL (TypeScript stripped to JavaScript with esbuild first);
// the answers appear in the responses panel and inline after the selection (inlineEvaluator.ts).
// Automation: { workerIds } skips the worker pick.
import { createRequire } from 'node:module';
import type * as EsbuildModule from 'esbuild';
import * as vscode from 'vscode';
import { errorMessage } from '../log';
import type { CommandContext } from './context';
import { Notice, pickWorkers, sendTracked, type Targets } from './support';

const LANGUAGES = new Set(['javascript', 'typescript', 'javascriptreact', 'typescriptreact']);
const LOADERS: Record<string, 'ts' | 'tsx' | 'jsx'> = { typescript: 'ts', typescriptreact: 'tsx', javascriptreact: 'jsx' };

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

type Esbuild = typeof EsbuildModule;
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

function isOptions(value: unknown): value is EvaluateSelectionOptions {
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri) && Array.isArray((value as EvaluateSelectionOptions).workerIds);
}

function activeCodeEditor(): vscode.TextEditor {
  if (!vscode.workspace.isTrusted) {
    throw new Notice('evaluating editor code on workers is disabled in an untrusted workspace. Trust the workspace to use it.');
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || !LANGUAGES.has(editor.document.languageId)) {
    throw new Notice('open a JavaScript or TypeScript editor to evaluate its selection on workers.');
  }
  return editor;
}

export async function evaluateSelection(ctx: CommandContext, arg?: unknown): Promise<EvaluateSelectionResult> {
  const { document, selection } = activeCodeEditor();
  const range = evaluationRange(document, selection);
  const code = document.getText(range);
  if (code.trim() === '') throw new Notice('nothing to evaluate: select some code or put the cursor on a line with code.');
  const version = document.version;
  let source: string;
  try {
    source = await toJavaScript(code, document.languageId);
  } catch (err) {
    throw new Error(`cannot strip the TypeScript: ${errorMessage(err)}`, { cause: err });
  }
  await ctx.session.connected();
  const targets: Targets = isOptions(arg) ? arg.workerIds! : await pickWorkers(ctx.session, 'rrq: Evaluate Selection on Workers');
  const message = await sendTracked(ctx, 'EVAL', source, targets);
  ctx.inline.show(document, version, range, message, source);
  try {
    ctx.responses.show({ preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
  } catch (err) {
    ctx.log.swallow('opening the responses panel after an inline EVAL')(err); // the answer still shows inline
  }
  return { messageId: message.id, workerIds: [...message.workerIds], source };
}
