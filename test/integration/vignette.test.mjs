// The whole of rrq's messages vignette (../shared/seed/rrq-messages-vignette.txt), replayed
// step by step against a real Redis and a real worker process, asserting each documented value.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newController, sleep, waitFor } from '../harness/setup.mjs';

const MESSAGE_ID = /^\d{10}\.\d{6}$/;

function logFileLines(file) {
  return readFileSync(file, 'utf8').split('\n');
}

/**
 * Lines of the log file from the last line matching `marker`, once `count` lines are there.
 * The worker writes its file just after answering, so a reader may be a moment early.
 */
async function linesAfter(file, marker, count) {
  const after = () => {
    const lines = logFileLines(file);
    const at = lines.findLastIndex((l) => marker.test(l));
    return at >= 0 ? lines.slice(at) : [];
  };
  return waitFor(`${count} lines from one matching ${marker}`, () => after().filter(Boolean).length >= count && after(), { timeout: 5000, interval: 10 })
    .catch(() => assert.fail(`log file has ${count} lines from one matching ${marker}:\n${logFileLines(file).join('\n')}`));
}

test('the rrq messages vignette, step by step', { timeout: 120_000 }, async (t) => {
  const ctl = await newController();
  assert.match(ctl.queueId, /^rrq:[0-9a-f]{8}$/);
  const logdir = mkdtempSync(join(tmpdir(), 'rrq-vignette-'));
  const w = await ctl.workerSpawn(1, { logdir });
  const [workerId] = w.ids;
  const logFile = join(logdir, workerId);
  assert.match(workerId, /^[a-z]+_[a-z]+_1$/);

  await t.test('on startup the worker log holds ALIVE, ENVIR new, QUEUE default, banner and info', () => {
    const text = readFileSync(logFile, 'utf8');
    assert.match(text, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] ALIVE\n\[[^\]]+\] ENVIR new\n\[[^\]]+\] QUEUE default\n/);
    for (const field of ['worker', 'config', 'rrq_version', 'platform', 'running', 'hostname', 'username', 'queue', 'wd', 'pid', 'redis_host', 'redis_port']) {
      assert.match(text, new RegExp(`^${field}: .+$`, 'm'), `info field ${field} in the log file`);
    }
    assert.match(text, new RegExp(`^worker: ${workerId}$`, 'm'));
    assert.match(text, /^config: localhost$/m);
    assert.match(text, new RegExp(`^queue: \\{${ctl.queueId}\\}:queue:default$`, 'm'));
    assert.match(text, /^redis_host: 127\.0\.0\.1$/m);
  });

  let messageId;
  await t.test('PING: id from Redis time; log shows MESSAGE PING, PONG, RESPONSE PING', async () => {
    messageId = await ctl.messageSend('PING');
    assert.match(messageId, MESSAGE_ID);
    const [seconds] = messageId.split('.').map(Number);
    assert.ok(Math.abs(seconds - Date.now() / 1000) < 60, 'id is the current time');
    await ctl.messageGetResponse(messageId, { timeout: 10 }); // wait for it, keep it
    const after = await linesAfter(logFile, /\] MESSAGE PING$/, 3);
    assert.equal(after[1], 'PONG');
    assert.match(after[2], /\] RESPONSE PING$/);
    const tail = await ctl.workerLogTail({ n: Infinity });
    assert.deepEqual(tail.map((e) => [e.workerId, e.child, e.command, e.message]), [
      [workerId, null, 'ALIVE', ''],
      [workerId, null, 'ENVIR', 'new'],
      [workerId, null, 'QUEUE', 'default'],
      [workerId, null, 'MESSAGE', 'PING'],
      [workerId, null, 'RESPONSE', 'PING'],
    ]);
    for (const e of tail) assert.ok(Math.abs(e.time - Date.now() / 1000) < 60);
  });

  await t.test('has-response, response ids, get, get by worker, delete, then missing', async () => {
    assert.deepEqual(await ctl.messageHasResponse(messageId), { [workerId]: true });
    assert.deepEqual(await ctl.messageResponseIds(workerId), [messageId]);
    assert.deepEqual(await ctl.messageGetResponse(messageId), { [workerId]: 'PONG' });
    assert.deepEqual(await ctl.messageGetResponse(messageId, { workerIds: workerId }), { [workerId]: 'PONG' });
    assert.deepEqual(await ctl.messageGetResponse(messageId, { workerIds: workerId, delete: true }), { [workerId]: 'PONG' });
    await assert.rejects(
      ctl.messageGetResponse(messageId, { workerIds: workerId }),
      { message: `Response missing for worker: '${workerId}'` },
    );
    assert.deepEqual(await ctl.messageHasResponse(messageId), { [workerId]: false });
    assert.deepEqual(await ctl.messageResponseIds(workerId), []);
  });

  await t.test('a PING behind a 2-second task is answered after the task', async () => {
    const taskId = await ctl.taskCreateExpr('new Promise((resolve) => setTimeout(resolve, 2000))');
    assert.match(taskId, /^[0-9a-f]{32}$/);
    await sleep(200); // let the worker take the task first, as in the vignette
    const started = Date.now();
    const id = await ctl.messageSend('PING');
    assert.deepEqual(await ctl.messageGetResponse(id, { workerIds: workerId, delete: true, timeout: 10 }), { [workerId]: 'PONG' });
    assert.ok(Date.now() - started >= 1500, `the response waited for the task (${Date.now() - started} ms)`);
    const tail = await ctl.workerLogTail({ n: 4 });
    assert.deepEqual(tail.map((e) => [e.command, e.message]), [
      ['TASK_START', taskId], ['TASK_COMPLETE', taskId], ['MESSAGE', 'PING'], ['RESPONSE', 'PING'],
    ]);
    assert.ok(tail[1].time - tail[0].time >= 1.9, 'the task took 2 s');
    const after = await linesAfter(logFile, new RegExp(`\\] TASK_START ${taskId}$`), 5);
    assert.match(after[1], new RegExp(`\\] TASK_COMPLETE ${taskId}$`));
    assert.match(after[2], /\] MESSAGE PING$/);
    assert.equal(after[3], 'PONG');
    assert.match(after[4], /\] RESPONSE PING$/);
  });

  await t.test('ECHO prints its text to the log and answers OK', async () => {
    const id = await ctl.messageSend('ECHO', 'hello world!');
    assert.deepEqual(await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }), { [workerId]: 'OK' });
    const after = await linesAfter(logFile, /\] MESSAGE ECHO$/, 3);
    assert.equal(after[1], 'hello world!');
    assert.match(after[2], /\] RESPONSE ECHO$/);
  });

  await t.test('INFO refreshes and returns the worker info', async () => {
    const stored = (await ctl.workerInfo())[workerId];
    assert.equal(stored.worker, workerId);
    assert.equal(stored.config, 'localhost');
    assert.equal(stored.rrqVersion, JSON.parse(readFileSync('package.json', 'utf8')).version);
    assert.equal(stored.platform, `${process.arch}-${process.platform}`);
    assert.equal(typeof stored.running, 'string');
    assert.equal(typeof stored.hostname, 'string');
    assert.equal(typeof stored.username, 'string');
    assert.deepEqual(stored.queue, [`{${ctl.queueId}}:queue:default`]);
    assert.equal(stored.wd, process.cwd());
    assert.equal(typeof stored.pid, 'number');
    assert.equal(stored.redisHost, '127.0.0.1');
    assert.equal(stored.redisPort, Number(new URL(process.env.RRQ_TEST_REDIS_URL ?? ctl.redisDisplay).port));
    const id = await ctl.messageSend('INFO');
    const info = (await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }))[workerId];
    const { envir: _a, ...fresh } = info;
    const { envir: _b, ...before } = stored;
    assert.deepEqual(fresh, before);
    assert.deepEqual((await ctl.workerInfo())[workerId], info);
  });

  await t.test('EVAL "1 + 1" gives 2', async () => {
    const id = await ctl.messageSend('EVAL', '1 + 1');
    assert.deepEqual(await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }), { [workerId]: 2 });
  });

  await t.test('PAUSE: the worker is PAUSED and a task stays PENDING; RESUME: it completes', async () => {
    assert.deepEqual(await ctl.workerStatus(), { [workerId]: 'IDLE' });
    let id = await ctl.messageSend('PAUSE');
    assert.deepEqual(await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }), { [workerId]: 'OK' });
    assert.deepEqual(await ctl.workerStatus(), { [workerId]: 'PAUSED' });
    const taskId = await ctl.taskCreateExpr('Array.from({ length: 5 }, () => Math.random())');
    await sleep(500);
    assert.equal(await ctl.taskStatus(taskId), 'PENDING');
    id = await ctl.messageSend('RESUME');
    assert.deepEqual(await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 }), { [workerId]: 'OK' });
    assert.equal(await ctl.taskWait(taskId, { timeout: 5 }), true);
    const result = await ctl.taskResult(taskId);
    assert.equal(result.length, 5);
    assert.ok(result.every((x) => x >= 0 && x < 1));
  });

  await t.test('TIMEOUT_GET / TIMEOUT_SET 600 / remaining decreases', async () => {
    assert.deepEqual(await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId }),
      { [workerId]: { timeoutIdle: Infinity, remaining: Infinity } });
    assert.deepEqual(await ctl.messageSendAndWait('TIMEOUT_SET', 600, { workerIds: workerId }), { [workerId]: 'OK' });
    const first = (await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId }))[workerId];
    assert.equal(first.timeoutIdle, 600);
    assert.ok(first.remaining <= 600 && first.remaining > 599, `remaining ${first.remaining}`);
    await sleep(1500);
    const second = (await ctl.messageSendAndWait('TIMEOUT_GET', undefined, { workerIds: workerId }))[workerId];
    assert.equal(second.timeoutIdle, 600);
    assert.ok(second.remaining <= first.remaining - 1.4 && second.remaining > 597, `remaining ${second.remaining}`);
  });

  await t.test('bulk tasks, then TIMEOUT_SET 0: the worker finishes its work and exits', async () => {
    const ids = await ctl.taskCreateBulkCall(async (x) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return Array.from({ length: x }, () => Math.random());
    }, [1, 2, 3, 4, 5]);
    assert.equal(ids.length, 5);
    await ctl.messageSend('TIMEOUT_SET', 0, { workerIds: workerId });
    assert.equal(await ctl.taskWait(ids, { timeout: 30 }), true);
    const results = await ctl.taskResults(ids);
    assert.deepEqual(results.map((r) => r.length), [1, 2, 3, 4, 5]);
    assert.ok(results.flat().every((x) => x >= 0 && x < 1));
    await w.exited();
    assert.deepEqual(await ctl.workerStatus(workerId), { [workerId]: 'EXITED' });
    assert.deepEqual(await ctl.workerList(), []);
    const tail = await ctl.workerLogTail({ n: Infinity });
    assert.deepEqual(tail.at(-1).command, 'STOP');
    assert.deepEqual(tail.at(-1).message, 'OK (TIMEOUT)');
    // From the first bulk task on: the five tasks in order, the TIMEOUT_SET message handled
    // between two of them (a message never waits for the queue), and STOP after the last one.
    const fromFirst = tail.slice(tail.findIndex((e) => e.message === ids[0])).map((e) => e.command);
    const withoutMessage = fromFirst.filter((c) => c !== 'MESSAGE' && c !== 'RESPONSE');
    assert.deepEqual(withoutMessage, [...ids.flatMap(() => ['TASK_START', 'TASK_COMPLETE']), 'STOP']);
    assert.equal(fromFirst.filter((c) => c === 'MESSAGE').length, 1);
    assert.ok(fromFirst.indexOf('MESSAGE') < fromFirst.lastIndexOf('TASK_START'), 'the message came before the last task');
    assert.deepEqual(tail.filter((e) => e.command === 'TASK_START').slice(-5).map((e) => e.message), ids);
    assert.match(logFileLines(logFile).filter(Boolean).at(-1), /\] STOP OK \(TIMEOUT\)$/);
  });
});
