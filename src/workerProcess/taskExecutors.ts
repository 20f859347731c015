// The worker's side of its task hosts: one long-lived thread that runs the tasks one at a time
// (started with the worker, its environment kept between tasks), or, for a task that asks for
// it, a process of its own. Stopping a task (cancel, timeout) ends its host: a thread is
// replaced by a fresh one, a process is killed. The worker itself goes on.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import taskHostSource from 'rrq:task-host';
import { encodeValue } from '../core/encoding';
import type { TaskRunFields } from '../core/tasks';
import { TASK_PROCESS_FLAG, type FromHost, type TaskHostStart, type ToHost } from './taskHostProtocol';

export interface RunHooks {
  /** An encoded progress value. */
  onProgress(value: string): void;
  onOutput(text: string): void;
}

export interface HostOutcome {
  status: 'COMPLETE' | 'ERROR';
  /** Encoded result (the Error for ERROR). */
  result: string;
}

export interface Execution {
  readonly done: Promise<HostOutcome>;
  /** End the task now (its host is ended); `done` then never matters. */
  stop(): void;
}

export interface EnvironmentState {
  builtAt: number;
  error?: string;
}

/** The program task hosts run: the worker bundle beside this one (the worker and the CLI bundle alike). */
export function taskHostScript(): string {
  const beside = join(__dirname, 'worker.js');
  return existsSync(beside) ? beside : __filename;
}

function hostFailure(what: string): HostOutcome {
  const error = new Error(what);
  delete error.stack; // the worker's own stack says nothing about the task
  return { status: 'ERROR', result: encodeValue(error) };
}

/** The long-lived task thread. */
export class TaskThread {
  private thread: Thread | null = null;
  private starting: Promise<EnvironmentState> | null = null;
  private readonly listeners = new Set<(message: FromHost) => void>();
  private exitListeners = new Set<(why: string) => void>();
  state: EnvironmentState = { builtAt: 0 };

  /** `script`: the worker program's file (what a task host looks up packages beside). */
  constructor(private envir: string | null, private readonly script = taskHostScript()) {}

  /** Start the thread (if not running) and build the environment. */
  start(): Promise<EnvironmentState> {
    this.starting ??= new Promise<EnvironmentState>((resolve, reject) => {
      const workerData: TaskHostStart = { rrqTaskHost: true, envir: this.envir, modulePath: this.script };
      const thread = new Thread(taskHostSource, { eval: true, workerData, stdout: false, stderr: false });
      this.thread = thread;
      let ready = false;
      thread.on('message', (message: FromHost) => {
        if (message.type === 'ready') {
          ready = true;
          this.state = { builtAt: message.builtAt, ...(message.error ? { error: message.error } : {}) };
          resolve(this.state);
        }
        for (const listener of [...this.listeners]) listener(message);
      });
      const ended = (why: string) => {
        if (this.thread !== thread) return;
        this.thread = null;
        this.starting = null;
        if (!ready) reject(new Error(`The task thread could not start: ${why}`));
        for (const listener of [...this.exitListeners]) listener(why);
      };
      thread.on('error', (err) => ended(err.stack ?? err.message));
      thread.on('exit', (code) => ended(`it exited (code ${code})`));
    });
    return this.starting;
  }

  private post(message: ToHost): void {
    this.thread!.postMessage(message);
  }

