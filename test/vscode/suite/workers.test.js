// The Workers view, the worker commands and the log channels, in a real VS Code extension
// host, against the private redis-server of the test run (RRQ_TEST_REDIS_URL). Each test uses
// its own queue id and stops every worker it started.
//
// The view and the channels are read through the extension's API (`inspect`: what activate()
// returns). Commands take their prompts' answers as arguments (see src/extension/commands/).
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const vscode = require('vscode');
const { test } = require('./harness');
const { REDIS, backOnTestRedis, cleanUp, extensionApi, useFreshQueue, waitFor } = require('./support');

const tree = async () => (await extensionApi()).inspect.workerTree();
const logLines = async (id) => (await extensionApi()).inspect.logChannelLines(id);
const lastError = async () => (await extensionApi()).inspect.lastProblem();

async function items() {
  return (await tree()).items;
}

async function itemOf(id) {
  return (await items()).find((i) => i.id === id);
}

test('workers: spawn from the command, the tree shows each worker with status, icon, tooltip and details', async () => {
  const { session, queueId } = await useFreshQueue('tree');
  try {
    assert.equal(await vscode.commands.executeCommand('rrq.connect'), queueId, 'rrq.connect reconnects to the configured queue');
    const ids = await vscode.commands.executeCommand('rrq.spawnWorkers', 2);
    assert.ok(Array.isArray(ids), `spawnWorkers returned ${JSON.stringify(ids)}; last error ${JSON.stringify(await lastError())}`);
    assert.equal(ids.length, 2);
    const shown = await waitFor('two IDLE workers in the tree', async () => {
      const list = await items();
      return list.length === 2 && list.every((i) => i.description === 'IDLE') ? list : null;
    });
    assert.deepEqual(shown.map((i) => i.id), [...ids].sort());
    const snap = await tree();
    assert.equal(snap.description, queueId, 'the view description names the queue');
    assert.equal(snap.message, undefined);
    for (const item of shown) {
      assert.equal(item.label, item.id);
      assert.equal(item.contextValue, 'worker-idle');
      assert.equal(item.icon, 'debug-start');
      assert.equal(item.iconColor, 'charts.green');
      assert.equal(item.collapsible, vscode.TreeItemCollapsibleState.Collapsed);
      // The tooltip is Markdown with every worker-provided value escaped as text.
      const tooltip = item.tooltip.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
      assert.match(tooltip, new RegExp(`\\*\\*${item.id}\\*\\* · IDLE`));
      assert.match(tooltip, /\nhostname: \S+/);
      assert.match(tooltip, /\npid: \d+/);
      assert.match(tooltip, /\nqueue: default {2}\n/);
      const labels = item.children.map((c) => c.label);
      for (const l of ['host', 'pid', 'queue', 'config', 'idle timeout (config)', 'platform', 'node', 'log file']) {
        assert.ok(labels.includes(l), `detail "${l}" missing: ${labels.join(', ')}`);
      }
      assert.ok(item.children.every((c) => c.contextValue === 'worker-detail'));
      assert.equal(item.children.find((c) => c.label === 'queue').description, 'default');
      assert.equal(item.children.find((c) => c.label === 'idle timeout (config)').description, 'never (Infinity)');
      assert.equal(item.children.find((c) => c.label === 'log file').command, 'vscode.open');
    }
    console.log(`    tree: ${shown.map((i) => `${i.label} [${i.description}] ${i.contextValue}`).join('; ')}`);
  } finally {
    await cleanUp(session);
  }
}, { timeout: 90_000 });

