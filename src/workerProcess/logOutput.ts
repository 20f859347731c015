// The worker's human-readable log (its stdout, which a spawning controller points at the log
// file). Lines written during one turn of the event loop go out in one write, after whatever
// the worker sent to Redis in that turn, so the log file never delays an answer.
export class LogOutput {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly write: (text: string) => void = (text) => process.stdout.write(text)) {}

  line(text: string): void {
    this.pending.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.write(text);
  }
}
