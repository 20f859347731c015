// Shared by the test files: the Redis to use (started by scripts/test.mjs, or here when a
// file is run on its own), and helpers for controllers that clean up after themselves.
import { after } from 'node:test';
import { Controller } from '../../dist/core.js';
import { startRedisServer } from './redisServer.mjs';

let serverPromise = null;

export async function testRedisUrl() {
  if (process.env.RRQ_TEST_REDIS_URL) return process.env.RRQ_TEST_REDIS_URL;
  serverPromise ??= startRedisServer().then((server) => {
    after(() => server.stop());
    return server;
  });
  return (await serverPromise).url;
}

/** A controller on a fresh queue id; at the end its workers are stopped and its keys deleted. */
export async function newController(options = {}) {
  const ctl = await Controller.connect({ redis: await testRedisUrl(), ...options });
  const handles = [];
  const spawn = ctl.workerSpawn.bind(ctl);
  ctl.workerSpawn = async (...args) => {
    const handle = await spawn(...args);
    handles.push(handle);
    return handle;
  };
  after(async () => {
    await Promise.all(handles.map((h) => h.kill()));
    await ctl.destroy();
    await ctl.close();
  });
  return ctl;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
