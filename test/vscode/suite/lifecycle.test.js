// Lifecycle: when the window closes (deactivate → session.shutdown()), the workers it spawned
// are stopped, unless rrq.stopWorkersOnExit is off; then they keep running.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { test } = require('./harness');
const { observer: observe, useFreshQueue } = require('./support');

async function freshSession(tag) {
  const { session, queueId } = await useFreshQueue(tag);
  assert.equal(session.controller.queueId, queueId);
  return { session, observer: await observe(queueId) };
}

test('lifecycle: shutting down stops the workers this window spawned', async () => {
  const { session, observer } = await freshSession('shutdown');
  try {
    const handle = await session.spawnWorkers(2);
    assert.deepEqual(Object.values(await observer.workerStatus(handle.ids)), ['IDLE', 'IDLE']);
    await session.shutdown();
    assert.equal(session.state.kind, 'disconnected');
    await handle.exited();
    assert.deepEqual(Object.values(await observer.workerStatus(handle.ids)), ['EXITED', 'EXITED']);
    const last = await observer.workerLogTail({ workerIds: handle.ids, n: 1 });
    assert.ok(last.every((e) => e.command === 'STOP' && e.message === 'OK (BYE)'), JSON.stringify(last));
  } finally {
    await observer.destroy();
    await observer.close();
    await session.reconnect();
  }
}, { timeout: 60000 });

test('lifecycle: with rrq.stopWorkersOnExit off, the workers keep running', async () => {
  const { session, observer } = await freshSession('keep');
  const config = vscode.workspace.getConfiguration('rrq');
  await config.update('stopWorkersOnExit', false, vscode.ConfigurationTarget.Global);
  let handle;
  try {
    handle = await session.spawnWorkers(1);
    await session.shutdown();
    assert.equal(handle.isAlive(), true);
    assert.deepEqual(await observer.messageSendAndWait('PING', undefined, { timeout: 10 }), { [handle.ids[0]]: 'PONG' });
  } finally {
    await config.update('stopWorkersOnExit', undefined, vscode.ConfigurationTarget.Global);
    if (handle) await observer.workerStop(handle.ids, { timeout: 10 }).catch(() => handle.kill());
    await observer.destroy();
    await observer.close();
    await session.reconnect();
  }
}, { timeout: 60000 });
