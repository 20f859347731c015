// Pure helpers of the responses panel and the inline EVAL results (no `vscode` here, so they
// are easy to test): decoded values as display text (util.inspect, errors as name + message),
// tracked messages as the plain data posted to the webview, and the webview's HTML shell.
// The webview builds its DOM from that data with textContent only; nothing here is HTML
// except the shell, whose few interpolated values are escaped.
import { randomBytes } from 'node:crypto';
import { inspect, types } from 'node:util';
import type { TrackedMessage, TrackedResponse } from '../core/messageTracker';
import type { ViewMessage, ViewResponse } from './webviewProtocol';

/** A value ready to show: `text` is what a person reads, `detail` the longer form (e.g. a stack). */
export interface FormattedValue {
  text: string;
  isError: boolean;
  detail?: string;
}

/** Longest text shown in the panel for one value; the copy button copies everything. */
export const MAX_SHOWN = 20_000;

const PANEL_INSPECT = {
  depth: 6, colors: false, maxArrayLength: 200, maxStringLength: 100_000, breakLength: 80, compact: 3, sorted: false,
} as const;
const LINE_INSPECT = {
  depth: 3, colors: false, maxArrayLength: 20, maxStringLength: 200, breakLength: Infinity, compact: true, sorted: false,
} as const;

export function isErrorValue(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function errorHeadline(error: Error): string {
  const name = typeof error.name === 'string' && error.name ? error.name : 'Error';
  const message = typeof error.message === 'string' ? error.message : String(error.message);
  return message ? `${name}: ${message}` : name;
}

/**
 * A decoded value as display text, like Node's REPL shows it: strings quoted, Map, Set,
 * BigInt (2n), Infinity, NaN, undefined, Date, nested errors all visible. A top-level Error
 * is "Name: message" (flagged, shown in the error colour) with its inspect() as the detail.
 */
export function formatValue(value: unknown, options: { maxLength?: number } = {}): FormattedValue {
  const max = options.maxLength ?? Infinity;
  if (isErrorValue(value)) {
    let detail: string;
    try {
      detail = inspect(value, PANEL_INSPECT);
    } catch {
      detail = String(value.stack ?? '');
    }
    return { text: truncate(errorHeadline(value), max), isError: true, detail: truncate(detail, max) };
  }
  let text: string;
  try {
    text = inspect(value, PANEL_INSPECT);
  } catch (err) {
    text = `[value cannot be shown: ${(err as Error).message}]`;
  }
  return { text: truncate(text, max), isError: false };
}

/** One line for an inline decoration: compact, at most `max` characters. */
export function formatValueInline(value: unknown, max = 100): FormattedValue {
  if (isErrorValue(value)) return { text: truncate(oneLine(errorHeadline(value)), max), isError: true };
  let text: string;
  try {
    text = inspect(value, LINE_INSPECT);
  } catch (err) {
    text = `[value cannot be shown: ${(err as Error).message}]`;
  }
  return { text: truncate(oneLine(text), max), isError: false };
}

/** The argument of a message as text: source code as is, anything else inspected. */
export function formatArgs(args: unknown): string {
  if (args === undefined) return '';
  if (typeof args === 'string') return truncate(args, MAX_SHOWN);
  return formatValue(args, { maxLength: MAX_SHOWN }).text;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

// Formatting hundreds of values on every change would be wasteful: each response and each
// message's argument is formatted once (responses never change once recorded).
const responseCache = new WeakMap<TrackedResponse, ViewResponse>();
const argsCache = new WeakMap<TrackedMessage, string>();

export function viewResponse(worker: string, response: TrackedResponse | undefined): ViewResponse {
  if (!response) return { worker, state: 'pending', text: 'pending', roundTripMs: null };
  const cached = responseCache.get(response);
  if (cached && cached.worker === worker) return cached;
  const f = formatValue(response.value, { maxLength: MAX_SHOWN });
  const view: ViewResponse = {
    worker, state: f.isError ? 'error' : 'ok', text: f.text, roundTripMs: Math.round(response.roundTripMs),
    ...(f.detail !== undefined ? { detail: f.detail } : {}),
  };
  responseCache.set(response, view);
  return view;
}

/** A tracked message as the JSON-safe record the webview renders. */
export function viewMessage(message: TrackedMessage): ViewMessage {
  let args = argsCache.get(message);
  if (args === undefined) {
    args = formatArgs(message.args);
    argsCache.set(message, args);
  }
  // Target workers first, in the order sent; then any other answer (should not happen).
  const workers = [...message.workerIds, ...[...message.responses.keys()].filter((w) => !message.workerIds.includes(w))];
  return {
    id: message.id,
    command: message.command,
    args,
    sentAt: message.sentAt,
    sentAtIso: new Date(message.sentAt).toISOString(),
    responses: workers.map((w) => viewResponse(w, message.responses.get(w))),
    answered: message.responses.size,
  };
}

/** The full text of one response, for the clipboard (not truncated). */
export function copyText(message: TrackedMessage, worker: string): string | undefined {
  const response = message.responses.get(worker);
  if (!response) return undefined;
  const f = formatValue(response.value);
  return f.isError && f.detail ? f.detail : f.text;
}

/** Text for the inline decoration after an evaluated selection. */
export function inlineSummary(message: Pick<TrackedMessage, 'workerIds' | 'responses'>, max = 120): FormattedValue {
  const workers = message.workerIds;
  const parts = workers.map((w) => {
    const r = message.responses.get(w);
    return r ? formatValueInline(r.value, max) : null;
  });
  const anyError = parts.some((p) => p?.isError === true);
  if (workers.length === 0) return { text: '⇒ no workers', isError: true };
  if (workers.length === 1) {
    const p = parts[0];
    return { text: truncate(`⇒ ${workers[0]}: ${p ? p.text : 'pending…'}`, max + 40), isError: anyError };
  }
  const answered = parts.filter((p): p is FormattedValue => p !== null);
  if (answered.length === 0) return { text: `⇒ ${workers.length} workers: pending…`, isError: false };
  if (answered.length === workers.length && answered.every((p) => p.text === answered[0]!.text && p.isError === answered[0]!.isError)) {
    return { text: `⇒ ${workers.length} workers: ${answered[0]!.text}`, isError: anyError };
  }
  const text = workers.map((w, i) => `${w}: ${parts[i] ? parts[i]!.text : 'pending…'}`).join(' | ');
  return { text: truncate(`⇒ ${text}`, max + 40), isError: anyError };
}

/** Escapes text for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escapes text for a double-quoted HTML attribute value. */
function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The Content-Security-Policy of the panel: nothing but our stylesheet and our nonce'd script. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** The webview's HTML: an empty shell; media/responses.js fills it from posted data. */
export function renderShell(options: { cspSource: string; nonce: string; scriptUri: string; styleUri: string }): string {
  const { cspSource, nonce, scriptUri, styleUri } = options;
  const csp = contentSecurityPolicy(cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(styleUri)}">
<title>rrq: Responses</title>
</head>
<body>
<header class="toolbar">
<h1>Responses</h1>
<span id="status" class="status" role="status" aria-live="polite"></span>
<button id="clear" type="button" class="secondary" title="Forget the messages listed here">Clear</button>
</header>
<p id="empty" class="empty">No messages sent from this window yet. Run <strong>rrq: Evaluate Selection on Workers</strong> or <strong>rrq: Send Message...</strong>.</p>
<ol id="messages" class="messages" aria-label="Sent messages, newest first"></ol>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>`;
}

/** 32 random alphanumerics for the script nonce. */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (b) => chars[b % chars.length]).join('');
}
