// The live worker view that user interfaces build on: pushed by events, never polled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newController } from '../harness/setup.mjs';

function waitFor(monitor, predicate, what) {
  return new Promise((resolve, reject) => {
    if (predicate(monitor.workers)) return resolve(monitor.workers);
    const timer = setTimeout(() => { stop(); reject(new Error(`monitor never showed: ${what}`)); }, 10_000);
    const stop = monitor.onChange((workers) => {
      if (predicate(workers)) { clearTimeout(timer); stop(); resolve(workers); }
    });
  });
}

test('the monitor follows workers appearing, working, pausing and leaving', async () => {
  const ctl = await newController();
  const monitor = await ctl.workerMonitor();
  const events = [];
  const unlisten = await ctl.listen((e) => events.push(e));
  try {
    assert.deepEqual(monitor.workers, []);
    const w = await ctl.workerSpawn(2);
    const [a, b] = w.ids;
    let workers = await waitFor(monitor, (ws) => ws.length === 2 && ws.every((x) => x.status === 'IDLE' && x.info), 'two idle workers');
    assert.deepEqual(workers.map((x) => x.id), [a, b]);
    assert.equal(workers[0].info.worker, a);
    const task = await ctl.taskCreateExpr('new Promise((r) => setTimeout(r, 600))');
    workers = await waitFor(monitor, (ws) => ws.some((x) => x.status === 'BUSY'), 'a busy worker');
    const busy = workers.find((x) => x.status === 'BUSY');
    assert.equal(busy.taskId, task);
    assert.ok(Math.abs(busy.taskStarted - Date.now() / 1000) < 5);
    await waitFor(monitor, (ws) => ws.every((x) => x.status === 'IDLE' && x.taskId === null), 'the task finished');
    await ctl.messageSendAndWait('PAUSE', undefined, { workerIds: a });
    await waitFor(monitor, (ws) => ws.find((x) => x.id === a)?.status === 'PAUSED', 'a paused');
    await ctl.workerStop(b, { timeout: 10 });
    await waitFor(monitor, (ws) => ws.find((x) => x.id === b)?.status === 'EXITED', 'b exited');
    assert.ok(events.some((e) => e.worker === a && e.command === 'ALIVE'));
    assert.ok(events.some((e) => e.worker === b && e.command === 'STOP'));
  } finally {
    unlisten();
    monitor.stop();
  }
});
