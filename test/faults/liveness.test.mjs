// Workers that die, freeze or get stuck, found without anyone asking. Workers here are started
// by hand (node dist/worker.js), as on another machine, so no controller sees their process
// end: only their heartbeat tells. They use a short heartbeat period (0.5 s, expiry 1.5 s) to
// keep the tests short; docs/reliability.md has the figures with the default period.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { startHandWorker } from '../harness/handWorker.mjs';
import { freePort, startRedisServer } from '../harness/redisServer.mjs';
import { newController, sleep, testRedisUrl, waitFor } from '../harness/setup.mjs';
import { Controller } from '../../dist/core.js';

const PERIOD = 0.5;
const EXPIRY_MS = 3 * PERIOD * 1000;

const started = [];
after(() => Promise.all(started.map((w) => w.kill())));

async function handWorkers(ctl, names, config = { heartbeatPeriod: PERIOD }) {
  await ctl.workerConfigSave('fast', config);
  const url = await testRedisUrl();
  const workers = await Promise.all(names.map((workerId) => startHandWorker(ctl, { url, workerId, config: 'fast' })));
  started.push(...workers);
  return workers;
}

const statusOf = async (ctl, id) => (await ctl.workerStatus(id))[id];
const runnerOf = (ctl, taskId) => waitFor(`a worker to run task ${taskId}`, async () => Object.entries(await ctl.workerTaskId()).find(([, t]) => t === taskId)?.[0]);

test('a busy worker started by hand and killed with kill -9 is found LOST by the other workers: its task DIED, dependants IMPOSSIBLE, waiters answered', async () => {
  const ctl = await newController();
  const [a, b] = await handWorkers(ctl, ['hand_a_1', 'hand_b_1']);
  const stuck = await ctl.taskCreateExpr('new Promise(() => {})');
  const child = await ctl.taskCreateExpr('1', { dependsOn: stuck });
  const grandchild = await ctl.taskCreateExpr('2', { dependsOn: child });
  const runner = await runnerOf(ctl, stuck);
  const [victim, survivor] = runner === a.id ? [a, b] : [b, a];
  const waiting = ctl.taskWait(stuck); // no timeout: it must end because the task does
  const ping = ctl.messageSendAndWait('PING', undefined, { workerIds: [victim.id, survivor.id], timeout: 600 }).then(() => null, (err) => err);
  const killedAt = Date.now();
  process.kill(victim.pid, 'SIGKILL');
  await waitFor('the killed worker to be LOST', async () => (await statusOf(ctl, victim.id)) === 'LOST', { timeout: 30_000, interval: 10 });
  const foundMs = Date.now() - killedAt;
  console.log(`    found LOST ${foundMs} ms after kill -9 (heartbeat every ${PERIOD * 1000} ms, expiring after ${EXPIRY_MS} ms)`);
  assert.equal(await waiting, false);
  assert.deepEqual(await ctl.taskStatus([stuck, child, grandchild]), ['DIED', 'IMPOSSIBLE', 'IMPOSSIBLE']);
  const pingError = await ping;
  assert.match(pingError?.message ?? 'answered', new RegExp(`Response missing for worker: '${victim.id}'.*left without answering \\('${victim.id}' lost: heartbeat expired\\)`));
  const [last] = await ctl.workerLogTail({ workerIds: victim.id, n: 1 });
  assert.deepEqual([last.command, last.message], ['LOST', 'heartbeat expired']);
  assert.deepEqual(await ctl.workerList(), [survivor.id]);
  assert.equal(await ctl.redis.exists(ctl.keys.workerHeartbeat(victim.id), ctl.keys.workerMessage(victim.id)), 0);
  assert.match(survivor.output(), new RegExp(`Found lost \\(heartbeat expired\\): ${victim.id}`), 'the other worker found it');
});

test('a task of a lost worker that asked for retries runs again on another worker', async () => {
  const ctl = await newController();
  const [a, b] = await handWorkers(ctl, ['retry_a_1', 'retry_b_1']);
  const task = await ctl.taskCreateCall(async (ms) => { await new Promise((r) => setTimeout(r, ms)); return process.pid; }, [1500], { retry: 1 });
  const runner = await runnerOf(ctl, task);
  const [victim, survivor] = runner === a.id ? [a, b] : [b, a];
  process.kill(victim.pid, 'SIGKILL');
  assert.equal(await ctl.taskWait(task, { timeout: 30 }), true);
  assert.equal(await ctl.taskStatus(task, { follow: false }), 'MOVED');
  assert.equal(await ctl.taskStatus(task), 'COMPLETE');
  assert.equal(await ctl.taskResult(task), survivor.pid, 'the retry ran on the survivor');
});

