// rrq's idle timeout: a worker with nothing to do for `timeoutIdle` seconds stops. Work (a task,
// or a message that counts as activity) restarts the timer.
export class IdleTimer {
  private since = Date.now();

  /** Seconds without work before the worker stops (Infinity: never). */
  constructor(private timeout: number) {}

  get timeoutIdle(): number {
    return this.timeout;
  }

  /** Set a new timeout (seconds, Infinity for none) and restart the timer. */
  set(timeoutSeconds: number): void {
    this.timeout = timeoutSeconds;
    this.reset();
  }

  reset(): void {
    this.since = Date.now();
  }

  /** Milliseconds until the timeout (Infinity when there is none; 0 or less when it is up). */
  remainingMs(): number {
    if (!Number.isFinite(this.timeout)) return Infinity;
    return this.timeout * 1000 - (Date.now() - this.since);
  }
}
