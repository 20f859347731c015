// `rrq demo`: rrq's messages vignette, replayed step by step with real workers, printing
// each call and its result.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '../core/controller';
import type { WorkerSpawnHandle } from '../core/spawn';
import { formatHuman } from './format';

export interface DemoOptions {
  redis?: string;
  out?: (text: string) => void;
  /** Seconds between the two TIMEOUT_GET calls (the vignette waits 5). */
  pause?: number;
}

/** The demo's connection, its one worker, and how it prints. */
interface Demo {
  ctl: Controller;
  handle: WorkerSpawnHandle;
  workerId: string;
  options: DemoOptions;
  out: (text: string) => void;
  /** Print a line of code, and the value it gave. */
  show: (code: string, ...value: unknown[]) => void;
  heading: (text: string) => void;
  /** Print what the worker wrote to its log file since the last call. */
  newLogLines: () => void;
  sleep: (ms: number) => Promise<void>;
}

const SECTIONS = [ping, pingBehindTask, echo, info, evalExpression, pauseResume, idleTimeout, exitWhenDone];

export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const out = options.out ?? ((text: string) => process.stdout.write(`${text}\n`));
  const show = (code: string, ...value: unknown[]) => {
    out(`> ${code}`);
    if (value.length > 0) out(formatHuman(value[0]).replace(/^/gm, '  '));
  };
  const heading = (text: string) => out(`\n## ${text}\n`);
  const ctl = await Controller.connect(options.redis ? { redis: options.redis } : {});
  const logdir = mkdtempSync(join(tmpdir(), 'rrq-demo-'));
  let handle: WorkerSpawnHandle | null = null;
  try {
    out(`Redis: ${ctl.redisDisplay}   queue id: ${ctl.queueId}`);
    heading('A queue and a worker');
    handle = await ctl.workerSpawn(1, { logdir });
    const workerId = handle.ids[0]!;
    const logFile = join(logdir, workerId);
    let logOffset = 0;
    const newLogLines = () => {
      const text = readFileSync(logFile, 'utf8');
      const fresh = text.slice(logOffset);
      logOffset = text.length;
      out(fresh.trimEnd().replace(/^/gm, '  | '));
    };
    show('const w = await ctl.workerSpawn(1, { logdir })', { ids: handle.ids });
    out('On startup the worker log contains:');
    newLogLines();
    const demo: Demo = {
      ctl, handle, workerId, options, out, show, heading, newLogLines, sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    for (const section of SECTIONS) await section(demo);
    out(`\nThe worker's log file: ${logFile}`);
  } finally {
    if (handle) await handle.kill();
    await ctl.destroy(); // Nothing of the demo is left in Redis.
    await ctl.close();
  }
}

/** PING: has, ids, get, delete, and a missing response. */
async function ping({ ctl, workerId, show, heading, newLogLines }: Demo): Promise<void> {
  heading('PING');
  const id = await ctl.messageSend('PING');
  show("const id = await ctl.messageSend('PING')", id);
  await ctl.messageGetResponse(id, { timeout: 10 });
  newLogLines();
  show('await ctl.workerLogTail({ n: Infinity })', (await ctl.workerLogTail({ n: Infinity })).map((e) => `${e.workerId} ${e.time.toFixed(3)} ${e.command} ${e.message}`));
  show('await ctl.messageHasResponse(id)', await ctl.messageHasResponse(id));
  show('await ctl.messageResponseIds(workerId)', await ctl.messageResponseIds(workerId));
  show('await ctl.messageGetResponse(id)', await ctl.messageGetResponse(id));
  show('await ctl.messageGetResponse(id, { workerIds: workerId, delete: true })', await ctl.messageGetResponse(id, { workerIds: workerId, delete: true }));
  try {
    await ctl.messageGetResponse(id, { workerIds: workerId });
  } catch (err) {
    show('await ctl.messageGetResponse(id, { workerIds: workerId })', `Error: ${(err as Error).message}`);
  }
}