test('workers: PAUSE and RESUME from tree items (multi-select) show within a second', async () => {
  const { session } = await useFreshQueue('pause');
  try {
    const ids = await vscode.commands.executeCommand('rrq.spawnWorkers', 2);
    assert.equal(ids?.length, 2, JSON.stringify(await lastError()));
    const list = await waitFor('workers in the tree', async () => {
      const l = await items();
      return l.length === 2 ? l : null;
    });
    const [a, b] = list;
    // A context-menu click passes (clicked element, selected elements).
    const t0 = Date.now();
    const sent = await vscode.commands.executeCommand('rrq.pause', a.element, [a.element]);
    assert.deepEqual(sent.workerIds, [a.id]);
    const paused = await waitFor('PAUSED in the tree', async () => {
      const i = await itemOf(a.id);
      return i?.description === 'PAUSED' ? i : null;
    }, { interval: 10 });
    const ms = Date.now() - t0;
    console.log(`    PAUSE → tree shows PAUSED in ${ms} ms`);
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.equal(paused.contextValue, 'worker-paused');
    assert.equal(paused.icon, 'debug-pause');
    assert.equal(paused.iconColor, 'charts.orange');
    assert.equal((await itemOf(b.id)).description, 'IDLE', 'only the clicked worker');

    // Multi-select: the command applies to every selected item.
    const both = await vscode.commands.executeCommand('rrq.pause', b.element, [a.element, b.element]);
    assert.deepEqual([...both.workerIds].sort(), [a.id, b.id].sort());
    await waitFor('both PAUSED', async () => (await items()).every((i) => i.description === 'PAUSED'));
    const resumed = await vscode.commands.executeCommand('rrq.resume', a.element, [a.element, b.element]);
    assert.equal(resumed.workerIds.length, 2);
    const message = session.tracker.all.find((m) => m.id === resumed.id);
    await session.tracker.whenAnswered(message, 5000);
    assert.deepEqual([...message.responses.values()].map((r) => r.value), ['OK', 'OK']);
    await waitFor('both IDLE again', async () => (await items()).every((i) => i.description === 'IDLE' && i.contextValue === 'worker-idle'));
  } finally {
    await cleanUp(session);
  }
}, { timeout: 90_000 });

