// Starting workers as child processes of this process (rrq's worker_spawn). Each child runs
// dist/worker.js; its stdout/stderr go to `<logdir>/<worker id>`. Spawning resolves once every
// worker has announced itself (its ALIVE event) and fails, with the logs, if one dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secondsToMs, type ControllerContext } from './context';
import { quoteList, TimeoutError } from './errors';
import { workerIds as makeWorkerIds } from './ids';
import { MAX_SPAWN } from './protocol';
import { workerMarkGone } from './workers';

export interface WorkerSpawnOptions {
  /** Folder for the workers' log files (default: a folder under the system temp folder). */
  logdir?: string;
  /** Seconds to wait for all workers to be alive (default 600). */
  timeout?: number;
  /** Name of a stored worker config (default `localhost`). */
  config?: string;
  /** Node executable (default: this process's; under Electron it runs as Node). */
  nodePath?: string;
  /** Path of the worker program (default: worker.js beside this bundle). */
  workerScript?: string;
  /** Extra environment variables for the workers. */
  env?: Record<string, string>;
}

export interface WorkerSpawnHandle {
  readonly ids: string[];
  readonly logdir: string;
  /** Ask the workers to stop (STOP message) and wait until their processes exit. */
  stop(options?: { timeout?: number }): Promise<void>;
  /** Kill the processes (SIGKILL) and record them as EXITED. */
  kill(): Promise<void>;
  /** Whether the worker's process (or, with no id, every process of this handle) is running. */
  isAlive(id?: string): boolean;
  /** Log file lines of a worker. */
  logs(id: string): string[];
  /** Resolves when every process has exited. */
  exited(): Promise<void>;
}

export function defaultLogdir(queueId: string): string {
  return join(tmpdir(), `rrq-${process.getuid?.() ?? 'user'}`, queueId.replace(/[^\w.-]/g, '_'));
}

export function defaultWorkerScript(): string {
  return join(__dirname, 'worker.js');
}

function readLog(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
  } catch {
    return [];
  }
}

/** What to start, worked out and checked before anything starts. */
interface SpawnPlan {
  ids: string[];
  logdir: string;
  timeoutMs: number;
  command: string;
  args: (workerId: string) => string[];
  env: NodeJS.ProcessEnv;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
}

interface Child {
  id: string;
  process: ChildProcess;
  logFile: string;
  exit: Promise<ExitInfo>;
  exitInfo: ExitInfo | null;
  killedByUs: boolean;
  /** Resolves after the exit has been recorded in Redis. */
  settled: Promise<void>;
}

/** Lets one waiter sleep until something happens or its time is up. */
class Wakeup {
  private resolve: (() => void) | null = null;

  wake(): void {
    this.resolve?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.resolve = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.resolve = done;
    });
  }
}

function planSpawn(ctx: ControllerContext, n: number, options: WorkerSpawnOptions): SpawnPlan {
  if (!Number.isInteger(n) || n < 1) throw new Error(`workerSpawn: n must be a positive integer, not ${n}`);
  if (n > MAX_SPAWN) throw new Error(`workerSpawn: at most ${MAX_SPAWN} workers at once (asked for ${n}); call it again for more`);
  const timeoutMs = secondsToMs(options.timeout, 600);
  const logdir = options.logdir ?? defaultLogdir(ctx.keys.queueId);
  mkdirSync(logdir, { recursive: true });
  const script = options.workerScript ?? defaultWorkerScript();
  if (!existsSync(script)) throw new Error(`Worker program not found at ${script}; run 'npm run build' first`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    // The URL carries the password, so it goes through the environment, never the command line.
    RRQ_REDIS_URL: ctx.target.url,
  };
  if (process.versions.electron && !options.nodePath) env.ELECTRON_RUN_AS_NODE = '1';
  const config = options.config ? ['--config', options.config] : [];
  return {
    ids: makeWorkerIds(n),
    logdir,
    timeoutMs,
    command: options.nodePath ?? process.execPath,
    args: (workerId) => [script, '--queue-id', ctx.keys.queueId, '--worker-id', workerId, ...config],
    env,
  };
}

function startChild(plan: SpawnPlan, id: string, wakeup: Wakeup): Child {
  const logFile = join(plan.logdir, id);
  const fd = openSync(logFile, 'a');
  const proc = spawn(plan.command, plan.args(id), { env: plan.env, stdio: ['ignore', fd, fd], detached: true, windowsHide: true });
  closeSync(fd);
  proc.unref();
  const child: Child = {
    id, process: proc, logFile, exitInfo: null, killedByUs: false, exit: Promise.resolve({ code: null, signal: null }), settled: Promise.resolve(),
  };
  child.exit = new Promise((resolve) => {
    const exited = (info: ExitInfo) => {
      child.exitInfo ??= info;
      resolve(child.exitInfo);
      wakeup.wake();
    };
    proc.once('error', (spawnError) => exited({ code: -1, signal: null, spawnError }));
    proc.once('exit', (code, signal) => exited({ code, signal }));
  });
  return child;
}