/** A message waits for the task in hand. */
async function pingBehindTask({ ctl, workerId, show, heading, newLogLines, sleep, out }: Demo): Promise<void> {
  heading('A PING behind a 2-second task');
  show("await ctl.taskCreateExpr('new Promise((r) => setTimeout(r, 2000))')", await ctl.taskCreateExpr('new Promise((r) => setTimeout(r, 2000))'));
  await sleep(100);
  const started = Date.now();
  const id = await ctl.messageSend('PING');
  show("id = await ctl.messageSend('PING')", id);
  show('await ctl.messageGetResponse(id, { workerIds: workerId, delete: true, timeout: 10 })',
    await ctl.messageGetResponse(id, { workerIds: workerId, delete: true, timeout: 10 }));
  out(`(answered after ${((Date.now() - started) / 1000).toFixed(2)} s: the message waited for the task)`);
  show('await ctl.workerLogTail({ n: 4 })', (await ctl.workerLogTail({ n: 4 })).map((e) => `${e.command} ${e.message}`));
  newLogLines();
}

/** ECHO. */
async function echo({ ctl, workerId, show, heading, newLogLines }: Demo): Promise<void> {
  heading('ECHO');
  const id = await ctl.messageSend('ECHO', 'hello world!');
  show("id = await ctl.messageSend('ECHO', 'hello world!')", id);
  show('await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 })', await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }));
  newLogLines();
}

/** INFO. */
async function info({ ctl, workerId, show, heading }: Demo): Promise<void> {
  heading('INFO');
  show('(await ctl.workerInfo())[workerId]', (await ctl.workerInfo())[workerId]);
  const id = await ctl.messageSend('INFO');
  show("id = await ctl.messageSend('INFO')", id);
  show('await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 })', await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }));
}

/** EVAL. */
async function evalExpression({ ctl, workerId, show, heading }: Demo): Promise<void> {
  heading('EVAL');
  const id = await ctl.messageSend('EVAL', '1 + 1');
  show("id = await ctl.messageSend('EVAL', '1 + 1')", id);
  show('await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 })', await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }));
}

/** PAUSE keeps tasks PENDING until RESUME. */
async function pauseResume({ ctl, show, heading, sleep }: Demo): Promise<void> {
  heading('PAUSE / RESUME');
  show('await ctl.workerStatus()', await ctl.workerStatus());
  show("await ctl.messageSendAndWait('PAUSE')", await ctl.messageSendAndWait('PAUSE'));
  show('await ctl.workerStatus()', await ctl.workerStatus());
  const t = await ctl.taskCreateExpr('Array.from({ length: 5 }, () => Math.random())');
  show("const t = await ctl.taskCreateExpr('Array.from({ length: 5 }, () => Math.random())')", t);
  await sleep(300);
  show('await ctl.taskStatus(t)', await ctl.taskStatus(t));
  show("await ctl.messageSendAndWait('RESUME')", await ctl.messageSendAndWait('RESUME'));
  show('await ctl.taskWait(t, { timeout: 5 })', await ctl.taskWait(t, { timeout: 5 }));
}

/** TIMEOUT_SET / TIMEOUT_GET. */
async function idleTimeout({ ctl, workerId, show, heading, sleep, out, options }: Demo): Promise<void> {
  heading('TIMEOUT_SET / TIMEOUT_GET');
  show("await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId })", await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId }));
  show("await ctl.messageSendAndWait('TIMEOUT_SET', 600, { workerIds: workerId })", await ctl.messageSendAndWait('TIMEOUT_SET', 600, { workerIds: workerId }));
  show("await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId })", await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId }));
  const pause = options.pause ?? 2;
  out(`> await sleep(${pause * 1000})`);
  await sleep(pause * 1000);
  show("await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId })", await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId }));
}

/** TIMEOUT_SET 0 after queued work. */
async function exitWhenDone({ ctl, workerId, show, heading, newLogLines, handle }: Demo): Promise<void> {
  heading('Send work, then TIMEOUT_SET 0: the worker exits when the work is done');
  const ids = await ctl.taskCreateBulkCall(async (x: number) => {
    await new Promise((r) => setTimeout(r, 500));
    return Array.from({ length: x }, () => Math.random());
  }, [1, 2, 3, 4, 5]);
  show('const ids = await ctl.taskCreateBulkCall(async (x) => { await sleep(500); return Array.from({ length: x }, Math.random) }, [1, 2, 3, 4, 5])', ids);
  show("await ctl.messageSend('TIMEOUT_SET', 0, { workerIds: workerId })", await ctl.messageSend('TIMEOUT_SET', 0, { workerIds: workerId }));
  show('await ctl.taskWait(ids)', await ctl.taskWait(ids, { timeout: 60 }));
  show('await ctl.taskResults(ids)', await ctl.taskResults(ids));
  await handle.exited();
  show('await ctl.workerStatus(workerId)', await ctl.workerStatus(workerId));
  newLogLines();
}
