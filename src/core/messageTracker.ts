// Messages sent from one user interface and the answers they get, for showing them: each
// sent message with its per-worker response (or "pending"), and round-trip times. Answers
// arrive through the queue's events (RESPONSE, usually with the response inline); nothing
// polls. Reads, decoding and deletions go through responses.ts like every other reader's.
import type { ControllerContext } from './context';
import { NoActiveWorkersError } from './errors';
import { RECONNECTED } from './events';
import { messageSendTo } from './messages';
import type { EventRecord } from './protocol';
import { decodeResponse, readResponses } from './responses';

export interface TrackedResponse {
  /** Decoded value (an Error value for failures). */
  value: unknown;
  /** Milliseconds from sending to the answer being seen. */
  roundTripMs: number;
}

export interface TrackedMessage {
  id: string;
  command: string;
  args: unknown;
  workerIds: string[];
  /** When it was sent (ms since the epoch, this machine's clock). */
  sentAt: number;
  responses: Map<string, TrackedResponse>;
}

export class MessageTracker {
  private readonly messages: TrackedMessage[] = [];
  private readonly byId = new Map<string, TrackedMessage>();
  private readonly listeners = new Set<(message: TrackedMessage) => void>();
  private unlisten: (() => void) | null = null;

  constructor(private readonly ctx: ControllerContext, private readonly keep = 200) {}

  /** Start hearing answers (resolves once subscribed). */
  async start(): Promise<void> {
    this.unlisten ??= await this.ctx.events.listen((event) => this.handleEvent(event));
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
    this.listeners.clear();
  }

  /** Newest first. */
  get all(): readonly TrackedMessage[] {
    return this.messages;
  }

  onDidChange(listener: (message: TrackedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Send a message and track it; resolves with the record once sent (answers come later).
   * Without worker ids it goes to every worker active when it is sent (the send script picks
   * them, so a worker that exits meanwhile cannot fail it); with none active it throws
   * NoActiveWorkersError.
   */
  async send(command: string, args: unknown, workerIds?: readonly string[]): Promise<TrackedMessage> {
    const sentAt = Date.now();
    const sent = await messageSendTo(this.ctx, command, args, workerIds === undefined ? {} : { workerIds });
    if (sent.workerIds.length === 0) throw new NoActiveWorkersError(`Message ${command.toUpperCase()} not sent: there are no active workers`);
    const message: TrackedMessage = {
      id: sent.id, command: command.toUpperCase(), args, workerIds: sent.workerIds, sentAt, responses: new Map(),
    };
    this.messages.unshift(message);
    this.byId.set(message.id, message);
    for (const old of this.messages.splice(this.keep)) this.byId.delete(old.id);
    this.emit(message);
    // An answer may have come before this record existed: look once.
    await this.collect(message, message.workerIds);
    return message;
  }

  private handleEvent(event: EventRecord): void {
    if (event.command === RECONNECTED) {
      // Answers published while the subscriber was away were missed: look for them.
      // A read that fails now is retried on the next event or reconnect.
      for (const message of this.messages) void this.collect(message, message.workerIds).catch(() => {});
      return;
    }
    if (event.command !== 'RESPONSE' || !event.ref) return;
    const message = this.byId.get(event.ref);
    if (!message || message.responses.has(event.worker) || !message.workerIds.includes(event.worker)) return;
    if (event.response !== undefined) {
      this.record(message, event.worker, decodeResponse(event.response));
    } else {
      void this.collect(message, [event.worker]).catch(() => { /* the next event or reconnect looks again */ });
    }
  }

  /** Resolves when every worker answered, or after timeoutMs with what there is. */
  whenAnswered(message: TrackedMessage, timeoutMs: number): Promise<TrackedMessage> {
    if (message.responses.size >= message.workerIds.length) return Promise.resolve(message);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve(message);
      };
      const timer = setTimeout(done, timeoutMs);
      const stop = this.onDidChange((m) => {
        if (m === message && m.responses.size >= m.workerIds.length) done();
      });
    });
  }

  private async collect(message: TrackedMessage, workers: string[]): Promise<void> {
    const missing = workers.filter((w) => !message.responses.has(w));
    if (missing.length === 0) return;
    const texts = await readResponses(this.ctx.redis, this.ctx.keys, message.id, missing);
    missing.forEach((w, i) => {
      const text = texts[i];
      if (typeof text === 'string' && !message.responses.has(w)) this.record(message, w, decodeResponse(text));
    });
  }

  private record(message: TrackedMessage, worker: string, value: unknown): void {
    message.responses.set(worker, { value, roundTripMs: Date.now() - message.sentAt });
    // The answer now lives here; leave nothing behind in Redis.
    this.ctx.janitor.add([worker], message.id);
    this.emit(message);
  }

  private emit(message: TrackedMessage): void {
    for (const listener of [...this.listeners]) listener(message);
  }

  clear(): void {
    this.messages.length = 0;
    this.byId.clear();
  }
}
