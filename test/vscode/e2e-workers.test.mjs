// End-to-end, as a user: the extension installed in a real VS Code (code-server 4.100.3,
// offline) in Debian Chromium, pointed at a private redis-server through user settings.
// Opens the rrq view, spawns workers from F1 (answering the input box), sees them in the
// tree, pauses one with its inline action and one from its context menu, opens a worker's
// log channel (ALIVE / QUEUE lines), stops the workers from F1. Screenshots in test-results/.
//
//   node --test test/vscode/e2e-workers.test.mjs
//
// Env: RRQ_TEST_REDIS_URL (else a private redis-server is started here), RRQ_EXTENSION_PATH,
// RRQ_HARNESS_DEPS, CHROMIUM_PATH, RRQ_TEST_RESULTS.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { ensureCodeServer } from '../../scripts/vscode/codeServer.mjs';
import {
  extensionUnderTest, launchChromium, preflight, waitForWorkbench, workbenchUrl,
} from '../../scripts/vscode/browser.mjs';
import { startRedisServer } from '../harness/redisServer.mjs';
import { waitFor } from '../harness/wait.cjs';
import { prepareWorkbenchFolders, startWorkbenchServer, runCommandFromPalette, waitForNotification } from './workbench.mjs';

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const VIEW = '[id="workbench.view.extension.rrq"]';

/** Worker rows of the Workers view (their aria-label is "Worker <id>, <status>"). */
function workerRows(page) {
  return page.locator(`${VIEW} .monaco-list-row[aria-label^="Worker "]`);
}