test('workers: sendMessage validates arguments; a message to a BUSY worker stays pending; the tree shows the task', async () => {
  const { session } = await useFreshQueue('messages');
  try {
    // Validation (no workers needed): every bad input is a clear error, nothing is sent.
    const before = session.tracker.all.length;
    for (const [args, pattern] of [
      [['rrq.spawnWorkers', 0], /at least one/],
      [['rrq.spawnWorkers', 300], /At most 256/],
      [['rrq.spawnWorkers', 'abc'], /not a whole number/],
      [['rrq.sendMessage', 'TIMEOUT_SET', 'soon', 'all'], /non-negative number of seconds/],
      [['rrq.sendMessage', 'TIMEOUT_SET', -1, 'all'], /non-negative number/],
      [['rrq.sendMessage', 'EVAL', '   ', 'all'], /EVAL needs an expression/],
      [['rrq.sendMessage', 'NOPE', undefined, 'all'], /Unknown message command "NOPE"/],
      [['rrq.sendMessage', 'PING', undefined, 'all'], /No active workers/],
    ]) {
      const result = await vscode.commands.executeCommand(...args);
      assert.equal(result, undefined, `${JSON.stringify(args)} should fail`);
      const err = await lastError();
      assert.match(err.message, pattern, `${JSON.stringify(args)}`);
    }
    assert.equal(session.tracker.all.length, before, 'nothing was sent');

    const [id] = await vscode.commands.executeCommand('rrq.spawnWorkers', 1);
    assert.ok(id, JSON.stringify(await lastError()));
    await waitFor('the worker in the tree', async () => (await items()).length === 1);

    const echo = await vscode.commands.executeCommand('rrq.sendMessage', 'ECHO', 'hello', [id]);
    const inf = await vscode.commands.executeCommand('rrq.sendMessage', 'TIMEOUT_SET', 'Inf', 'all');
    const evalMsg = await vscode.commands.executeCommand('rrq.eval', { workerIds: [id], args: '6 * 7' });
    const get = await vscode.commands.executeCommand('rrq.getIdleTimeout', id);
    const answers = {};
    for (const sent of [echo, inf, evalMsg, get]) {
      assert.ok(sent?.id, JSON.stringify(await lastError()));
      const m = session.tracker.all.find((x) => x.id === sent.id);
      await session.tracker.whenAnswered(m, 10_000);
      answers[m.command] = m.responses.get(id)?.value;
    }
    assert.equal(answers.ECHO, 'OK');
    assert.equal(answers.TIMEOUT_SET, 'OK');
    assert.equal(session.tracker.all.find((x) => x.id === inf.id).args, Infinity, '"Inf" is sent as Infinity');
    assert.equal(answers.EVAL, 42);
    assert.equal(answers.TIMEOUT_GET.timeoutIdle, Infinity);

    // A task keeps the worker BUSY for a while: the tree shows the task and the time it runs.
    await vscode.commands.executeCommand('rrq.workers.focus');
    const task = await session.controller.taskCreateExpr('new Promise((resolve) => setTimeout(() => resolve(1), 2500))');
    const busy = await waitFor('BUSY with the task id', async () => {
      const i = await itemOf(id);
      return i?.description?.startsWith('BUSY') ? i : null;
    });
    assert.match(busy.description, new RegExp(`^BUSY ${task.slice(0, 6)}\\S* \\d+s$`));
    assert.equal(busy.contextValue, 'worker-busy');
    assert.equal(busy.icon, 'sync~spin');
    assert.ok(busy.children.some((c) => c.label === 'task' && c.description === task));
    const snap = await tree();
    if (snap.visible) assert.equal(snap.tickerRunning, true, 'the elapsed time ticks while a worker is busy and the view is visible');

    const ping = await vscode.commands.executeCommand('rrq.ping', busy.element, [busy.element]);
    const pending = session.tracker.all.find((x) => x.id === ping.id);
    assert.equal(pending.responses.size, 0, 'pending while the worker is busy');
    await session.tracker.whenAnswered(pending, 15_000);
    assert.equal(pending.responses.get(id)?.value, 'PONG');
    assert.ok(pending.responses.get(id).roundTripMs > 500, `answered after the task (${pending.responses.get(id).roundTripMs} ms)`);
    await waitFor('IDLE after the task', async () => (await itemOf(id))?.description === 'IDLE');
    await waitFor('the ticker stops', async () => !(await tree()).tickerRunning, { timeout: 3000 });
  } finally {
    await cleanUp(session);
  }
}, { timeout: 120_000 });

