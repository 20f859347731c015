// Waiting for a condition, for every test suite: node:test files, the extension-host suite
// (CommonJS, inside VS Code) and the browser tests. Tests wait for what they assert instead of
// sleeping; the timeout only keeps a broken run from hanging.
'use strict';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` until it returns a truthy value, and returns that value. After `timeout` ms it
 * throws, naming `what` and the last error `fn` threw (an error counts as "not yet").
 */
async function waitFor(what, fn, { timeout = 15_000, interval = 25 } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    }
    await sleep(interval);
  }
}

module.exports = { sleep, waitFor };
