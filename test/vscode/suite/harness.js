// A tiny test registry for the extension-host suite (VS Code loads index.js; every
// *.test.js file in this folder registers its tests here).
'use strict';

const tests = [];

/** Register a test. fn may be async; it gets a context with cleanup registration. */
function test(name, fn, { timeout } = {}) {
  tests.push({ name, fn, timeout });
}

module.exports = { test, tests };