test('workers: log channel shows the history, then live entries, none twice', async () => {
  const { session } = await useFreshQueue('logs');
  try {
    const [id] = await vscode.commands.executeCommand('rrq.spawnWorkers', 1);
    assert.ok(id, JSON.stringify(await lastError()));
    // Messages sent while the history is being read must show exactly once.
    const opening = vscode.commands.executeCommand('rrq.showWorkerLog', id);
    const echo = await vscode.commands.executeCommand('rrq.sendMessage', 'ECHO', 'across the boundary', [id]);
    await opening;
    await session.tracker.whenAnswered(session.tracker.all.find((m) => m.id === echo.id), 10_000);
    const ping = await vscode.commands.executeCommand('rrq.ping', id);
    await session.tracker.whenAnswered(session.tracker.all.find((m) => m.id === ping.id), 10_000);
    const lines = await waitFor('RESPONSE PING live in the channel', async () => {
      const l = await logLines(id);
      return l && l.some((x) => /RESPONSE\s+PING/.test(x.text)) ? l : null;
    });
    const texts = lines.map((l) => l.text);
    assert.match(texts[0], new RegExp(`Worker ${id} on queue rrq:test-logs-`));
    assert.ok(texts.some((t) => t.startsWith('stdout/stderr of this worker: ') && t.endsWith(id)), 'the log file is named');
    const count = (re) => texts.filter((t) => re.test(t)).length;
    assert.equal(count(/\bALIVE\b/), 1);
    assert.equal(count(/\bQUEUE\s+default\b/), 1);
    assert.equal(count(/\bMESSAGE\s+ECHO\b/), 1, texts.join('\n'));
    assert.equal(count(/\bRESPONSE\s+ECHO\b/), 1, texts.join('\n'));
    assert.equal(count(/\bMESSAGE\s+PING\b/), 1);
    assert.match(texts.find((t) => /\bALIVE\b/.test(t)), /^\d\d:\d\d:\d\d\.\d{3} ALIVE/);

    // Stopping shows as a warning line.
    const stopped = await vscode.commands.executeCommand('rrq.stopWorkers', { workerIds: [id], timeout: 10 });
    assert.deepEqual(stopped, [id], JSON.stringify(await lastError()));
    const after = await waitFor('STOP in the channel', async () => {
      const l = await logLines(id);
      return l.some((x) => /\d STOP\s/.test(x.text)) ? l : null;
    });
    assert.equal(after.find((x) => /\d STOP\s/.test(x.text)).level, 'warn');
    console.log(`    channel "rrq: ${id}":\n      ${after.map((l) => `[${l.level}] ${l.text}`).join('\n      ')}`);
  } finally {
    await cleanUp(session);
  }
}, { timeout: 90_000 });

test('workers: stop, kill and delete exited workers from the commands', async () => {
  const { session } = await useFreshQueue('stop');
  try {
    const ids = await vscode.commands.executeCommand('rrq.spawnWorkers', 3);
    assert.equal(ids?.length, 3, JSON.stringify(await lastError()));
    const [a, b, c] = [...ids].sort();
    await waitFor('three workers', async () => (await items()).length === 3);

    const stopped = await vscode.commands.executeCommand('rrq.stopWorkers', { workerIds: [a], timeout: 10 });
    assert.deepEqual(stopped, [a]);
    const exited = await waitFor('a EXITED', async () => {
      const i = await itemOf(a);
      return i?.description === 'EXITED' ? i : null;
    });
    assert.equal(exited.contextValue, 'worker-exited');
    assert.equal(exited.icon, 'debug-stop');
    assert.equal(exited.iconColor, 'disabledForeground');

    const bItem = await itemOf(b);
    const killed = await vscode.commands.executeCommand('rrq.killWorkers', { workerIds: [bItem.id], confirm: false });
    assert.deepEqual(killed, [b], JSON.stringify(await lastError()));
    await waitFor('b EXITED', async () => (await itemOf(b))?.description === 'EXITED');

    // STOP message from a tree item (rrq.stopWorker) with an optional reason.
    const cItem = await itemOf(c);
    const stop = await vscode.commands.executeCommand('rrq.stopWorker', { workerIds: [cItem.id], args: 'test over' });
    assert.deepEqual(stop.workerIds, [c]);
    await waitFor('c EXITED', async () => (await itemOf(c))?.description === 'EXITED');

    const deleted = await vscode.commands.executeCommand('rrq.deleteExitedWorkers');
    assert.deepEqual([...deleted].sort(), [a, b, c]);
    await waitFor('an empty tree', async () => (await items()).length === 0);
    assert.deepEqual(await vscode.commands.executeCommand('rrq.deleteExitedWorkers'), []);
  } finally {
    await cleanUp(session);
  }
}, { timeout: 90_000 });

