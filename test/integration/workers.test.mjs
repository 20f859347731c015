// Several workers, broadcast, queues in order, stopping, killing, losing and cleaning up
// workers, workers started by hand, and Redis with a password.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Controller, errorCode } from '../../dist/core.js';
import { startRedisServer } from '../harness/redisServer.mjs';
import { newController, sleep, testRedisUrl, waitFor } from '../harness/setup.mjs';

test('broadcast to several workers, and messages to some of them', async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(3);
  assert.equal(new Set(w.ids).size, 3);
  const prefix = w.ids[0].replace(/_1$/, '');
  assert.deepEqual(w.ids, [1, 2, 3].map((k) => `${prefix}_${k}`));
  assert.deepEqual(await ctl.workerList(), [...w.ids].sort());
  assert.deepEqual(await ctl.messageSendAndWait('PING'), Object.fromEntries(w.ids.map((id) => [id, 'PONG'])));
  // send-and-wait leaves no response behind: at once for this controller, soon for anyone.
  for (const wid of w.ids) assert.deepEqual(await ctl.messageResponseIds(wid), []);
  const other = await newController({ queueId: ctl.queueId });
  await ctl.messageSendAndWait('PING');
  await sleep(200);
  for (const wid of w.ids) assert.equal(await other.redis.hlen(ctl.keys.workerResponse(wid)), 0);
  const some = w.ids.slice(0, 2);
  const id = await ctl.messageSend('EVAL', 'process.pid', { workerIds: some });
  const pids = await ctl.messageGetResponse(id, { workerIds: some, timeout: 10, delete: true });
  const info = await ctl.workerInfo();
  for (const wid of some) assert.equal(pids[wid], info[wid].pid);
  assert.deepEqual(await ctl.messageHasResponse(id), Object.fromEntries(w.ids.map((wid) => [wid, false])));
  // Tasks are shared out: with three idle workers and slow tasks, more than one takes part.
  const tasks = await ctl.taskCreateBulkCall(async () => {
    await new Promise((r) => setTimeout(r, 300));
    return process.pid;
  }, [1, 2, 3, 4, 5, 6]);
  assert.equal(await ctl.taskWait(tasks, { timeout: 20 }), true);
  const used = new Set(await ctl.taskResults(tasks));
  assert.ok(used.size >= 2, `tasks ran on ${used.size} worker(s)`);
  // Stop all with confirmation, then clean up: nothing of the workers stays in Redis.
  assert.deepEqual((await ctl.workerStop(undefined, { timeout: 10 })).sort(), [...w.ids].sort());
  await w.exited();
  assert.deepEqual(await ctl.workerStatus(), Object.fromEntries(w.ids.map((wid) => [wid, 'EXITED'])));
  assert.deepEqual((await ctl.workerDeleteExited()).sort(), [...w.ids].sort());
  assert.deepEqual(await ctl.workerStatus(), {});
  const keys = await ctl.redis.keys(`${ctl.keys.prefix}:worker*`);
  assert.deepEqual(keys, [], 'no worker keys are left');
});

test('a worker serves its queues in order, default last', async () => {
  const ctl = await newController();
  const saved = await ctl.workerConfigSave('urgent-first', { queue: ['urgent'], timeoutIdle: 120 });
  assert.deepEqual(saved.queue, ['urgent', 'default']);
  assert.deepEqual(await ctl.workerConfigList(), ['urgent-first']);
  const w = await ctl.workerSpawn(1, { config: 'urgent-first' });
  const [wid] = w.ids;
  assert.deepEqual((await ctl.workerInfo())[wid].queue, [ctl.keys.queue('urgent'), ctl.keys.queue('default')]);
  assert.equal((await ctl.messageSendAndWait('TIMEOUT_GET'))[wid].timeoutIdle, 120);
  await ctl.messageSendAndWait('PAUSE');
  const normal = await ctl.taskCreateExpr('"normal"');
  const urgent = await ctl.taskCreateExpr('"urgent"', { queue: 'urgent' });
  await ctl.messageSendAndWait('RESUME');
  assert.equal(await ctl.taskWait([normal, urgent], { timeout: 10 }), true);
  const starts = (await ctl.workerLogTail({ n: Infinity })).filter((e) => e.command === 'TASK_START').map((e) => e.message);
  assert.deepEqual(starts, [urgent, normal]);
  await assert.rejects(ctl.workerConfigRead('nope'), /No worker config named 'nope'/);
});

test('workerSpawn fails with the log of a worker that dies at start-up, and leaves nothing running', async () => {
  const ctl = await newController();
  await assert.rejects(ctl.workerSpawn(2, { config: 'missing-config', timeout: 20 }), (err) => {
    assert.match(err.message, /died during start-up \(exit code 1\)/);
    assert.match(err.message, /No worker config named 'missing-config'/);
    return true;
  });
  assert.deepEqual(await ctl.workerList(), []);
});

