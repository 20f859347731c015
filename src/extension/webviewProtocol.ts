// The messages between the extension host and the responses webview, declared once for both
// sides: src/extension/responsesPanel.ts (host) imports them, and media/responses.js (webview)
// imports them with JSDoc `import()` types and is checked against them by `tsc -p media`
// (`npm run typecheck`). Types only: no runtime code and no imports, so the webview's project
// (DOM lib, no Node or `vscode` types) can check this file too.

/** One worker's line of a message in the panel. */
export interface ViewResponse {
  worker: string;
  state: 'pending' | 'ok' | 'error';
  /** The value (pretty-printed), the error's "Name: message", or "pending". */
  text: string;
  /** Errors: the stack and extra properties. */
  detail?: string;
  roundTripMs: number | null;
}

/** One tracked message as posted to the webview (JSON-safe). */
export interface ViewMessage {
  id: string;
  command: string;
  /** The argument as text ('' when there is none). */
  args: string;
  /** ms since the epoch. */
  sentAt: number;
  sentAtIso: string;
  responses: ViewResponse[];
  answered: number;
}

/** Host -> webview. */
export type ToWebview =
  | { type: 'reset'; messages: ViewMessage[]; connection: string }
  /** Changed or new messages (new ones go on top); the list then keeps the newest `total`. */
  | { type: 'upsert'; messages: ViewMessage[]; total: number }
  | { type: 'connection'; connection: string }
  | { type: 'copied'; id: string; worker: string }
  | { type: 'probe'; token: string };

/** Webview -> host. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'copy'; id: string; worker: string }
  | { type: 'clear' }
  | { type: 'probeResult'; token: string; report: unknown };
