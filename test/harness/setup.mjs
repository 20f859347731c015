// Shared by the test files: the Redis to use (started by scripts/test.mjs, or here when a
// file is run on its own), and helpers for controllers that clean up after themselves.
import { after } from 'node:test';
import { Controller } from '../../dist/core.js';
import { startRedisServer } from './redisServer.mjs';

let serverPromise = null;

// Registered when this module is imported (at the top level of a test file), so it runs once,
// after every test of that file, whichever hook or test created the resources.
const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

export async function testRedisUrl() {
  if (process.env.RRQ_TEST_REDIS_URL) return process.env.RRQ_TEST_REDIS_URL;
  serverPromise ??= startRedisServer().then((server) => {
    cleanups.unshift(() => server.stop()); // stopped last
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
  cleanups.push(async () => {
    await Promise.all(handles.map((h) => h.kill()));
    await ctl.destroy();
    await ctl.close();
  });
  return ctl;
}

export { sleep, waitFor } from './wait.cjs';
