// End-to-end: the extension installed in a real VS Code (code-server 4.100.3,
// offline) in Debian Chromium: F1, "rrq: Show Version", a notification that
// says rrq. Saves a screenshot under test-results/ (RRQ_TEST_RESULTS).
//
//   node --test test/vscode/e2e.test.mjs
//
// Env: RRQ_EXTENSION_PATH (default: repo root, which must be built),
// RRQ_HARNESS_DEPS (where playwright-core is, if not in the repo), CHROMIUM_PATH.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ensureCodeServer } from '../../scripts/vscode/codeServer.mjs';
import {
  extensionUnderTest, launchChromium, preflight, waitForWorkbench, workbenchUrl,
} from '../../scripts/vscode/browser.mjs';
import { prepareWorkbenchFolders, startWorkbenchServer, runCommandFromPalette, waitForNotification } from './workbench.mjs';

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

test('F1 > "rrq: Show Version" shows a notification with the version', { timeout: 10 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const ext = extensionUnderTest();
  await preflight();
  await ensureCodeServer(); // once per machine; ~1.5 min the first time
  const tInstalled = Date.now();

  const { tmp, results, extensionsDir, workspace } = await prepareWorkbenchFolders('rrq-vscode-e2e-');

  let server;
  let browser;
  let page;
  let ok = false;
  try {
    // Keep the extension on the test run's Redis (it connects in the background on start-up).
    server = await startWorkbenchServer({ tmp, extensionsDir, workspace }, process.env.RRQ_TEST_REDIS_URL ? { 'rrq.redisUrl': process.env.RRQ_TEST_REDIS_URL } : {});
    const tServer = Date.now();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const tOpen = Date.now();
    await page.goto(workbenchUrl(server, { folder: workspace }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench(page);
    const tWorkbench = Date.now();

    const category = ext.manifest.contributes?.commands?.find((c) => c.command === 'rrq.showVersion')?.category ?? 'rrq';
    const tries = await runCommandFromPalette(page, `${category}: Show Version`);
    const text = await waitForNotification(page, 'rrq');
    const tDone = Date.now();
    assert.match(text, /rrq/);
    assert.match(text, new RegExp(ext.manifest.version.replace(/\./g, '\\.')));

    const shot = path.join(results, 'vscode-e2e-show-version.png');
    await page.screenshot({ path: shot });
    console.log(`[vscode-e2e] notification: ${JSON.stringify(text)}`);
    console.log(`[vscode-e2e] screenshot: ${shot}`);
    console.log(`[vscode-e2e] timings: preflight + install check ${secs(tInstalled - t0)}, code-server ready ${secs(tServer - tInstalled)}, ` +
      `workbench ready ${secs(tWorkbench - tOpen)}, command + notification ${secs(tDone - tWorkbench)} (${tries} palette tries), ` +
      `total ${secs(Date.now() - t0)}`);
    ok = true;
  } finally {
    if (!ok) {
      if (page) {
        const shot = path.join(results, 'vscode-e2e-failure.png');
        await page.screenshot({ path: shot }).then(() => console.log(`[vscode-e2e] failure screenshot: ${shot}`), () => {});
      }
    }
    await browser?.close().catch(() => {});
    await server?.stop();
    if (!ok && server && fs.existsSync(server.logFile)) {
      const kept = path.join(results, 'vscode-e2e-code-server.log');
      await fsp.copyFile(server.logFile, kept);
      console.log(`[vscode-e2e] code-server log: ${kept}`);
    }
    if (process.env.RRQ_KEEP_TMP !== '1') await fsp.rm(tmp, { recursive: true, force: true });
    t.diagnostic(`total ${secs(Date.now() - t0)}`);
  }
});
