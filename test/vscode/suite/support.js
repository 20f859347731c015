// What the extension-host tests share: the extension's API (what activate() returns: the
// session and what its surfaces show, `api.inspect`), a fresh queue on the test run's private
// redis-server (RRQ_TEST_REDIS_URL), and cleaning up after it. Waiting is the shared helper.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const vscode = require('vscode');
const { sleep, waitFor } = require('../../harness/wait.cjs');

const EXTENSION_ID = 'rrq.rrq';
const REDIS = process.env.RRQ_TEST_REDIS_URL;

/** The extension's API (activating it if needed). */
async function extensionApi() {
  return vscode.extensions.getExtension(EXTENSION_ID).activate();
}

/**
 * Points the extension at the test Redis (or `redis`, another one the test started) and a fresh
 * queue; resolves once the session is connected to it.
 */
async function useFreshQueue(tag, { redis = REDIS } = {}) {
  assert.ok(REDIS, 'RRQ_TEST_REDIS_URL is not set: run through scripts/test.mjs or set it to a private redis-server');
  const queueId = `rrq:test-${tag}-${crypto.randomBytes(4).toString('hex')}`;
  const config = vscode.workspace.getConfiguration('rrq');
  await config.update('redisUrl', redis, vscode.ConfigurationTarget.Global);
  await config.update('queueId', queueId, vscode.ConfigurationTarget.Global);
  const api = await extensionApi();
  const { session } = api;
  // Each settings change reconnects: wait for the connection made with the last one.
  await waitFor(`a connection to ${queueId}`, async () => {
    if (session.state.kind === 'connecting') return false;
    if (session.state.kind === 'connected' && session.controller?.queueId === queueId && session.tracker) return true;
    await session.reconnect().catch(() => {});
    return session.state.kind === 'connected' && session.controller?.queueId === queueId;
  });
  return { api, session, queueId };
}

/** A controller of its own on the queue (the library users get), to look from outside the session. */
async function observer(queueId) {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const { Controller } = require(path.join(ext.extensionPath, 'dist', 'core.js'));
  return Controller.connect({ redis: REDIS, queueId });
}

/** Stop (then kill) every worker of the queue that is still running, and delete the queue's keys. */
async function cleanUp(session) {
  const ctl = session.controller;
  if (ctl) {
    const active = await ctl.workerList().catch(() => []);
    if (active.length > 0) await ctl.workerStop(active, { timeout: 5 }).catch(() => {});
  }
  await Promise.all([...session.spawned].map((h) => h.kill().catch(() => {})));
  if (ctl) await ctl.destroy().catch(() => {});
}

/** Point the extension at the test Redis again (after a test moved it elsewhere), and wait until it is connected there. */
async function backOnTestRedis(session) {
  await vscode.workspace.getConfiguration('rrq').update('redisUrl', REDIS, vscode.ConfigurationTarget.Global);
  await waitFor('back on the test Redis', async () => {
    if (session.state.kind === 'connecting') return false;
    if (session.state.kind === 'connected' && session.controller?.redisDisplay === REDIS) return true;
    await session.reconnect().catch(() => {});
    return false;
  }).catch(() => {});
}

module.exports = { EXTENSION_ID, REDIS, backOnTestRedis, cleanUp, extensionApi, observer, sleep, useFreshQueue, waitFor };