  run(id: string, task: TaskRunFields, hooks: RunHooks): Execution {
    let settle: (outcome: HostOutcome) => void = () => {};
    const done = new Promise<HostOutcome>((resolve) => { settle = resolve; });
    const onMessage = (m: FromHost) => {
      if (!('id' in m) || m.id !== id) return;
      if (m.type === 'progress') hooks.onProgress(m.value);
      else if (m.type === 'output') hooks.onOutput(m.text);
      else if (m.type === 'done') finish({ status: m.status, result: m.result });
    };
    const onExit = (why: string) => finish(hostFailure(`The task's thread stopped while running it: ${why}`));
    const finish = (outcome: HostOutcome) => {
      this.listeners.delete(onMessage);
      this.exitListeners.delete(onExit);
      settle(outcome);
    };
    this.listeners.add(onMessage);
    this.exitListeners.add(onExit);
    this.start().then(() => this.post({ type: 'run', id, task }), (err: Error) => finish(hostFailure(err.message)));
    return {
      done,
      stop: () => {
        const thread = this.thread;
        finish(hostFailure('stopped'));
        this.thread = null;
        this.starting = null;
        void thread?.terminate();
      },
    };
  }

  /** Evaluate an EVAL message's source in the thread's global scope; its value (or error), encoded. */
  evaluate(id: string, source: string, onOutput: (text: string) => void): Promise<string> {
    return new Promise<string>((resolve) => {
      const onMessage = (m: FromHost) => {
        if (!('id' in m) || m.id !== id) return;
        if (m.type === 'output') onOutput(m.text);
        else if (m.type === 'evaluated') finish(m.value);
      };
      const onExit = (why: string) => finish(hostFailure(`The worker's thread stopped during the EVAL: ${why}`).result);
      const finish = (value: string) => {
        this.listeners.delete(onMessage);
        this.exitListeners.delete(onExit);
        resolve(value);
      };
      this.listeners.add(onMessage);
      this.exitListeners.add(onExit);
      this.start().then(() => this.post({ type: 'eval', id, source }), (err: Error) => finish(hostFailure(err.message).result));
    });
  }

  /** Rebuild the environment (REFRESH), with a new module path when the queue's was changed. */
  async refresh(envir: string | null): Promise<EnvironmentState> {
    this.envir = envir;
    if (!this.thread) return this.start();
    await this.start();
    return new Promise<EnvironmentState>((resolve) => {
      const onMessage = (m: FromHost) => {
        if (m.type !== 'refreshed') return;
        this.listeners.delete(onMessage);
        this.state = { builtAt: m.builtAt, ...(m.error ? { error: m.error } : {}) };
        resolve(this.state);
      };
      this.listeners.add(onMessage);
      this.post({ type: 'refresh', envir });
    });
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    this.starting = null;
    await thread?.terminate();
  }
}

/** Run one task in a process of its own (the task's separateProcess option). */
export function runInProcess(envir: string | null, id: string, task: TaskRunFields, hooks: RunHooks, script = taskHostScript()): Execution {
  // The task's process needs no Redis: it does not get the URL (nor its password).
  const { RRQ_REDIS_URL: _url, ...env } = process.env;
  const child = fork(script, [TASK_PROCESS_FLAG], {
    env: { ...env, RRQ_TASK_ENVIR: envir ?? '' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let settled = false;
  let settle: (outcome: HostOutcome) => void = () => {};
  const done = new Promise<HostOutcome>((resolve) => { settle = resolve; });
  const finish = (outcome: HostOutcome) => {
    if (settled) return;
    settled = true;
    settle(outcome);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  child.stdout?.on('data', (chunk: Buffer) => hooks.onOutput(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => hooks.onOutput(chunk.toString('utf8')));
  child.on('message', (m: FromHost) => {
    if (m.type === 'ready') child.send({ type: 'run', id, task } satisfies ToHost);
    else if (m.type === 'progress' && m.id === id) hooks.onProgress(m.value);
    else if (m.type === 'output' && m.id === id) hooks.onOutput(m.text);
    else if (m.type === 'done' && m.id === id) finish({ status: m.status, result: m.result });
  });
  child.on('error', (err) => finish(hostFailure(`The task's process could not run: ${err.message}`)));
  child.on('exit', (code, signal) => finish(hostFailure(`The task's process ended before the task did (${signal ? `signal ${signal}` : `exit code ${code}`})`)));
  return { done, stop: () => finish(hostFailure('stopped')) };
}
