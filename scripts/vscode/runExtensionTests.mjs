#!/usr/bin/env node
// Runs an extension-host test module (exports run(): Promise) inside a real
// VS Code and exits with its result: 0 when run() resolves, 1 otherwise.
//
//   node scripts/vscode/runExtensionTests.mjs [--tests <index.js>] [--extension <dir>]
//        [--folder <workspace>] [--timeout <s>] [--runner code-server|electron]
//
// Runners:
//   code-server (default; offline): code-server 4.100.3 + Debian Chromium via
//     playwright-core. The workbench is opened with the payload
//     extensionDevelopmentPath/extensionTestsPath, as VS Code's own browser
//     integration tests do, and reports the result via codeAutomationExit.
//   electron (when VSCODE_EXECUTABLE is set, or --runner electron): desktop
//     VS Code through @vscode/test-electron (VSCODE_EXECUTABLE as
//     vscodeExecutablePath, else it downloads VS Code: needs internet). Needs
//     a display: use xvfb-run on a headless machine.
//
// Env: RRQ_EXTENSION_PATH (default: repo root), RRQ_VSCODE_TEST_TIMEOUT (s),
// RRQ_HARNESS_DEPS, CHROMIUM_PATH, RRQ_VSCODE_TEST_VERBOSE=1 (print the whole
// browser console, not only the extension host's), RRQ_KEEP_TMP=1.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PrerequisiteError, startCodeServer, ensureCodeServer } from './codeServer.mjs';
import {
  repoRoot, resultsDir, extensionUnderTest, loadHarnessModule, launchChromium,
  workbenchUrl, remoteUri, waitForWorkbench, makeTempDir, withTimeout, elapsed, preflight,
} from './browser.mjs';

const DEFAULT_TESTS = path.join(repoRoot, 'test', 'vscode', 'suite', 'index.js');

/**
 * Returns the exit code (0 pass, 1 fail). Never throws for a test failure;
 * throws PrerequisiteError when the machine lacks something.
 */
export async function runExtensionTests({
  extensionPath,
  testsPath = DEFAULT_TESTS,
  folder,
  timeoutSec = Number(process.env.RRQ_VSCODE_TEST_TIMEOUT || 300),
  runner = process.env.VSCODE_EXECUTABLE ? 'electron' : 'code-server',
  out = (line) => process.stdout.write(`${line}\n`),
} = {}) {
  const ext = extensionUnderTest(extensionPath);
  testsPath = path.resolve(testsPath);
  if (!fs.existsSync(testsPath)) throw new PrerequisiteError(`VS Code test harness: test module ${testsPath} not found.`);
  if (runner === 'electron') return runWithElectron({ ext, testsPath, folder, out });
  return runWithCodeServer({ ext, testsPath, folder, timeoutSec, out });
}

// Runs in the page before the workbench: forwards console calls made on
// behalf of the extension host to the harness, without the "%c INFO" styling.
const EXT_HOST_CONSOLE_TAP = `(() => {
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    const orig = console[level].bind(console);
    console[level] = (...args) => {
      orig(...args);
      try {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 40;
        const stack = String(new Error().stack);
        Error.stackTraceLimit = limit;
        if (!stack.includes('$logExtensionHostMessage')) return;
        let rest = args;
        if (typeof rest[0] === 'string' && /^%c\\s*[A-Z]+$/.test(rest[0])) rest = rest.slice(2);
        const text = rest.map((a) => typeof a === 'string' ? a : (() => { try { return JSON.stringify(a); } catch { return String(a); } })()).join(' ');
        const sev = /^%c\\s*(ERR|WARN)/.exec(String(args[0]));
        window.rrqHarnessExtHostLog?.(sev ? (sev[1] === 'ERR' ? 'error' : 'warn') : level, text);
      } catch {}
    };
  }
})();`;

