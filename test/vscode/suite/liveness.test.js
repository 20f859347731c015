// Liveness and faults, in a real VS Code extension host: a worker killed with kill -9 shows
// LOST (found by this window, with one notification naming it and why), a worker already LOST
// when the window connects is no news, a Redis restart shows as "reconnecting" and heals by
// itself without a reload, and a long EVAL shows the worker BUSY with it. What the surfaces
// show is read through the extension's API (`inspect`).
'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const vscode = require('vscode');
const { test } = require('./harness');
const { EXTENSION_ID, REDIS, backOnTestRedis, cleanUp, extensionApi, useFreshQueue, waitFor } = require('./support');

const inspect = async () => (await extensionApi()).inspect;
const items = async () => (await (await inspect()).workerTree()).items;
const itemOf = async (id) => (await items()).find((i) => i.id === id);
const lastError = async () => (await inspect()).lastProblem();
const notificationsAbout = async (id, since = 0) => (await inspect()).notifications().slice(since).filter((n) => n.message.includes(id));

/** A worker process of its own (not spawned by the extension, so only heartbeats tell of its death). */
function startWorker(session, queueId, config) {
  const worker = path.join(vscode.extensions.getExtension(EXTENSION_ID).extensionPath, 'dist', 'worker.js');
  const node = session.nodeForWorkers() ?? process.execPath; // the host's own runtime runs as Node with ELECTRON_RUN_AS_NODE
  const child = spawn(node, [worker, '--redis', REDIS, '--queue-id', queueId, '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  child.stderrText = '';
  child.stderr.on('data', (d) => { child.stderrText += d; });
  return child;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => { socket.destroy(); resolve(d.toString().startsWith('+PONG')); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/**
 * A redis-server of this test's own that keeps its data across restarts (AOF, fsync on every
 * write) and can be stopped and started again on the same port, with time in between.
 */
async function restartableRedis() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrq-vscode-redis-'));
  let child = null;
  const server = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
      const mine = child;
      await waitFor(`redis-server on port ${port}`, async () => {
        if (mine.exitCode !== null) throw new Error(`redis-server exited with ${mine.exitCode}`);
        return answersPing(port);
      }, { timeout: 10_000 });
    },
    /** SIGTERM: a clean shutdown; SIGKILL: a crash (the AOF, written on every write, keeps the data). */
    async stop(signal = 'SIGTERM') {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((resolve) => c.once('exit', resolve));
      c.kill(signal);
      await gone;
    },
    async remove() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

test('liveness: a busy worker killed with kill -9 shows LOST in the tree, found by this window, with one notification', async () => {
  const { session, queueId } = await useFreshQueue('lost');
  const ctl = session.controller;
  let child;
  try {
    await ctl.workerConfigSave('fast', { heartbeatPeriod: 0.5 });
    child = startWorker(session, queueId, 'fast');
    const { id } = await waitFor('the worker IDLE in the tree', async () => (await items()).find((i) => i.description === 'IDLE'), { timeout: 30_000 })
      .catch((err) => { throw new Error(`${err.message}; worker stderr: ${child.stderrText}`); });
    // Once the worker is dead, nobody else looks for dead workers on this queue: this window does.
    assert.equal((await inspect()).detectingLostWorkers(), true);
    const task = await ctl.taskCreateExpr('new Promise((resolve) => setTimeout(resolve, 60000))');
    await waitFor('BUSY with the task', async () => (await itemOf(id))?.description?.startsWith(`BUSY ${task.slice(0, 6)}`));
    const before = (await inspect()).notifications().length;

    const t0 = Date.now();
    process.kill(child.pid, 'SIGKILL');
    const lost = await waitFor('LOST in the tree', async () => {
      const i = await itemOf(id);
      return i?.description === 'LOST' ? i : null;
    }, { timeout: 20_000 });
    const ms = Date.now() - t0;
    console.log(`    kill -9 → LOST in the tree after ${ms} ms (heartbeat period 0.5 s, expiry 1.5 s)`);
    assert.equal(lost.contextValue, 'worker-lost');
    assert.equal(lost.icon, 'warning');
    assert.equal(lost.iconColor, 'errorForeground');
    assert.equal(await ctl.taskStatus(task), 'DIED');

    const [note] = await waitFor('a notification naming the worker', async () => {
      const n = await notificationsAbout(id, before);
      return n.length > 0 ? n : null;
    });
    console.log(`    notification: [${note.level}] ${note.message} [${note.actions.map((a) => a.title).join(', ')}]`);
    assert.equal(note.level, 'warning');
    assert.equal(note.message, `rrq: worker ${id} is lost: heartbeat expired.`);
    assert.deepEqual(note.actions.map((a) => a.title), ['Show Log']);
    // Its button opens the worker's log channel, where the LOST entry is an error.
    const [action] = note.actions;
    await vscode.commands.executeCommand(action.command, ...action.arguments);
    const lines = await waitFor('LOST in the log channel', async () => {
      const l = (await inspect()).logChannelLines(id);
      return l?.some((x) => /\bLOST\s+heartbeat expired/.test(x.text)) ? l : null;
    });
    assert.equal(lines.find((x) => /\bLOST\s/.test(x.text)).level, 'error');
    assert.equal((await notificationsAbout(id, before)).length, 1, 'one notification for one lost worker');
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await cleanUp(session);
  }
}, { timeout: 90_000 });

test('liveness: a worker already LOST when the window connects is no news; one lost afterwards is', async () => {
  const { session } = await useFreshQueue('baseline');
  try {
    const { keys } = session.controller;
    await session.controller.redis.hset(keys.workerStatus, 'fake_old', 'LOST');
    await session.reconnect(); // a new connection, which finds fake_old LOST
    await waitFor('fake_old in the tree', async () => (await itemOf('fake_old'))?.description === 'LOST');
    const before = (await inspect()).notifications().length;

    // Records written straight into Redis, as another controller marking a worker LOST would.
    const redis = session.controller.redis;
    await redis.hset(keys.workerStatus, 'fake_new', 'IDLE');
    await vscode.commands.executeCommand('rrq.refreshWorkers');
    await waitFor('fake_new IDLE', async () => (await itemOf('fake_new'))?.description === 'IDLE');
    const entry = { time: Date.now() / 1000, command: 'LOST', message: 'process ended (signal SIGKILL)' };
    await redis.multi().hset(keys.workerStatus, 'fake_new', 'LOST').rpush(keys.workerLog('fake_new'), JSON.stringify(entry)).exec();
    await vscode.commands.executeCommand('rrq.refreshWorkers');
    const [note] = await waitFor('the notification for fake_new', async () => {
      const n = await notificationsAbout('fake_new', before);
      return n.length > 0 ? n : null;
    });
    assert.equal(note.message, 'rrq: worker fake_new is lost: process ended (signal SIGKILL).');
    assert.deepEqual(await notificationsAbout('fake_old', before), [], 'no notification for a worker LOST before the window connected');
  } finally {
    await cleanUp(session);
  }
}, { timeout: 60_000 });

test('liveness: Redis restarts: "reconnecting", then connected again; commands meanwhile wait; the tree works, without a reload', async () => {
  const server = await restartableRedis();
  const rejections = [];
  const onRejection = (reason) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const { session } = await useFreshQueue('restart', { redis: server.url });
  const states = [];
  const sub = session.onDidChangeState((s) => states.push(s.kind));
  try {
    const [id] = (await vscode.commands.executeCommand('rrq.spawnWorkers', 1)) ?? [];
    assert.ok(id, JSON.stringify(await lastError()));
    await waitFor('the worker IDLE in the tree', async () => (await itemOf(id))?.description === 'IDLE');

    await server.stop();
    const state = await waitFor('the session reconnecting', async () => {
      const s = (await inspect()).sessionState();
      return s.kind === 'reconnecting' ? s : null;
    });
    assert.equal(state.queueId, session.controller.queueId);
    const bar = (await inspect()).statusBar();
    assert.match(bar.text, /rrq: disconnected, reconnecting…/);
    assert.equal(bar.warning, true, 'the status bar item has the warning colour');
    const view = await (await inspect()).workerTree();
    assert.match(view.message, /^Disconnected from Redis \(.+\); reconnecting…/);
    assert.deepEqual(view.items.map((i) => i.id), [id], 'the workers stay, as last seen');
    assert.equal((await inspect()).detectingLostWorkers(), false, 'no detection while disconnected');
    console.log(`    while Redis is down: status bar "${bar.text}"; view "${view.message}"`);

    // Commands run meanwhile wait for the connection and then do their work.
    const refreshing = vscode.commands.executeCommand('rrq.refreshWorkers');
    const pinging = vscode.commands.executeCommand('rrq.ping', id);
    await server.start();
    await waitFor('connected again', async () => (await inspect()).sessionState().kind === 'connected', { timeout: 30_000 });
    assert.deepEqual(states.filter((k, i) => k !== states[i - 1]), ['reconnecting', 'connected'], `states: ${states.join(', ')}`);
    assert.equal(await refreshing, 1, JSON.stringify(await lastError()));
    const ping = await pinging;
    assert.ok(ping?.id, JSON.stringify(await lastError()));
    const pinged = session.tracker.all.find((m) => m.id === ping.id);
    await session.tracker.whenAnswered(pinged, 30_000);
    assert.equal(pinged.responses.get(id)?.value, 'PONG');

    // The tree is live again: a PAUSE from it shows, pushed by the worker's events.
    const item = await itemOf(id);
    await vscode.commands.executeCommand('rrq.pause', item.element, [item.element]);
    await waitFor('PAUSED in the tree', async () => (await itemOf(id))?.description === 'PAUSED');
    await vscode.commands.executeCommand('rrq.resume', id);
    await waitFor('IDLE in the tree', async () => (await itemOf(id))?.description === 'IDLE');
    const after = await (await inspect()).workerTree();
    assert.equal(after.message, undefined);
    assert.equal((await inspect()).statusBar().warning, false);
    assert.match((await inspect()).statusBar().text, /rrq: 1 worker$/);
    assert.equal((await inspect()).detectingLostWorkers(), true, 'detection runs again');

    // A longer outage (a crash this time): a command waits a while, then says what is going on.
    await server.stop('SIGKILL');
    await waitFor('reconnecting again', async () => (await inspect()).sessionState().kind === 'reconnecting');
    const before = (await inspect()).notifications().length;
    assert.equal(await vscode.commands.executeCommand('rrq.refreshWorkers'), undefined);
    const problem = await lastError();
    assert.match(problem.message, /^Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.+\); rrq keeps reconnecting by itself\./);
    const toasts = (await inspect()).notifications().slice(before);
    assert.deepEqual(toasts.map((n) => [n.level, n.message]), [['error', `rrq: ${problem.message}`]]);
    console.log(`    a command during a longer outage: ${toasts[0].message}`);
    await server.start();
    await waitFor('connected after the crash', async () => (await inspect()).sessionState().kind === 'connected', { timeout: 30_000 });
    assert.equal(await vscode.commands.executeCommand('rrq.refreshWorkers'), 1, JSON.stringify(await lastError()));
    await waitFor('the worker IDLE after the crash', async () => (await itemOf(id))?.description === 'IDLE');
    assert.deepEqual(rejections.map(String), [], 'no unhandled rejections');
  } finally {
    sub.dispose();
    process.off('unhandledRejection', onRejection);
    await cleanUp(session);
    await backOnTestRedis(session);
    await server.remove();
  }
}, { timeout: 120_000 });

test('liveness: a long EVAL shows the worker BUSY with it in the tree, then IDLE', async () => {
  const { session } = await useFreshQueue('eval');
  try {
    const [id] = (await vscode.commands.executeCommand('rrq.spawnWorkers', 1)) ?? [];
    assert.ok(id, JSON.stringify(await lastError()));
    await waitFor('the worker IDLE in the tree', async () => (await itemOf(id))?.description === 'IDLE');
    await vscode.commands.executeCommand('rrq.workers.focus');
    const expr = '(() => { const end = Date.now() + 2500; while (Date.now() < end) {} return "done"; })()';
    const sent = await vscode.commands.executeCommand('rrq.eval', { workerIds: [id], args: expr });
    assert.ok(sent?.id, JSON.stringify(await lastError()));
    const busy = await waitFor('BUSY with the EVAL', async () => {
      const i = await itemOf(id);
      return /^BUSY · EVAL for \d+s$/.test(i?.description ?? '') ? i : null;
    });
    console.log(`    tree: ${busy.label} [${busy.description}]`);
    assert.equal(busy.contextValue, 'worker-busy');
    assert.equal(busy.icon, 'sync~spin');
    assert.match(busy.tooltip.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1'), new RegExp(`message: EVAL ${sent.id.replace(/\./g, '\\.')} \\(running \\d+s\\)`));
    assert.ok(busy.children.some((c) => c.label === 'message' && c.description === `EVAL ${sent.id}`));
    assert.match((await inspect()).statusBar().text, /rrq: 1 worker, 1 busy$/);
    await waitFor('the elapsed time counting', async () => /^BUSY · EVAL for [1-9]\d*s$/.test((await itemOf(id))?.description ?? ''));

    const message = session.tracker.all.find((m) => m.id === sent.id);
    await session.tracker.whenAnswered(message, 15_000);
    assert.equal(message.responses.get(id)?.value, 'done');
    await waitFor('IDLE after the EVAL', async () => (await itemOf(id))?.description === 'IDLE');
  } finally {
    await cleanUp(session);
  }
}, { timeout: 60_000 });
