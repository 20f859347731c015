// Starting workers as child processes of this process (rrq's worker_spawn). Each child runs
// dist/worker.js; its stdout/stderr go to `<logdir>/<worker id>`. Spawning resolves once every
// worker has announced itself (its ALIVE event) and fails, with the logs, if one dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteList, secondsToMs, type ControllerContext } from './context';
import { workerIds as makeWorkerIds } from './ids';
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

interface Child {
  id: string;
  process: ChildProcess;
  logFile: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null;
  killedByUs: boolean;
  spawnError?: Error;
  /** Resolves after the exit has been recorded in Redis. */
  settled: Promise<void>;
}

export async function workerSpawn(
  ctx: ControllerContext,
  n: number,
  options: WorkerSpawnOptions,
  stopWorkers: (ids: string[], timeoutSeconds: number) => Promise<void>,
): Promise<WorkerSpawnHandle> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`workerSpawn: n must be a positive integer, not ${n}`);
  const timeoutMs = secondsToMs(options.timeout, 600);
  const logdir = options.logdir ?? defaultLogdir(ctx.keys.queueId);
  mkdirSync(logdir, { recursive: true });
  const script = options.workerScript ?? defaultWorkerScript();
  if (!existsSync(script)) throw new Error(`Worker program not found at ${script}; run 'npm run build' first`);
  const ids = makeWorkerIds(n);

  // Listen before starting anything, so no ALIVE can be missed.
  const alive = new Set<string>();
  let wake: () => void = () => {};
  const unlisten = await ctx.events.listen((e) => {
    if (e.command === 'ALIVE' && ids.includes(e.worker)) {
      alive.add(e.worker);
      wake();
    }
  });

  const nodePath = options.nodePath ?? process.execPath;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    // The URL carries the password, so it goes through the environment, never the command line.
    RRQ_REDIS_URL: ctx.target.url,
  };
  if (process.versions.electron && !options.nodePath) env.ELECTRON_RUN_AS_NODE = '1';

  const children: Child[] = ids.map((id) => {
    const logFile = join(logdir, id);
    const fd = openSync(logFile, 'a');
    const args = [script, '--queue-id', ctx.keys.queueId, '--worker-id', id];
    if (options.config) args.push('--config', options.config);
    const proc = spawn(nodePath, args, { env, stdio: ['ignore', fd, fd], detached: true, windowsHide: true });
    closeSync(fd);
    proc.unref();
    const child = { id, process: proc, logFile, exitInfo: null, killedByUs: false } as Child;
    child.exit = new Promise((resolve) => {
      proc.once('error', (err) => {
        child.exitInfo = { code: -1, signal: null };
        child.spawnError = err;
        resolve(child.exitInfo);
        wake();
      });
      proc.once('exit', (code, signal) => {
        child.exitInfo = { code, signal };
        resolve(child.exitInfo);
        wake();
      });
    });
    return child;
  });

  // A worker that dies without saying goodbye is recorded as LOST (or EXITED if we killed it),
  // by whoever spawned it, without anyone having to ask.
  for (const child of children) {
    child.settled = child.exit.then(async ({ code, signal }) => {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      try {
        await workerMarkGone(ctx, child.id, child.killedByUs ? 'EXITED' : 'LOST', child.killedByUs ? `KILLED (${how})` : `process ended (${how})`);
      } catch {
        // The controller may be closed already; a later detection pass will catch it.
      }
    });
  }

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const dead = children.find((c) => c.exitInfo && !alive.has(c.id));
      if (dead) {
        const how = dead.exitInfo!.signal ? `signal ${dead.exitInfo!.signal}` : `exit code ${dead.exitInfo!.code}`;
        const spawnError = dead.spawnError;
        const log = readLog(dead.logFile).join('\n');
        throw new Error(
          `Worker '${dead.id}' died during start-up (${spawnError ? spawnError.message : how}).`
          + (log ? ` Its log (${dead.logFile}):\n${log}` : ` Its log (${dead.logFile}) is empty.`),
        );
      }
      if (alive.size === ids.length) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const waiting = ids.filter((id) => !alive.has(id));
        const logs = waiting.map((id) => `--- ${id} ---\n${readLog(join(logdir, id)).join('\n')}`).join('\n');
        throw new Error(`${waiting.length} worker(s) not alive after ${timeoutMs / 1000} s: ${quoteList(waiting)}\n${logs}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = () => {};
    }
  } catch (err) {
    // All or nothing: do not leave the rest running.
    for (const c of children) {
      if (!c.exitInfo) {
        c.killedByUs = true;
        c.process.kill('SIGKILL');
      }
    }
    await Promise.all(children.map((c) => c.settled));
    throw err;
  } finally {
    unlisten();
  }

  const byId = new Map(children.map((c) => [c.id, c]));
  const handle: WorkerSpawnHandle = {
    ids,
    logdir,
    async stop({ timeout = 30 } = {}) {
      const running = children.filter((c) => !c.exitInfo).map((c) => c.id);
      if (running.length > 0) await stopWorkers(running, timeout);
      await handle.exited();
    },
    async kill() {
      for (const c of children) {
        if (!c.exitInfo) {
          c.killedByUs = true;
          c.process.kill('SIGKILL');
        }
      }
      await handle.exited();
    },
    isAlive(id?: string) {
      if (id !== undefined) {
        const c = byId.get(id);
        if (!c) throw new Error(`Worker '${id}' was not spawned by this handle`);
        return !c.exitInfo;
      }
      return children.every((c) => !c.exitInfo);
    },
    logs(id: string) {
      const c = byId.get(id);
      if (!c) throw new Error(`Worker '${id}' was not spawned by this handle`);
      return readLog(c.logFile);
    },
    async exited() {
      await Promise.all(children.map((c) => c.settled));
    },
  };
  return handle;
}