test('a worker whose EVAL or task never returns is not LOST: it shows BUSY with what it does, and a kill through its heartbeat ends it', async () => {
  const ctl = await newController();
  const [evaluating, tasking] = await handWorkers(ctl, ['spin_eval_1', 'spin_task_1']);
  const monitor = await ctl.workerMonitor();
  try {
    const task = await ctl.taskCreateExpr('for (;;) {}');
    // The task may go to either: the EVAL goes to the other one.
    const runner = await runnerOf(ctl, task);
    const [evalWorker, taskWorker] = runner === tasking.id ? [evaluating, tasking] : [tasking, evaluating];
    const sent = await ctl.messageSend('EVAL', 'for (;;) {}', { workerIds: evalWorker.id });
    assert.equal(typeof sent, 'string');
    const busy = await waitFor('the EVAL to show', () => monitor.workers.find((w) => w.id === evalWorker.id && w.activity));
    assert.equal(busy.status, 'BUSY');
    assert.deepEqual([busy.activity.command, busy.activity.messageId], ['EVAL', sent]);
    // Three times the heartbeat's expiry with both threads stuck: neither is lost.
    await sleep(3 * EXPIRY_MS);
    assert.deepEqual(await ctl.workerDetectExited(), []);
    assert.deepEqual(await ctl.workerStatus([evalWorker.id, taskWorker.id]), { [evalWorker.id]: 'BUSY', [taskWorker.id]: 'BUSY' });
    // STOP waits behind the EVAL; the kill does not.
    const stop = await ctl.messageSend('STOP', undefined, { workerIds: evalWorker.id });
    const stopWait = ctl.messageGetResponse(stop, { workerIds: evalWorker.id, timeout: 60 }).then(() => null, (err) => err);
    assert.deepEqual(await ctl.workerStop([evalWorker.id, taskWorker.id], { type: 'kill', timeout: 20 }), [evalWorker.id, taskWorker.id]);
    assert.deepEqual(await ctl.workerStatus([evalWorker.id, taskWorker.id]), { [evalWorker.id]: 'EXITED', [taskWorker.id]: 'EXITED' });
    for (const w of [evalWorker, taskWorker]) {
      assert.deepEqual(await w.exited, { code: null, signal: 'SIGKILL' });
      const [last] = await ctl.workerLogTail({ workerIds: w.id, n: 1 });
      assert.equal(last.command, 'STOP');
      assert.match(last.message, /^KILLED \(requested by /);
    }
    assert.equal(await ctl.taskStatus(task), 'DIED');
    assert.match((await stopWait)?.message ?? 'answered', /left without answering .*stopped: KILLED/);
    assert.equal(await ctl.redis.hlen(ctl.keys.workerActivity), 0);
  } finally {
    monitor.stop();
  }
});

test('a worker frozen past its heartbeat expiry is declared LOST; thawed, it registers again, and the task declared DIED stays DIED', async () => {
  const ctl = await newController();
  const [frozen, watcher] = await handWorkers(ctl, ['frozen_1', 'watcher_1']);
  await ctl.messageSendAndWait('PAUSE', undefined, { workerIds: watcher.id, timeout: 10 });
  const task = await ctl.taskCreateCall(async () => { await new Promise((r) => setTimeout(r, 3000)); return 'finished late'; });
  assert.equal(await runnerOf(ctl, task), frozen.id);
  process.kill(frozen.pid, 'SIGSTOP');
  try {
    await waitFor('the frozen worker to be LOST', async () => (await statusOf(ctl, frozen.id)) === 'LOST', { timeout: 30_000, interval: 10 });
    assert.equal(await ctl.taskStatus(task), 'DIED');
  } finally {
    process.kill(frozen.pid, 'SIGCONT');
  }
  await waitFor('the worker to come back', async () => (await ctl.workerList()).includes(frozen.id), { timeout: 30_000 });
  const log = await ctl.workerLogTail({ workerIds: frozen.id, n: 20 });
  assert.ok(log.some((e) => e.command === 'BACK' && /declared lost/.test(e.message)), JSON.stringify(log));
  await waitFor('the late result to be discarded', () => new RegExp(`TASK_DISCARDED ${task}`).test(frozen.output()), { timeout: 10_000 });
  assert.ok((await ctl.workerLogTail({ workerIds: frozen.id, n: 50 })).some((e) => e.command === 'TASK_DIED' && e.message === `${task} (result discarded)`));
  assert.equal(await ctl.taskStatus(task), 'DIED');
  assert.equal((await ctl.taskResult(task)).taskStatus, 'DIED', 'its result is the death, not the late value');
  // And it works as before.
  assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { workerIds: frozen.id, timeout: 10 }), { [frozen.id]: 'PONG' });
  const again = await ctl.taskCreateExpr('40 + 2');
  assert.equal(await ctl.taskWait(again, { timeout: 10 }), true);
  assert.equal(await ctl.taskResult(again), 42);
});

test('SIGSTOP for 10 s with the default heartbeat (5 s, expiring after 15 s) is not a false LOST', async () => {
  const ctl = await newController();
  const [w] = await handWorkers(ctl, ['paused_proc_1'], {});
  const stopDetecting = ctl.workerDetectExitedEvery(0.5);
  try {
    process.kill(w.pid, 'SIGSTOP');
    await sleep(10_000);
    process.kill(w.pid, 'SIGCONT');
    assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { workerIds: w.id, timeout: 10 }), { [w.id]: 'PONG' });
    assert.equal(await statusOf(ctl, w.id), 'IDLE');
    assert.ok(!(await ctl.workerLogTail({ workerIds: w.id, n: 50 })).some((e) => e.command === 'LOST' || e.command === 'BACK'));
  } finally {
    stopDetecting();
  }
});

