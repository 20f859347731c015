// Message ids under load, the embedded default Redis, and the rrq command line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { resolveRedisTarget, stateDir } from '../../dist/core.js';
import { newController, testRedisUrl, waitFor } from '../harness/setup.mjs';

const run = promisify(execFile);

/** SIGTERM, wait until the process is gone (so its files can be removed), SIGKILL if it lingers. */
async function stopProcess(pid) {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGTERM');
  await waitFor(`process ${pid} to exit`, () => !alive(), { timeout: 5000 }).catch(() => {
    if (alive()) process.kill(pid, 'SIGKILL');
  });
}

test('message ids are unique and increase, even when sent at once from several controllers', async () => {
  const ctl = await newController();
  const other = await newController({ queueId: ctl.queueId });
  await ctl.redis.sadd(ctl.keys.workerIds, 'sink_1'); // a target that never reads
  const ids = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? ctl : other).messageSend('PING')));
  assert.equal(new Set(ids).size, ids.length, 'all unique');
  for (const id of ids) assert.match(id, /^\d{10}\.\d{6}$/);
  // The order Redis handed them out is the order they were pushed on the list.
  const pushed = (await ctl.redis.lrange(ctl.keys.workerMessage('sink_1'), 0, -1)).map((r) => JSON.parse(r).id);
  assert.deepEqual(pushed, [...pushed].sort());
  assert.deepEqual([...pushed].sort(), [...ids].sort());
  await ctl.redis.del(ctl.keys.workerMessage('sink_1'));
  await ctl.redis.srem(ctl.keys.workerIds, 'sink_1');
});

