// The one response path: the message tracker of user interfaces hears answers from the queue's
// events, reads and deletes them through the same module as messageSendAndWait (deletions
// batched), and "all workers" is decided by the send script at the moment of sending. A live
// view of the workers re-reads them on events that can change them, not on every PING.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorCode, NoActiveWorkersError } from '../../dist/core.js';
import { newController, waitFor } from '../harness/setup.mjs';

test('the message tracker records answers from events and leaves no response in Redis', async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(2);
  const tracker = await ctl.messageTracker();
  try {
    const message = await tracker.send('EVAL', '6 * 7');
    assert.deepEqual([...message.workerIds].sort(), [...w.ids].sort(), 'no worker list: every active worker');
    await tracker.whenAnswered(message, 10_000);
    assert.deepEqual(w.ids.map((id) => message.responses.get(id)?.value), [42, 42]);
    assert.ok([...message.responses.values()].every((r) => r.roundTripMs >= 0));
    // Deleted by the batching janitor: on its own a moment later (nothing else is sent here).
    await waitFor('the responses to be deleted', async () => {
      const counts = await Promise.all(w.ids.map((id) => ctl.redis.hlen(ctl.keys.workerResponse(id))));
      return counts.every((n) => n === 0);
    }, { timeout: 5000 });
    // A large answer is not carried by its event: the tracker reads it.
    const big = await tracker.send('EVAL', "'x'.repeat(100000)", [w.ids[0]]);
    await tracker.whenAnswered(big, 10_000);
    assert.equal(big.responses.get(w.ids[0]).value.length, 100000);
  } finally {
    tracker.stop();
  }
});

test('sending to all workers picks those active when it is sent; with none it fails with a code', async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(2);
  const [a, b] = w.ids;
  await ctl.workerStop(b, { timeout: 10 });
  const tracker = await ctl.messageTracker();
  try {
    const message = await tracker.send('PING');
    assert.deepEqual(message.workerIds, [a], 'the exited worker is not targeted, and does not fail the send');
    await tracker.whenAnswered(message, 10_000);
    assert.equal(message.responses.get(a).value, 'PONG');
    await ctl.workerStop(a, { timeout: 10 });
    const err = await tracker.send('PING').then(() => null, (e) => e);
    assert.ok(err instanceof NoActiveWorkersError, String(err));
    assert.equal(errorCode(err), 'NO_ACTIVE_WORKERS');
    const inactive = await ctl.messageSend('PING', undefined, { workerIds: [a] }).then(() => null, (e) => e);
    assert.equal(errorCode(inactive), 'WORKER_INACTIVE');
    assert.deepEqual(inactive.workerIds, [a]);
  } finally {
    tracker.stop();
  }
});

test('a live view of the workers re-reads them when they change, not on every PING', async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(1);
  const monitor = await ctl.workerMonitor();
  try {
    await waitFor('the worker in the view', () => monitor.workers.length === 1);
    const before = monitor.reads;
    for (let i = 0; i < 20; i++) await ctl.messageSendAndWait('PING');
    await ctl.messageSendAndWait('ECHO', 'quiet');
    // Give a coalesced re-read (25 ms) every chance to happen, then compare.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(monitor.reads, before, '21 answered messages cost no re-read');
    await ctl.messageSendAndWait('PAUSE');
    await waitFor('PAUSED in the view', () => monitor.workers[0].status === 'PAUSED');
    assert.ok(monitor.reads > before);
    await ctl.messageSendAndWait('RESUME');
    await waitFor('IDLE again', () => monitor.workers[0].status === 'IDLE');
    await ctl.workerStop(w.ids, { timeout: 10 });
    await waitFor('EXITED in the view', () => monitor.workers[0].status === 'EXITED');
  } finally {
    monitor.stop();
  }
});
