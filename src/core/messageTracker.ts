// Messages sent from one user interface and the answers they get, for showing them: each
// sent message with its per-worker response (or "pending"), and round-trip times. Answers
// arrive through events; nothing polls.
import type { Controller } from './controller';
import { decodeResponse } from './messages';
import type { EventRecord } from './protocol';

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

  constructor(private readonly ctl: Controller, private readonly keep = 200) {}

  /** Newest first. */
  get all(): readonly TrackedMessage[] {
    return this.messages;
  }

  onDidChange(listener: (message: TrackedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Send a message and track it; resolves with the record once sent (answers come later). */
  async send(command: string, args: unknown, workerIds?: readonly string[]): Promise<TrackedMessage> {
    const sentAt = Date.now();
    const sent = await this.ctl.messageSendTo(command, args, workerIds === undefined ? {} : { workerIds });
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

  /** Feed every queue event here (e.g. from WorkerMonitor.onEvent). */
  handleEvent(event: EventRecord): void {
    if (event.command !== 'RESPONSE' || !event.ref) return;
    const message = this.byId.get(event.ref);
    if (!message || message.responses.has(event.worker) || !message.workerIds.includes(event.worker)) return;
    if (event.response !== undefined) {
      this.record(message, event.worker, decodeResponse(event.response));
    } else {
      void this.collect(message, [event.worker]);
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
    const pipeline = this.ctl.redis.pipeline();
    for (const w of missing) pipeline.hget(this.ctl.keys.workerResponse(w), message.id);
    const results = (await pipeline.exec()) ?? [];
    missing.forEach((w, i) => {
      const text = results[i]?.[1];
      if (typeof text === 'string' && !message.responses.has(w)) this.record(message, w, decodeResponse(text));
    });
  }

  private record(message: TrackedMessage, worker: string, value: unknown): void {
    message.responses.set(worker, { value, roundTripMs: Date.now() - message.sentAt });
    // The answer now lives here; leave nothing behind in Redis.
    this.ctl.redis.hdel(this.ctl.keys.workerResponse(worker), message.id).catch(() => {});
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
