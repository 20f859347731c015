// The controller's view of the queue's events channel: one subscriber connection, shared by
// every waiter. Waiters always subscribe before they look at Redis state, then re-check state
// after each wake-up, so an event can never be missed and state remains the single truth.
// With no one listening for a moment (LINGER_MS) the subscription ends, so a controller that
// has finished waiting does not go on reading every event of the queue.
import type Redis from 'ioredis';
import type { EventRecord } from './protocol';

/** Synthetic event delivered to listeners after the subscriber reconnects. */
export const RECONNECTED = 'RECONNECTED';

export type EventListener = (event: EventRecord) => void;

const LINGER_MS = 1000;

export class EventHub {
  private readonly listeners = new Set<EventListener>();
  private ready: Promise<void> | null = null;
  private subscriber: Redis | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly channel: string,
    private readonly openSubscriber: () => Promise<Redis>,
  ) {}

  /** Resolves once the channel subscription is active. */
  start(): Promise<void> {
    const starting = this.ready ??= (async () => {
      const sub = await this.openSubscriber();
      this.subscriber = sub;
      sub.on('message', (channel: string, text: string) => {
        if (channel !== this.channel) return;
        let event: EventRecord;
        try {
          event = JSON.parse(text) as EventRecord;
        } catch {
          return; // Not ours to judge: someone published garbage on the channel.
        }
        for (const listener of [...this.listeners]) listener(event);
      });
      await sub.subscribe(this.channel);
      // Events published while the connection was down are lost: make every waiter re-check.
      sub.on('ready', () => {
        const event: EventRecord = { worker: '', time: Date.now() / 1000, command: RECONNECTED, message: '' };
        for (const listener of [...this.listeners]) listener(event);
      });
    })();
    // A failed start is not kept: the next listener tries again.
    starting.catch(() => {
      if (this.ready === starting) this.ready = null;
    });
    return starting;
  }

  /** Whether the channel is subscribed now. */
  get subscribed(): boolean {
    return this.subscriber !== null;
  }

  private stopListening(listener: EventListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size > 0 || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.listeners.size > 0 || !this.subscriber) return;
      this.subscriber.disconnect();
      this.subscriber = null;
      this.ready = null;
    }, LINGER_MS);
    this.idleTimer.unref();
  }

  /** Subscribe a listener; the returned function removes it. */
  async listen(listener: EventListener): Promise<() => void> {
    this.listeners.add(listener);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    try {
      await this.start();
    } catch (err) {
      this.stopListening(listener);
      throw err;
    }
    return () => this.stopListening(listener);
  }

  /**
   * Wait until `check()` returns a value other than undefined, re-checking whenever an event
   * for which `relevant(event)` holds arrives, or until `timeoutMs` passes (then returns
   * undefined after one last check). Never polls on a fixed interval.
   */
  async waitFor<T>(
    check: () => Promise<T | undefined>,
    relevant: (event: EventRecord) => boolean,
    timeoutMs: number,
  ): Promise<T | undefined> {
    const watch = await EventWatch.start(this);
    const deadline = Date.now() + timeoutMs;
    try {
      for (let lastLook = false; ;) {
        watch.drain(); // Whatever happened before this check, the check sees.
        const value = await check();
        if (value !== undefined || lastLook) return value;
        for (let woke = false; !woke;) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) return undefined;
          if (!(await watch.next(remaining))) {
            lastLook = true;
            break;
          }
          woke = watch.drain().some((e) => e.command === RECONNECTED || relevant(e));
        }
      }
    } finally {
      watch.stop();
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const sub = this.subscriber;
    this.subscriber = null;
    this.ready = null;
    if (sub) {
      sub.disconnect();
    }
  }
}

/** Buffers events from the moment it starts, so a caller can act first and wait afterwards. */
export class EventWatch {
  private buffer: EventRecord[] = [];
  private wake: (() => void) | null = null;
  private unlisten: () => void = () => {};

  static async start(hub: EventHub): Promise<EventWatch> {
    const watch = new EventWatch();
    watch.unlisten = await hub.listen((event) => {
      watch.buffer.push(event);
      watch.wake?.();
    });
    return watch;
  }

  /** A watch that never sees anything (for answers that must not wait). */
  static idle(): EventWatch {
    return new EventWatch();
  }

  drain(): EventRecord[] {
    const events = this.buffer;
    this.buffer = [];
    return events;
  }

  /** Resolves true when an event is buffered, false when `timeoutMs` passes first. */
  next(timeoutMs: number): Promise<boolean> {
    if (this.buffer.length > 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => finish(false), Math.min(timeoutMs, 2 ** 31 - 1)) : null;
      const finish = (seen: boolean) => {
        if (timer) clearTimeout(timer);
        this.wake = null;
        resolve(seen);
      };
      this.wake = () => finish(true);
    });
  }

  stop(): void {
    this.unlisten();
    this.wake?.();
  }
}