async function runWithCodeServer({ ext, testsPath, folder, timeoutSec, out }) {
  const t0 = Date.now();
  await preflight(); // prerequisites (one message) and playwright-core, before starting anything
  await ensureCodeServer();
  const tInstalled = Date.now();
  const tmp = await makeTempDir('rrq-vscode-it-');
  const keepTmp = process.env.RRQ_KEEP_TMP === '1';
  const removeTmpOnExit = () => { if (!keepTmp) fs.rmSync(tmp, { recursive: true, force: true }); };
  process.on('exit', removeTmpOnExit); // Ctrl-C or watchdog: finally blocks do not run
  const workspace = folder ? path.resolve(folder) : path.join(tmp, 'workspace');
  await fsp.mkdir(workspace, { recursive: true });
  const consoleLog = path.join(resultsDir(), 'vscode-integration-browser-console.log');
  await fsp.mkdir(resultsDir(), { recursive: true });
  const consoleStream = fs.createWriteStream(consoleLog);
  const verbose = process.env.RRQ_VSCODE_TEST_VERBOSE === '1';

  let server;
  let browser;
  let code = 1;
  const timings = {};
  try {
    server = await startCodeServer({
      userDataDir: path.join(tmp, 'user-data'),
      extensionsDir: path.join(tmp, 'extensions'), // empty: only the extension under development
      folder: workspace,
      logFile: path.join(tmp, 'code-server.log'),
      // From the first activation on, the extension talks to the test run's Redis only.
      settings: process.env.RRQ_TEST_REDIS_URL ? { 'rrq.redisUrl': process.env.RRQ_TEST_REDIS_URL } : {},
    });
    timings.codeServerReady = Date.now() - tInstalled;
    browser = await launchChromium();
    const page = await browser.newPage();

    let settle;
    const exitCode = new Promise((resolve) => { settle = resolve; });
    await page.exposeFunction('codeAutomationExit', (c) => settle(Number(c) === 0 ? 0 : 1));
    // The extension host's console reaches the workbench over RPC
    // ($logExtensionHostMessage) and is printed by its log service, looking
    // like the workbench's own log lines. A console wrapper installed before
    // the workbench loads tells them apart by the caller's stack.
    await page.exposeFunction('rrqHarnessExtHostLog', (level, text) => {
      out(level === 'error' || level === 'warn' ? `[${level}] ${text}` : text);
    });
    await page.addInitScript(EXT_HOST_CONSOLE_TAP);
    page.on('console', (msg) => {
      consoleStream.write(`[${msg.type()}] ${msg.text()}\n`);
      if (verbose) out(`[browser ${msg.type()}] ${msg.text()}`);
    });
    page.on('pageerror', (e) => consoleStream.write(`[pageerror] ${e.stack || e}\n`));
    page.on('crash', () => { out('[vscode-test] the browser page crashed'); settle(1); });
    page.on('close', () => settle(1));

    const url = workbenchUrl(server, {
      folder: workspace,
      payload: [
        ['extensionDevelopmentPath', remoteUri(server, ext.path)],
        ['extensionTestsPath', remoteUri(server, testsPath)],
        ['skipWelcome', 'true'],
        ['skipReleaseNotes', 'true'],
      ],
    });
    const tOpen = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    waitForWorkbench(page).then(() => { timings.workbenchReady = Date.now() - tOpen; }, () => {});
    try {
      code = await withTimeout(exitCode, timeoutSec * 1000, `timed out after ${timeoutSec} s waiting for the extension-host tests`);
    } catch (e) {
      out(`[vscode-test] ${e.message}`);
      code = 1;
    }
    timings.tests = Date.now() - tOpen;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await new Promise((r) => consoleStream.end(r));
    if (code !== 0 && server) {
      const kept = path.join(resultsDir(), 'vscode-integration-code-server.log');
      await fsp.copyFile(server.logFile, kept).catch(() => {});
      out(`[vscode-test] code-server log: ${kept}; browser console: ${consoleLog}`);
    }
    process.off('exit', removeTmpOnExit);
    if (!keepTmp) await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
  const ms = (v) => (v === undefined ? '-' : `${(v / 1000).toFixed(1)} s`);
  out(`[vscode-test] code-server ${code === 0 ? 'PASS' : 'FAIL'} (exit ${code}): preflight + install check ${ms(tInstalled - t0)}, ` +
    `code-server ready ${ms(timings.codeServerReady)}, workbench ready ${ms(timings.workbenchReady)}, ` +
    `workbench to tests done ${ms(timings.tests)}, total ${elapsed(t0)}`);
  return code;
}

async function runWithElectron({ ext, testsPath, folder, out }) {
  const t0 = Date.now();
  const mod = await loadHarnessModule('@vscode/test-electron');
  const runTests = mod.runTests ?? mod.default?.runTests;
  const tmp = await makeTempDir('rrq-vscode-electron-');
  const workspace = folder ? path.resolve(folder) : path.join(tmp, 'workspace');
  await fsp.mkdir(workspace, { recursive: true });
  let code;
  try {
    code = await runTests({
      ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : {}),
      extensionDevelopmentPath: ext.path,
      extensionTestsPath: testsPath,
      launchArgs: [
        workspace,
        '--disable-extensions', // others than the one under development
        `--user-data-dir=${path.join(tmp, 'user-data')}`,
        `--extensions-dir=${path.join(tmp, 'extensions')}`,
      ],
    });
  } catch (e) {
    out(`[vscode-test] ${e.message || e}`);
    code = 1;
  } finally {
    if (process.env.RRQ_KEEP_TMP !== '1') await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
  code = code === 0 ? 0 : 1;
  out(`[vscode-test] electron ${code === 0 ? 'PASS' : 'FAIL'} (exit ${code}) in ${elapsed(t0)}`);
  return code;
}

async function main() {
  const { values } = parseArgs({
    options: {
      tests: { type: 'string' },
      extension: { type: 'string' },
      folder: { type: 'string' },
      timeout: { type: 'string' },
      runner: { type: 'string' },
    },
  });
  const timeoutSec = Number(values.timeout || process.env.RRQ_VSCODE_TEST_TIMEOUT || 300);
  // Last resort if something hangs outside the tests' own timeout (the
  // one-time code-server install, ~1.5 min, is allowed for).
  setTimeout(() => {
    console.error(`[vscode-test] watchdog: still running after ${timeoutSec + 600} s, exiting`);
    process.exit(1); // the 'exit' hook of startCodeServer kills code-server's process group
  }, (timeoutSec + 600) * 1000).unref();
  let code;
  // Run on its own (npm run test:vscode), the suite gets a private redis-server like npm test's.
  let redis = null;
  try {
    if (!process.env.RRQ_TEST_REDIS_URL) {
      const { startRedisServer } = await import('../../test/harness/redisServer.mjs');
      redis = await startRedisServer();
      process.env.RRQ_TEST_REDIS_URL = redis.url;
    }
    code = await runExtensionTests({
      extensionPath: values.extension,
      testsPath: values.tests,
      folder: values.folder,
      timeoutSec,
      ...(values.runner ? { runner: values.runner } : {}),
    });
  } catch (err) {
    if (err instanceof PrerequisiteError) {
      console.error(err.message);
      code = 2;
    } else {
      console.error(err);
      code = 1;
    }
  } finally {
    await redis?.stop();
  }
  process.exit(code);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Ctrl-C / SIGTERM: exit, so startCodeServer's 'exit' hook kills its group
  // (playwright closes its browser on exit by itself).
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
  main();
}
