// Faults, timed: how long after a worker dies (kill -9) it is found LOST, with workers started
// by hand (only their heartbeat tells) and spawned by the controller (their process's end
// tells); how long a kill through the heartbeat takes on a worker stuck in an EVAL; how long
// after a Redis restart the workers answer again; and whether a process frozen for 10 s with the
// default heartbeat is taken for dead. Writes its section of docs/reliability.md.
//
//   node bench/faults.mjs        (npm run bench:faults builds first)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRestartableRedisServer } from '../test/harness/redisServer.mjs';
import { codeInfo, machineInfo, utcStamp } from './lib/machine.mjs';
import { loadController, onCleanup, runToEnd, startRun, trackChild } from './lib/processes.mjs';
import { mdTable, writeSection } from './lib/report.mjs';
import { summarize } from './lib/stats.mjs';
import { now, sleep } from './lib/timing.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const REPORT = join(root, 'docs', 'reliability.md');

startRun({ name: 'bench/faults', prefix: 'rrq-bench-faults-', timeoutS: 900 });

let Controller;
let workerScript;
let server;

function handWorker(queueId, workerId, config) {
  const child = spawn(process.execPath, [workerScript, '--redis', server.url, '--queue-id', queueId, '--worker-id', workerId, '--config', config],
    { stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = trackChild(child);
  return { child, exited };
}

async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves with the time (now()) at which an event matching `match` arrives. */
async function eventTime(ctl, match) {
  let resolve;
  const seen = new Promise((r) => { resolve = r; });
  const stop = await ctl.listen((e) => { if (match(e)) resolve(now()); });
  return { seen: seen.finally(stop), stop };
}

async function freshQueue(name) {
  const ctl = await Controller.connect({ redis: server.url, queueId: `${name}:${process.pid}:${Date.now()}`, embedded: false });
  onCleanup(async () => { await ctl.destroy().catch(() => {}); await ctl.close(); });
  return ctl;
}

/** kill -9 a busy worker started by hand; another worker of the queue finds it. Milliseconds from the kill to the LOST event. */
async function lostAfterKill(periodS, samples) {
  const times = [];
  for (let i = 0; i < samples; i++) {
    const ctl = await freshQueue('faults-hand');
    await ctl.workerConfigSave('hb', { heartbeatPeriod: periodS });
    const victim = handWorker(ctl.queueId, 'victim_1', 'hb');
    const watcher = handWorker(ctl.queueId, 'watcher_1', 'hb');
    await until('both workers', async () => (await ctl.workerList()).length === 2);
    await ctl.messageSendAndWait('PAUSE', undefined, { workerIds: 'watcher_1', timeout: 10 });
    const task = await ctl.taskCreateExpr('new Promise(() => {})');
    await until('the task to run', async () => (await ctl.taskStatus(task)) === 'RUNNING');
    // A random moment in the heartbeat's cycle, as a real death would be.
    await sleep(Math.random() * periodS * 1000);
    const lost = await eventTime(ctl, (e) => e.command === 'LOST' && e.worker === 'victim_1');
    const t0 = now();
    victim.child.kill('SIGKILL');
    times.push((await lost.seen) - t0);
    if ((await ctl.taskStatus(task)) !== 'DIED') throw new Error('the task of the lost worker is not DIED');
    watcher.child.kill('SIGKILL');
    await Promise.all([victim.exited, watcher.exited]);
  }
  return summarize(times);
}

/** kill -9 a busy worker this controller spawned: its process's end tells. */
async function lostAfterKillSpawned(samples) {
  const times = [];
  const ctl = await freshQueue('faults-spawned');
  for (let i = 0; i < samples; i++) {
    const handle = await ctl.workerSpawn(1, { workerScript, timeout: 30 });
    const [id] = handle.ids;
    const task = await ctl.taskCreateExpr('new Promise(() => {})');
    await until('the task to run', async () => (await ctl.taskStatus(task)) === 'RUNNING');
    const pid = (await ctl.workerInfo(id))[id].pid;
    const lost = await eventTime(ctl, (e) => e.command === 'LOST' && e.worker === id);
    const t0 = now();
    process.kill(pid, 'SIGKILL');
    times.push((await lost.seen) - t0);
    await handle.exited();
  }
  return summarize(times);
}

/** workerStop(type 'kill') on a worker stuck in an EVAL that never returns: from the call to EXITED. */
async function killThroughHeartbeat(samples) {
  const times = [];
  const ctl = await freshQueue('faults-kill');
  await ctl.workerConfigSave('hb', { heartbeatPeriod: 5 });
  for (let i = 0; i < samples; i++) {
    const w = handWorker(ctl.queueId, `stuck_${i + 1}`, 'hb');
    await until('the worker', async () => (await ctl.workerList()).includes(`stuck_${i + 1}`));
    await ctl.messageSend('EVAL', 'for (;;) {}', { workerIds: `stuck_${i + 1}` });
    await until('the EVAL to run', async () => (await ctl.workerStatus(`stuck_${i + 1}`))[`stuck_${i + 1}`] === 'BUSY');
    const t0 = now();
    await ctl.workerStop(`stuck_${i + 1}`, { type: 'kill', timeout: 30 });
    times.push(now() - t0);
    await w.exited;
  }
  return summarize(times);
}

/** Redis restarted (crash or clean shutdown): from Redis answering again to a PING broadcast answered by both workers. */
async function afterRestart(signal, samples) {
  const times = [];
  const ctl = await freshQueue(`faults-restart-${signal}`);
  const handle = await ctl.workerSpawn(2, { workerScript, timeout: 30 });
  for (let i = 0; i < samples; i++) {
    await server.restart(signal);
    const t0 = now();
    await ctl.messageSendAndWait('PING', undefined, { timeout: 60 });
    times.push(now() - t0);
    await sleep(200);
  }
  await handle.stop({ timeout: 10 }).catch(() => handle.kill());
  return summarize(times);
}

/** SIGSTOP for `seconds` with the default heartbeat, a controller looking all along: was the worker taken for lost? */
async function frozen(seconds) {
  const ctl = await freshQueue('faults-frozen');
  const w = handWorker(ctl.queueId, 'frozen_1', 'localhost');
  await until('the worker', async () => (await ctl.workerList()).includes('frozen_1'));
  const stopWatch = ctl.workerDetectExitedEvery(0.5);
  w.child.kill('SIGSTOP');
  await sleep(seconds * 1000);
  w.child.kill('SIGCONT');
  const answer = await ctl.messageSendAndWait('PING', undefined, { timeout: 30 });
  stopWatch();
  const log = await ctl.workerLogTail({ workerIds: 'frozen_1', n: 100 });
  w.child.kill('SIGKILL');
  await w.exited;
  return { lost: log.some((e) => e.command === 'LOST'), answered: answer.frozen_1 === 'PONG' };
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const row = (what, stats, bound) => [what, String(stats.n), s(stats.p50), s(stats.max), bound];

await runToEnd(async () => {
  ({ Controller, workerScript } = await loadController());
  server = await startRestartableRedisServer();
  onCleanup(() => server.stop());
  console.log('kill -9, hand-started, heartbeat 1 s ...');
  const hand1 = await lostAfterKill(1, 10);
  console.log('kill -9, hand-started, heartbeat 5 s (default) ...');
  const hand5 = await lostAfterKill(5, 4);
  console.log('kill -9, spawned ...');
  const spawned = await lostAfterKillSpawned(10);
  console.log('kill through the heartbeat ...');
  const kill = await killThroughHeartbeat(10);
  console.log('Redis restarts ...');
  const crash = await afterRestart('SIGKILL', 8);
  const clean = await afterRestart('SIGTERM', 8);
  console.log('SIGSTOP 10 s ...');
  const freeze = await frozen(10);
  const code = codeInfo(root);
  const machine = machineInfo('(see bench/messages)');
  const table = mdTable(['fault', 'runs', 'median', 'worst', 'bound'], [
    row('kill -9, worker started by hand, heartbeat 1 s: found LOST by the other worker', hand1, 'expiry (3 s) after the last beat: ≤ 3 periods'),
    row('kill -9, worker started by hand, heartbeat 5 s (default)', hand5, '≤ 15 s (3 periods)'),
    row('kill -9, worker spawned by this controller: found LOST', spawned, 'its process\'s end'),
    row("workerStop(type 'kill') on a worker stuck in `EVAL for(;;){}`: EXITED", kill, 'one round trip to the heartbeat thread'),
    row('Redis crash (SIGKILL, AOF always): PING to 2 workers answered after Redis is back', crash, 'ioredis reconnect backoff'),
    row('Redis clean restart (SIGTERM): the same', clean, ''),
  ]);
  const section = `<!-- faults-bench:start -->
## Measured (bench/faults.mjs)

${utcStamp()}, commit ${code.commit}${code.srcChanged ? ' (with uncommitted changes in src/)' : ''}, ${machine.cpuModel} × ${machine.cores}, Node ${machine.node}.
Times from the fault (or the call) to what it should lead to, seen through the queue's events.

${table}

A worker frozen with SIGSTOP for 10 s under the default heartbeat (5 s, expiring after 15 s),
a controller looking for lost workers every 0.5 s: ${freeze.lost ? '**taken for lost**' : 'not taken for lost'}; it answered PING after SIGCONT: ${freeze.answered ? 'yes' : '**no**'}.
<!-- faults-bench:end -->
`;
  writeSection(REPORT, 'faults-bench', section);
  console.log(table);
});