function describeExit({ code, signal }: ExitInfo): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/**
 * A worker that dies without saying goodbye is recorded as LOST (or EXITED if we killed it),
 * by whoever spawned it, without anyone having to ask.
 */
function recordExit(ctx: ControllerContext, child: Child): Promise<void> {
  return child.exit.then(async (info) => {
    const how = describeExit(info);
    try {
      await workerMarkGone(ctx, child.id, child.killedByUs ? 'EXITED' : 'LOST', child.killedByUs ? `KILLED (${how})` : `process ended (${how})`);
    } catch {
      // The controller may be closed already; a later detection pass will catch it.
    }
  });
}

/** Resolves when every worker said ALIVE; throws with the logs when one dies first or time runs out. */
async function waitUntilAlive(plan: SpawnPlan, children: Child[], alive: ReadonlySet<string>, wakeup: Wakeup): Promise<void> {
  const deadline = Date.now() + plan.timeoutMs;
  for (;;) {
    const dead = children.find((c) => c.exitInfo && !alive.has(c.id));
    if (dead) {
      const info = dead.exitInfo!;
      const log = readLog(dead.logFile).join('\n');
      throw new Error(
        `Worker '${dead.id}' died during start-up (${info.spawnError ? info.spawnError.message : describeExit(info)}).`
        + (log ? ` Its log (${dead.logFile}):\n${log}` : ` Its log (${dead.logFile}) is empty.`),
      );
    }
    if (alive.size === plan.ids.length) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const waiting = plan.ids.filter((id) => !alive.has(id));
      const logs = waiting.map((id) => `--- ${id} ---\n${readLog(join(plan.logdir, id)).join('\n')}`).join('\n');
      throw new TimeoutError(`${waiting.length} worker(s) not alive after ${plan.timeoutMs / 1000} s: ${quoteList(waiting)}\n${logs}`);
    }
    await wakeup.sleep(remaining);
  }
}

async function killAll(children: Child[]): Promise<void> {
  for (const c of children) {
    if (!c.exitInfo) {
      c.killedByUs = true;
      c.process.kill('SIGKILL');
    }
  }
  await Promise.all(children.map((c) => c.settled));
}

function spawnHandle(
  plan: SpawnPlan, children: Child[], stopWorkers: (ids: string[], timeoutSeconds: number) => Promise<void>,
): WorkerSpawnHandle {
  const byId = new Map(children.map((c) => [c.id, c]));
  const childOf = (id: string) => {
    const c = byId.get(id);
    if (!c) throw new Error(`Worker '${id}' was not spawned by this handle`);
    return c;
  };
  const exited = async () => {
    await Promise.all(children.map((c) => c.settled));
  };
  return {
    ids: plan.ids,
    logdir: plan.logdir,
    async stop({ timeout = 30 } = {}) {
      const running = children.filter((c) => !c.exitInfo).map((c) => c.id);
      if (running.length > 0) await stopWorkers(running, timeout);
      await exited();
    },
    kill: () => killAll(children),
    isAlive: (id?: string) => (id !== undefined ? !childOf(id).exitInfo : children.every((c) => !c.exitInfo)),
    logs: (id: string) => readLog(childOf(id).logFile),
    exited,
  };
}

export async function workerSpawn(
  ctx: ControllerContext,
  n: number,
  options: WorkerSpawnOptions,
  stopWorkers: (ids: string[], timeoutSeconds: number) => Promise<void>,
): Promise<WorkerSpawnHandle> {
  const plan = planSpawn(ctx, n, options);
  const wakeup = new Wakeup();
  // Listen before starting anything, so no ALIVE can be missed.
  const alive = new Set<string>();
  const unlisten = await ctx.events.listen((e) => {
    if (e.command === 'ALIVE' && plan.ids.includes(e.worker)) {
      alive.add(e.worker);
      wakeup.wake();
    }
  });
  const children = plan.ids.map((id) => startChild(plan, id, wakeup));
  for (const child of children) child.settled = recordExit(ctx, child);
  try {
    await waitUntilAlive(plan, children, alive, wakeup);
  } catch (err) {
    await killAll(children); // All or nothing: do not leave the rest running.
    throw err;
  } finally {
    unlisten();
  }
  return spawnHandle(plan, children, stopWorkers);
}