test('with no Redis given and none local, a private redis-server is started, then reused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rrq-state-'));
  const saved = { state: process.env.RRQ_STATE_DIR, url: process.env.RRQ_REDIS_URL };
  process.env.RRQ_STATE_DIR = dir;
  delete process.env.RRQ_REDIS_URL;
  let pid;
  try {
    assert.equal(stateDir(), dir);
    const nowhere = 'redis://127.0.0.1:1'; // nothing listens on port 1
    const first = await resolveRedisTarget(undefined, nowhere);
    assert.equal(first.source, 'embedded');
    const record = JSON.parse(readFileSync(join(dir, 'redis', 'server.json'), 'utf8'));
    pid = record.pid;
    assert.equal(record.port, first.options.port);
    const second = await resolveRedisTarget(undefined, nowhere);
    assert.equal(second.options.port, first.options.port, 'reused, not started again');
    assert.equal(JSON.parse(readFileSync(join(dir, 'redis', 'server.json'), 'utf8')).pid, pid);
    // Its data and append-only file live in the state folder.
    await waitFor('the append-only file', () => existsSync(join(dir, 'redis', 'appendonlydir')) || existsSync(join(dir, 'redis', 'rrq.aof')), { timeout: 2000 }).catch(() => {});
    assert.ok(existsSync(join(dir, 'redis', 'appendonlydir')) || existsSync(join(dir, 'redis', 'rrq.aof')));
  } finally {
    if (pid) await stopProcess(pid);
    if (saved.state === undefined) delete process.env.RRQ_STATE_DIR;
    else process.env.RRQ_STATE_DIR = saved.state;
    if (saved.url !== undefined) process.env.RRQ_REDIS_URL = saved.url;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with no Redis and no redis-server on PATH, one clear error says what to install', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rrq-state-'));
  const saved = { path: process.env.PATH, state: process.env.RRQ_STATE_DIR, url: process.env.RRQ_REDIS_URL };
  process.env.PATH = dir;
  process.env.RRQ_STATE_DIR = dir;
  delete process.env.RRQ_REDIS_URL;
  try {
    await assert.rejects(resolveRedisTarget(undefined, 'redis://127.0.0.1:1'),
      /redis-server is not on PATH\. Install Redis \(Debian\/Ubuntu: sudo apt-get install -y redis-server/);
  } finally {
    process.env.PATH = saved.path;
    if (saved.state === undefined) delete process.env.RRQ_STATE_DIR;
    else process.env.RRQ_STATE_DIR = saved.state;
    if (saved.url !== undefined) process.env.RRQ_REDIS_URL = saved.url;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the rrq CLI: spawn, list, status, messages, tasks, log and stop, with --json', async () => {
  const ctl = await newController();
  const base = ['dist/cli.js', '--redis', await testRedisUrl(), '--queue-id', ctl.queueId, '--json'];
  const rrq = async (...args) => JSON.parse((await run(process.execPath, [...base, ...args])).stdout);
  const { ids } = await rrq('worker', 'spawn', '2');
  assert.equal(ids.length, 2);
  try {
    assert.deepEqual(await rrq('worker', 'list'), [...ids].sort());
    assert.deepEqual(await rrq('worker', 'status'), Object.fromEntries(ids.map((id) => [id, 'IDLE'])));
    assert.deepEqual(await rrq('message', 'send-and-wait', 'PING'), Object.fromEntries(ids.map((id) => [id, 'PONG'])));
    assert.deepEqual(await rrq('message', 'send-and-wait', 'EVAL', '6', '*', '7', '--worker', ids[0]), { [ids[0]]: 42 });
    assert.deepEqual(await rrq('message', 'send-and-wait', 'TIMEOUT_GET', '--worker', ids[1]),
      { [ids[1]]: { timeoutIdle: 'Infinity', remaining: 'Infinity' } });
    const id = await rrq('message', 'send', 'ECHO', 'hello', 'world!', '--worker', ids[0]);
    assert.deepEqual(await rrq('message', 'response', id, '--worker', ids[0], '--timeout', '10'), { [ids[0]]: 'OK' });
    assert.deepEqual(await rrq('message', 'has-response', id, '--worker', ids[0]), { [ids[0]]: true });
    assert.deepEqual(await rrq('message', 'response-ids', ids[0]), [id]);
    const task = await rrq('task', 'create-expr', '[1, 2].map((x) => x * 10)');
    assert.equal(await rrq('task', 'wait', task, '--timeout', '10'), true);
    assert.deepEqual(await rrq('task', 'status', task), { [task]: 'COMPLETE' });
    assert.deepEqual(await rrq('task', 'result', task), [10, 20]);
    assert.equal((await rrq('task', 'info', task)).expr, '[1, 2].map((x) => x * 10)');
    const printing = await rrq('task', 'create-expr', 'console.log("printed"); 1');
    assert.equal(await rrq('task', 'wait', printing, '--timeout', '10'), true);
    assert.equal(await rrq('task', 'log', printing), 'printed\n');
    const slow = await rrq('task', 'create-expr', 'new Promise(() => {})', '--timeout', '60');
    const dependant = await rrq('task', 'create-expr', '1', '--depends-on', slow);
    assert.deepEqual(await rrq('task', 'status', dependant), { [dependant]: 'DEFERRED' });
    assert.deepEqual(await rrq('task', 'cancel', slow, dependant), { [slow]: true, [dependant]: false });
    const [retried] = Object.values(await rrq('task', 'retry', printing));
    assert.equal(await rrq('task', 'wait', retried, '--timeout', '10'), true);
    assert.deepEqual(await rrq('task', 'overview'), {
      PENDING: 0, RUNNING: 0, COMPLETE: 2, ERROR: 0, CANCELLED: 1, DIED: 0, TIMEOUT: 0, IMPOSSIBLE: 1, DEFERRED: 0, MOVED: 1,
    });
    assert.equal((await rrq('task', 'list')).length, 5);
    assert.deepEqual(await rrq('queue', 'list'), { default: 0 });
    assert.equal(await rrq('task', 'delete', retried), 1);
    const log = await rrq('worker', 'log', ids[0], '--all');
    assert.deepEqual(log.slice(0, 3).map((e) => e.command), ['ALIVE', 'ENVIR', 'QUEUE']);
    assert.deepEqual(await rrq('worker', 'detect-exited'), []);
    const saved = await rrq('worker', 'config', 'save', 'guarded', '--heartbeat-period', '2', '--no-eval', '--tasks', 'environment');
    assert.deepEqual([saved.heartbeatPeriod, saved.allowEval, saved.tasks], [2, false, 'environment']);
    assert.deepEqual(await rrq('worker', 'stop', ids[1], '--kill', '--timeout', '10'), [ids[1]]);
    assert.deepEqual((await rrq('worker', 'stop', '--timeout', '10')).sort(), [ids[0]]);
    assert.deepEqual(await rrq('worker', 'status'), Object.fromEntries(ids.map((i) => [i, 'EXITED'])));
    assert.deepEqual((await rrq('worker', 'delete-exited')).sort(), [...ids].sort());
  } finally {
    for (const [, info] of Object.entries(await ctl.workerInfo(ids))) {
      try { process.kill(info.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
});

test('the rrq CLI explains usage errors without a stack trace', async () => {
  const base = ['dist/cli.js', '--redis', await testRedisUrl(), '--queue-id', 'rrq:cli-errors'];
  const fails = async (args, pattern, code = 2) => {
    await assert.rejects(run(process.execPath, [...base, ...args]), (err) => {
      assert.equal(err.code, code);
      assert.match(err.stderr, pattern);
      assert.doesNotMatch(err.stderr, /\n\s+at /, 'no stack trace');
      return true;
    });
  };
  await fails(['message', 'send', 'TIMEOUT_SET', 'soon'], /TIMEOUT_SET argument must be a non-negative number of seconds or Inf/);
  await fails(['message', 'send', 'EVAL'], /EVAL needs text/);
  await fails(['message', 'send', 'PING', 'extra'], /PING takes no argument/);
  await fails(['worker', 'spawn', 'many'], /N must be a positive integer/);
  await fails(['worker', 'stop', '--kill', '--kill-local'], /--kill and --kill-local cannot go together/);
  await fails(['worker', 'config', 'save', 'x', '--tasks', 'some'], /--tasks must be 'any' or 'environment', not 'some'/);
  await fails(['frobnicate'], /Unknown command 'frobnicate'/);
  await fails(['--bogus'], /Unknown option '--bogus'/);
  await fails(['message', 'send-and-wait', 'PING'], /no active workers/, 1);
  await assert.rejects(run(process.execPath, ['dist/cli.js', '--redis', 'redis://:pw@127.0.0.1:1', 'worker', 'list']), (err) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /Cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    return true;
  });
});