async function rowLabels(page) {
  return (await workerRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')))).filter(Boolean);
}

/** Polling a browser page: less often than the shared default. */
const waitUntil = (what, fn, { timeout = 30_000, interval = 200 } = {}) => waitFor(what, fn, { timeout, interval });

/** Stop anything left on the queue (workers run detached, outside code-server's process group). */
async function stopLeftovers(redisUrl, queueId, log) {
  const ext = extensionUnderTest();
  const { Controller } = createRequire(import.meta.url)(path.join(ext.path, 'dist', 'core.js'));
  const ctl = await Controller.connect({ queueId, redis: redisUrl, embedded: false });
  try {
    const left = await ctl.workerList();
    if (left.length > 0) {
      log(`stopping leftover workers: ${left.join(', ')}`);
      await ctl.workerStop(left, { timeout: 5 }).catch(() => ctl.workerStop(left, { type: 'kill' }));
    }
    await ctl.destroy();
  } finally {
    await ctl.close();
  }
}

test('Workers view: spawn from F1, pause from the tree, worker log, stop', { timeout: 10 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const log = (m) => console.log(`[vscode-e2e-workers] ${m}`);
  extensionUnderTest(); // fails early, saying what is missing, when the extension is not built
  await preflight();
  await ensureCodeServer();

  const ownRedis = process.env.RRQ_TEST_REDIS_URL ? null : await startRedisServer();
  const redisUrl = process.env.RRQ_TEST_REDIS_URL || ownRedis.url;
  const queueId = `rrq:e2e-workers-${crypto.randomBytes(4).toString('hex')}`;

  const { tmp, results, extensionsDir, workspace } = await prepareWorkbenchFolders('rrq-vscode-e2e-workers-');

  const shots = [];
  const shoot = async (page, name) => {
    const file = path.join(results, `vscode-e2e-workers-${name}.png`);
    await page.screenshot({ path: file });
    shots.push(file);
    log(`screenshot: ${file}`);
  };

  let server;
  let browser;
  let page;
  let ok = false;
  try {
    server = await startWorkbenchServer({ tmp, extensionsDir, workspace }, {
      'rrq.redisUrl': redisUrl,
      'rrq.queueId': queueId,
      'rrq.workerCount': 2,
      'rrq.logDirectory': path.join(tmp, 'worker-logs'),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(workbenchUrl(server, { folder: workspace }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench(page);

    // The rrq container in the activity bar.
    const activity = page.locator('.part.activitybar .action-item', { has: page.locator('[aria-label^="rrq"]') }).first();
    await activity.waitFor({ state: 'visible', timeout: 30_000 });
    await activity.click();
    await page.locator(VIEW).waitFor({ state: 'visible', timeout: 15_000 });

    // F1 > rrq: Spawn Workers, answer the input box (its default is the workerCount setting).
    await runCommandFromPalette(page, 'rrq: Spawn Workers');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await input.inputValue(), '2', 'the prompt offers rrq.workerCount');
    await input.fill('2');
    await page.keyboard.press('Enter');
    const progress = await waitForNotification(page, 'Spawning 2 workers', { timeout: 15_000 }).catch((e) => `(not seen: ${e.message})`);
    log(`notification: ${JSON.stringify(progress)}`);

    const idle = await waitUntil('two IDLE workers in the tree', async () => {
      const labels = await rowLabels(page);
      return labels.length === 2 && labels.every((l) => l.endsWith(', IDLE')) ? labels : null;
    }, { timeout: 60_000 });
    log(`tree: ${JSON.stringify(idle)}`);
    const ids = idle.map((l) => /^Worker (\S+),/.exec(l)[1]);
    const descriptions = await page.locator(`${VIEW} .monaco-list-row .label-description`).allInnerTexts();
    assert.deepEqual(descriptions.map((d) => d.trim()), ['IDLE', 'IDLE'], 'status text shown in the row');
    await shoot(page, '1-spawned');

    // Inline action on the first row: hover shows the buttons; Pause.
    const first = workerRows(page).filter({ hasText: ids[0] }).first();
    await first.hover();
    await first.locator('.actions .action-label[aria-label="Pause"]').click({ timeout: 10_000 });
    await waitUntil(`${ids[0]} PAUSED`, async () => (await rowLabels(page)).includes(`Worker ${ids[0]}, PAUSED`), { timeout: 10_000 });
    log(`${ids[0]} PAUSED (inline action)`);

    // Context menu on the second row: Pause.
    const second = workerRows(page).filter({ hasText: ids[1] }).first();
    await second.click({ button: 'right' });
    const menuItem = page.locator('.monaco-menu .action-item', { hasText: /^Pause$/ }).first();
    await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
    await shoot(page, '2-context-menu');
    await menuItem.click();
    await waitUntil(`${ids[1]} PAUSED`, async () => (await rowLabels(page)).includes(`Worker ${ids[1]}, PAUSED`), { timeout: 10_000 });
    log(`${ids[1]} PAUSED (context menu)`);
    await page.mouse.move(700, 700);
    await shoot(page, '3-paused');

    // F1 > rrq: Show Worker Log, pick the first worker: its channel shows ALIVE and QUEUE.
    await runCommandFromPalette(page, 'rrq: Show Worker Log');
    const pick = page.locator('.quick-input-widget input.input');
    await pick.waitFor({ state: 'visible', timeout: 10_000 });
    await pick.fill(ids[0]);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: ids[0] }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    const output = page.locator('.part.panel .monaco-editor .view-lines').first();
    const text = await waitUntil('ALIVE and QUEUE in the output panel', async () => {
      const t = (await output.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      return /ALIVE/.test(t) && /QUEUE\s+default/.test(t) && /PAUSE/.test(t) ? t : null;
    }, { timeout: 20_000 });
    log(`output channel:\n${text}`);
    const channelName = await page.locator('.part.panel .monaco-select-box, .part.panel select').first().evaluate((el) => el.value ?? el.textContent).catch(() => '');
    log(`output channel selected: ${JSON.stringify(channelName)}`);
    await shoot(page, '4-worker-log');

    // F1 > rrq: Stop Workers: every active worker is picked by default; Enter.
    await runCommandFromPalette(page, 'rrq: Stop Workers');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'All workers' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await waitUntil('both EXITED', async () => {
      const labels = await rowLabels(page);
      return labels.length === 2 && labels.every((l) => l.endsWith(', EXITED'));
    }, { timeout: 30_000 });
    await page.mouse.move(700, 700);
    await shoot(page, '5-stopped');
    ok = true;
    log(`timings: total ${secs(Date.now() - t0)}`);
  } finally {
    if (!ok && page) {
      const shot = path.join(results, 'vscode-e2e-workers-failure.png');
      await page.screenshot({ path: shot }).then(() => log(`failure screenshot: ${shot}`), () => {});
    }
    await browser?.close().catch(() => {});
    await server?.stop();
    await stopLeftovers(redisUrl, queueId, log).catch((e) => log(`cleanup: ${e.message}`));
    if (!ok && server && fs.existsSync(server.logFile)) {
      const kept = path.join(results, 'vscode-e2e-workers-code-server.log');
      await fsp.copyFile(server.logFile, kept);
      log(`code-server log: ${kept}`);
    }
    await ownRedis?.stop();
    if (process.env.RRQ_KEEP_TMP !== '1') await fsp.rm(tmp, { recursive: true, force: true });
    t.diagnostic(`total ${secs(Date.now() - t0)}; screenshots: ${shots.join(', ')}`);
  }
});