test('a killed worker is EXITED; a worker whose process dies is detected as LOST without anyone asking', async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(2);
  const [a, b] = w.ids;
  const info = await ctl.workerInfo();
  {
    // Run a task on b, then kill its process from outside.
    const task = await ctl.taskCreateExpr('new Promise(() => {})');
    const taskWorker = await waitFor('a worker to take the task', async () => {
      const busy = Object.entries(await ctl.workerTaskId()).find(([, t]) => t === task);
      return busy?.[0];
    });
    const other = taskWorker === a ? b : a;
    process.kill(info[taskWorker].pid, 'SIGKILL');
    await waitFor('the killed worker to be LOST', async () => (await ctl.workerStatus(taskWorker))[taskWorker] === 'LOST', { timeout: 5000 }).catch(() => {});
    assert.deepEqual(await ctl.workerStatus(taskWorker), { [taskWorker]: 'LOST' });
    const last = (await ctl.workerLogTail({ workerIds: taskWorker, n: 1 }))[0];
    assert.equal(last.command, 'LOST');
    assert.match(last.message, /process ended \(signal SIGKILL\)/);
    assert.ok(!(await ctl.workerList()).includes(taskWorker));
    // Kill the other through the controller (a request its heartbeat takes): EXITED, logged as killed.
    assert.deepEqual(await ctl.workerStop(other, { type: 'kill' }), [other]);
    assert.deepEqual(await ctl.workerStatus(other), { [other]: 'EXITED' });
    const [stop] = await ctl.workerLogTail({ workerIds: other, n: 1 });
    assert.equal(stop.command, 'STOP');
    assert.match(stop.message, new RegExp(`^KILLED \\(requested by \\S+ pid ${process.pid}\\)$`));
    await w.exited();
    assert.equal(w.isAlive(), false);
  }
});

test('a worker started by hand (node dist/worker.js) joins the queue', async () => {
  const ctl = await newController();
  const url = await testRedisUrl();
  const child = spawn(process.execPath, ['dist/worker.js', '--redis', url, '--queue-id', ctl.queueId, '--worker-id', 'by_hand_1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (let i = 0; i < 400 && !(await ctl.workerList()).includes('by_hand_1'); i++) await sleep(25);
    assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { workerIds: 'by_hand_1', timeout: 10 }), { by_hand_1: 'PONG' });
    // The same id cannot be started twice while active.
    const twin = spawn(process.execPath, ['dist/worker.js', '--redis', url, '--queue-id', ctl.queueId, '--worker-id', 'by_hand_1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let twinErr = '';
    twin.stderr.on('data', (d) => { twinErr += d; });
    assert.equal(await new Promise((resolve) => twin.once('exit', resolve)), 1);
    assert.match(twinErr, /already active/);
    // SIGTERM stops it cleanly.
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(await ctl.workerStatus('by_hand_1'), { by_hand_1: 'EXITED' });
    assert.match(output, /STOP OK \(SIGTERM\)/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('Redis with a password: workers connect, and the password appears in no log, info or command line', async () => {
  const password = 's3cret-Pa55';
  const server = await startRedisServer(['--requirepass', password]);
  const url = `redis://:${password}@127.0.0.1:${server.port}`;
  const ctl = await Controller.connect({ redis: url });
  let handle;
  try {
    assert.ok(!ctl.redisDisplay.includes(password));
    assert.match(ctl.redisDisplay, /:\*\*\*@/);
    handle = await ctl.workerSpawn(1);
    const [wid] = handle.ids;
    const info = (await ctl.messageSendAndWait('INFO'))[wid];
    assert.ok(!JSON.stringify(info).includes(password));
    assert.ok(!readFileSync(join(handle.logdir, wid), 'utf8').includes(password));
    const cmdline = readFileSync(`/proc/${info.pid}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes(password), 'the password is not on the command line');
    await assert.rejects(Controller.connect({ redis: `redis://:wrong@127.0.0.1:${server.port}` }), (err) => {
      assert.match(err.message, /Cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
      assert.ok(!err.message.includes('wrong@'));
      return true;
    });
  } finally {
    await handle?.kill();
    await ctl.close();
    await server.stop();
  }
});

test('Redis ACL users: a user name and password in the URL reach the workers too', async () => {
  const server = await startRedisServer(['--user', 'default', 'off', '--user', 'alice', 'on', '>al1ce-pw', '~*', '&*', '+@all']);
  const ctl = await Controller.connect({ redis: `redis://alice:al1ce-pw@127.0.0.1:${server.port}/3` });
  let handle;
  try {
    handle = await ctl.workerSpawn(1);
    assert.deepEqual(Object.values(await ctl.messageSendAndWait('PING')), ['PONG']);
    assert.equal(await ctl.redis.call('ACL', 'WHOAMI'), 'alice');
    assert.ok((await ctl.redis.keys('*')).length > 0);
    assert.match(ctl.redisDisplay, /^redis:\/\/alice:\*\*\*@127\.0\.0\.1:\d+\/3$/);
  } finally {
    await handle?.kill();
    await ctl.destroy();
    await ctl.close();
    await server.stop();
  }
});

test('a refused password is named in the error (NOAUTH / WRONGPASS), not just "Connection is closed"', async () => {
  const server = await startRedisServer(['--requirepass', 'right-one']);
  try {
    await assert.rejects(Controller.connect({ redis: `redis://127.0.0.1:${server.port}` }), /NOAUTH/);
    await assert.rejects(Controller.connect({ redis: `redis://:wrong-one@127.0.0.1:${server.port}` }), (err) => {
      assert.match(err.message, /WRONGPASS|invalid password/i);
      assert.ok(!err.message.includes('wrong-one'));
      assert.equal(errorCode(err), 'REDIS_AUTH', 'callers tell a refused password by its code');
      return true;
    });
    await assert.rejects(Controller.connect({ redis: 'redis://127.0.0.1:1', embedded: false }), (err) => errorCode(err) === 'REDIS_UNREACHABLE');
  } finally {
    await server.stop();
  }
});