test('workers: 200 workers render quickly; a failed connection shows in the view', async () => {
  const { session } = await useFreshQueue('many');
  try {
    // 200 worker records written straight into Redis (no processes): what the view must handle.
    const k = session.controller.keys;
    const multi = session.controller.redis.multi();
    for (let i = 0; i < 200; i++) {
      const id = `fake_${String(i).padStart(3, '0')}`;
      multi.hset(k.workerStatus, id, i % 10 === 0 ? 'PAUSED' : 'IDLE');
      multi.hset(k.workerInfo, id, JSON.stringify({
        worker: id, config: 'localhost', rrqVersion: '0', platform: 'linux', running: 'node', hostname: 'elsewhere',
        username: 'u', queue: ['default'], wd: '/', pid: 100000 + i, redisHost: '127.0.0.1', redisPort: 6379, heartbeatKey: null, node: 'v20',
      }));
    }
    await multi.exec();
    const t0 = Date.now();
    await vscode.commands.executeCommand('rrq.refreshWorkers');
    await waitFor('200 items', async () => (await items()).length === 200, { interval: 10 });
    const shown = Date.now() - t0;
    const t1 = Date.now();
    const list = await items();
    const render = Date.now() - t1;
    console.log(`    200 workers: in the tree ${shown} ms after refresh; rendering every item and its details ${render} ms`);
    assert.equal(list.filter((i) => i.contextValue === 'worker-paused').length, 20);
    assert.ok(shown < 2000, `${shown} ms`);
    assert.ok(render < 2000, `${render} ms`);
    await session.controller.destroy();
    await vscode.commands.executeCommand('rrq.refreshWorkers');
    await waitFor('an empty tree', async () => (await items()).length === 0);

    // Nothing listens on port 1: the view says why it is empty.
    await vscode.workspace.getConfiguration('rrq').update('redisUrl', 'redis://127.0.0.1:1', vscode.ConfigurationTarget.Global);
    const snap = await waitFor('the error in the view', async () => {
      const s = await tree();
      return s.message ? s : null;
    });
    assert.match(snap.message, /^Cannot connect to Redis: /);
    assert.deepEqual(snap.items, []);
    console.log(`    view message: ${snap.message}`);
  } finally {
    await vscode.workspace.getConfiguration('rrq').update('redisUrl', REDIS, vscode.ConfigurationTarget.Global);
    await cleanUp(session);
  }
}, { timeout: 90_000 });

test('workers: rrq.connect asks for the Redis password when Redis wants one, and keeps it in secret storage', async () => {
  const path = require('node:path');
  const { pathToFileURL } = require('node:url');
  const { startRedisServer } = await import(pathToFileURL(path.join(__dirname, '..', '..', 'harness', 'redisServer.mjs')).href);
  const protectedRedis = await startRedisServer(['--requirepass', 'sekret-test']);
  const { session } = await extensionApi();
  const config = vscode.workspace.getConfiguration('rrq');
  try {
    await session.forgetPassword();
    const queueId = `rrq:test-auth-${crypto.randomBytes(4).toString('hex')}`;
    await config.update('queueId', queueId, vscode.ConfigurationTarget.Global);
    await config.update('redisUrl', protectedRedis.url, vscode.ConfigurationTarget.Global);
    await waitFor('the connection to fail', () => session.state.kind === 'error');

    // A wrong answer to the prompt: a clear error, nothing else.
    assert.equal(await vscode.commands.executeCommand('rrq.connect', { password: 'wrong' }), undefined);
    assert.match((await lastError()).message, /^Redis refused the password: WRONGPASS/);
    // The right one: connected, and the password is kept for the next connection.
    assert.equal(await vscode.commands.executeCommand('rrq.connect', { password: 'sekret-test' }), queueId, JSON.stringify(await lastError()));
    assert.equal(session.state.kind, 'connected');
    assert.ok(!session.state.redis.includes('sekret'), `the password is not shown: ${session.state.redis}`);
    await session.reconnect();
    assert.equal(session.state.kind, 'connected');
    const snap = await tree();
    assert.equal(snap.message, undefined, 'no error in the view once connected');
  } finally {
    await session.forgetPassword();
    await backOnTestRedis(session);
    await protectedRedis.stop();
  }
}, { timeout: 60_000 });
