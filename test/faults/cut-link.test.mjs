// A cut network link between a worker and Redis, caused for real: Redis runs "on host B" and the
// worker "on host A", two network namespaces this test makes (test/harness/netns.mjs), joined by
// a veth pair. The link is cut the way a pulled cable is (frames dropped, no error on any
// socket) for longer than the heartbeat's expiry, then restored. The worker must be declared
// LOST and its task DIED while cut; once the link is back it must notice, register again
// (BACK), discard the late result of the task declared DIED, and serve as before.
//
// The controller (this process) reaches the same Redis through its unix socket (sockets on the
// file system cross namespaces), so the machine's own network is left untouched and the cut
// is between the worker and Redis only. Needs root and iproute2 (`ip`): without them it fails
// saying so.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Controller } from '../../dist/core.js';
import { INSTALL_HINT, redisServerAvailable } from '../harness/redisServer.mjs';
import { twoHosts } from '../harness/netns.mjs';
import { sleep, waitFor } from '../harness/wait.cjs';

const PERIOD = 0.5;
const EXPIRY_MS = 3 * PERIOD * 1000;
const CUT_MS = 4000; // well past the expiry
const TASK_MS = 2500; // started before the cut, finishes while it lasts
const WORKER_JS = fileURLToPath(new URL('../../dist/worker.js', import.meta.url));

test('a worker cut off from Redis past its heartbeat expiry is LOST, its task DIED; once the link is back it registers again (BACK), discards the late result and serves', { timeout: 120_000 }, async () => {
  if (!redisServerAvailable()) throw new Error(INSTALL_HINT);
  const net = await twoHosts('rrq');
  const dir = mkdtempSync(join(tmpdir(), 'rrq-cut-link-'));
  const socket = join(dir, 'redis.sock');
  const queueId = `rrq:cut-link:${process.pid}`;
  const workerId = 'cut_link_1';
  let ctl = null;
  let stopDetecting = () => {};
  let worker = null;
  const redis = net.spawn(net.b, 'redis-server', [
    '--bind', net.b.addr, '--port', '6379', '--unixsocket', socket, '--unixsocketperm', '700',
    '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', dir,
  ]);
  try {
    ctl = await waitFor(`redis-server in namespace ${net.b.ns} to answer on ${socket}`, async () => {
      if (redis.child.exitCode !== null) throw new Error(`redis-server ended: ${redis.output()}`);
      return Controller.connect({ redis: { path: socket }, queueId, embedded: false });
    }, { timeout: 10_000, interval: 50 });
    await ctl.workerConfigSave('fast', { heartbeatPeriod: PERIOD });
    worker = net.spawn(net.a, process.execPath, [
      WORKER_JS, '--redis', `redis://${net.b.addr}:6379`, '--queue-id', queueId, '--worker-id', workerId, '--config', 'fast',
    ]);
    await waitFor(`worker ${workerId} (in namespace ${net.a.ns}) to be active`, async () => (await ctl.workerList()).includes(workerId), { timeout: 20_000 });
    stopDetecting = ctl.workerDetectExitedEvery(PERIOD);

    const task = await ctl.taskCreateCall(async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'late'; }, [TASK_MS]);
    await waitFor(`the worker to run task ${task}`, async () => (await ctl.workerTaskId(workerId))[workerId] === task, { timeout: 10_000, interval: 10 });

    const cutAt = Date.now();
    net.cut();
    let restoredAt;
    try {
      await waitFor('the cut-off worker to be LOST', async () => (await ctl.workerStatus(workerId))[workerId] === 'LOST', { timeout: CUT_MS, interval: 10 });
      const lostMs = Date.now() - cutAt;
      console.log(`    LOST seen ${lostMs} ms after the cut (heartbeat every ${PERIOD * 1000} ms, expiring after ${EXPIRY_MS} ms)`);
      assert.equal(await ctl.taskStatus(task), 'DIED');
      const [last] = await ctl.workerLogTail({ workerIds: workerId, n: 1 });
      assert.deepEqual([last.command, last.message], ['LOST', 'heartbeat expired']);
      await sleep(cutAt + CUT_MS - Date.now()); // the cut lasts CUT_MS in all
    } finally {
      net.restore();
      restoredAt = Date.now();
    }

    const backEntries = async () => (await ctl.workerLogTail({ workerIds: workerId, n: 50 })).filter((e) => e.command === 'BACK');
    const [back] = await waitFor('the worker to log BACK', async () => {
      const found = await backEntries();
      return found.length > 0 && found;
    }, { timeout: 30_000, interval: 10 });
    console.log(`    BACK seen ${Date.now() - restoredAt} ms after the link was restored (cut for ${restoredAt - cutAt} ms)`);
    assert.match(back.message, /declared lost/);
    await waitFor('the worker to be active again', async () => (await ctl.workerList()).includes(workerId), { timeout: 10_000 });
    await waitFor('the late result to be discarded', async () => (await ctl.workerLogTail({ workerIds: workerId, n: 50 }))
      .some((e) => e.command === 'TASK_DIED' && e.message === `${task} (result discarded)`), { timeout: 20_000 });
    assert.equal(await ctl.taskStatus(task), 'DIED');
    assert.equal((await ctl.taskResult(task)).taskStatus, 'DIED', 'its result is the death, not the late value');

    // And it works as before.
    assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { workerIds: workerId, timeout: 20 }), { [workerId]: 'PONG' });
    const again = await ctl.taskCreateExpr('40 + 2');
    assert.equal(await ctl.taskWait(again, { timeout: 20 }), true);
    assert.equal(await ctl.taskResult(again), 42);
    assert.equal((await ctl.workerStatus(workerId))[workerId], 'IDLE');
    // One return, one BACK: not one per housekeeping round that was waiting on the cut link.
    const backs = (await backEntries()).length;
    console.log(`    BACK entries: ${backs}`);
    assert.equal(backs, 1, `one BACK entry for one return (got ${backs})`);
  } catch (err) {
    if (worker) console.log(`--- worker ${workerId} output:\n${worker.output()}`);
    if (ctl) console.log(`--- its log in Redis:\n${(await ctl.workerLogTail({ workerIds: workerId, n: 50 }).catch(() => [])).map((e) => `${e.time} ${e.command} ${e.message}`).join('\n')}`);
    throw err;
  } finally {
    stopDetecting();
    await ctl?.destroy().catch(() => {});
    await ctl?.close().catch(() => {});
    await net.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