test("kill_local signals a worker's process only while that pid is still the worker", async () => {
  const ctl = await newController();
  const [w] = await handWorkers(ctl, ['local_1']);
  const info = (await ctl.workerInfo(w.id))[w.id];
  assert.match(info.pidStart, /^(ticks|lstart):/);
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    // As if the worker had died and its pid gone to another process.
    await ctl.redis.hset(ctl.keys.workerInfo, w.id, JSON.stringify({ ...info, pid: sleeper.pid }));
    await assert.rejects(ctl.workerStop(w.id, { type: 'kill_local' }),
      { message: `Not killed: process ${sleeper.pid} is no longer worker '${w.id}' (it has ended, or its pid now belongs to another process)` });
    assert.equal(sleeper.exitCode, null);
    assert.equal(sleeper.signalCode, null, 'the other process lives');
    await ctl.redis.hset(ctl.keys.workerInfo, w.id, JSON.stringify(info));
    assert.deepEqual(await ctl.workerStop(w.id, { type: 'kill_local' }), [w.id]);
    assert.deepEqual(await w.exited, { code: null, signal: 'SIGKILL' });
    assert.equal(await statusOf(ctl, w.id), 'EXITED');
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('a worker started before its Redis waits, saying why, and joins once Redis is up; --wait 0 gives up at once', async () => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const queueId = `early:${process.pid}`;
  const quick = spawn(process.execPath, ['dist/worker.js', '--redis', url, '--queue-id', queueId, '--wait', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let quickOut = '';
  quick.stderr.on('data', (d) => { quickOut += d; });
  const [code] = await new Promise((r) => quick.once('exit', (...a) => r(a)));
  assert.equal(code, 1);
  assert.match(quickOut, new RegExp(`rrq worker could not start: Cannot connect to Redis at redis://127.0.0.1:${port}`));

  const early = await startHandWorker({ queueId }, { url, workerId: 'early_1', waitActive: false });
  started.push(early);
  await waitFor('the worker to say it is waiting', () => /Cannot connect to Redis at .*; trying again in \d+\.\d s/.test(early.output()), { timeout: 10_000 });
  const server = await startRedisServer([], { port });
  let ctl;
  try {
    ctl = await Controller.connect({ redis: server.url, queueId, embedded: false });
    await waitFor('the worker to join', async () => (await ctl.workerList()).includes('early_1'), { timeout: 30_000 });
    assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { timeout: 10 }), { early_1: 'PONG' });
    await ctl.workerStop('early_1', { timeout: 10 });
    assert.equal((await early.exited).code, 0);
  } finally {
    await early.kill();
    await ctl?.destroy().catch(() => {});
    await ctl?.close();
    await server.stop();
  }
});

test('a worker waiting for Redis ends at once on SIGTERM', async () => {
  const port = await freePort();
  const w = await startHandWorker({ queueId: 'never' }, { url: `redis://127.0.0.1:${port}`, workerId: 'never_1', waitActive: false });
  started.push(w);
  await waitFor('the worker to be waiting', () => /trying again in/.test(w.output()), { timeout: 10_000 });
  w.child.kill('SIGTERM');
  assert.deepEqual(await w.exited, { code: 0, signal: null });
  assert.match(w.output(), /could not start: stopped by a signal while waiting for Redis/);
});

test('a worker whose queue is destroyed under it stops, and leaves no key behind', async () => {
  const ctl = await newController();
  const [w] = await handWorkers(ctl, ['orphan_1']);
  await ctl.destroy();
  assert.equal((await w.exited).code, 1);
  assert.match(w.output(), /STOP ERROR \(its records were deleted from Redis: its queue destroyed/);
  // (A detection lock it held expires by itself within a period.)
  await waitFor('no key of the queue left', async () => (await ctl.redis.keys(`${ctl.keys.prefix}*`)).length === 0, { timeout: 5000 });
});

test('a worker signalled to stop while Redis is unreachable leaves after 10 s, saying why, instead of waiting for ever', { timeout: 60_000 }, async () => {
  const server = await startRedisServer();
  const ctl = await Controller.connect({ redis: server.url, embedded: false });
  let w;
  try {
    w = await startHandWorker(ctl, { url: server.url, workerId: 'stranded_1' });
    await ctl.close();
    await server.stop();
    const signalledAt = Date.now();
    w.child.kill('SIGTERM');
    assert.equal((await w.exited).code, 1);
    const waitedMs = Date.now() - signalledAt;
    assert.ok(waitedMs >= 9000, `it waited for Redis first (${waitedMs} ms)`);
    assert.match(w.output(), /STOP OK \(SIGTERM\) not recorded: Redis is unreachable \(this worker will be found LOST when its heartbeat expires\)/);
  } finally {
    await w?.kill();
    await ctl.close();
    await server.stop();
  }
});
