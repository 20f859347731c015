// rrq.showResponses: open (or reveal) the responses panel.
import * as vscode from 'vscode';
import type { ShowResponsesOptions } from '../responsesPanel';
import type { CommandContext } from './context';

function isOptions(a: unknown): a is ShowResponsesOptions {
  return typeof a === 'object' && a !== null && !(a instanceof vscode.Uri);
}

export function showResponses(ctx: CommandContext, options?: unknown): void {
  ctx.responses.show(isOptions(options) ? options : {});
}
