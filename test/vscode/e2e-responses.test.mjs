// End-to-end, as a user: the extension installed in a real VS Code (code-server 4.100.3,
// offline) in Debian Chromium. Spawn a worker from the palette, open a JS file whose text is
// an <img onerror> string, select all, "rrq: Evaluate Selection on Workers"; the responses
// webview shows the text literally and runs nothing, and the inline result shows in the
// editor. Then "1 + 1" shows 2. Screenshots under test-results/ (RRQ_TEST_RESULTS).
//
//   RRQ_TEST_REDIS_URL=redis://127.0.0.1:<port> node --test test/vscode/e2e-responses.test.mjs
//
// Without RRQ_TEST_REDIS_URL it starts a private redis-server. The extension must be built.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
import { waitFor as waitForCondition } from '../harness/wait.cjs';
import { prepareWorkbenchFolders, startWorkbenchServer, runCommandFromPalette } from './workbench.mjs';

const XSS_TEXT = '<img src=x onerror="document.title=1">';
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (m) => console.log(`[vscode-e2e-responses] ${m}`);

/** Polling a browser page: less often than the shared default. */
const waitFor = (what, fn, timeout = 30_000, interval = 200) => waitForCondition(what, fn, { timeout, interval });

/** The frame holding the responses webview's own document (webviews are nested iframes). */
async function responsesFrame(page) {
  return waitFor('the responses webview', async () => {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const found = await frame.$('ol#messages').catch(() => null);
      if (found) return frame;
    }
    return null;
  });
}

/** Opens a workspace file through "Go to File...", then selects all its text. */
async function openAndSelectAll(page, name) {
  // Open it in the first group, beside the panel, not over it.
  await runCommandFromPalette(page, 'View: Focus First Editor Group').catch(() => {});
  await runCommandFromPalette(page, 'Go to File...').catch(async () => {
    await page.keyboard.press('Control+P');
  });
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
  const tab = page.locator('.tabs-container .tab.active', { hasText: name });
  await tab.waitFor({ state: 'visible', timeout: 15_000 });
  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await editor.waitFor({ state: 'visible', timeout: 15_000 });
  await editor.click();
  await page.keyboard.press('Control+A');
}

/** Inline "after" decorations of the visible editors: their text, wherever Monaco puts it. */
function inlineDecorationTexts(page) {
  return page.evaluate(() => {
    const texts = new Set();
    for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
      for (const span of line.querySelectorAll('span')) {
        for (const pseudo of ['::after', '::before']) {
          const content = getComputedStyle(span, pseudo).content;
          if (content && content !== 'none' && content !== 'normal' && content.includes('⇒')) texts.add(content.replace(/^"|"$/g, '').replace(/\\"/g, '"'));
        }
      }
      if (line.textContent && line.textContent.includes('⇒')) texts.add(line.textContent.slice(line.textContent.indexOf('⇒')));
    }
    return [...texts];
  });
}

/** What the responses webview shows for the newest message. */
function newestShown(frame) {
  return frame.evaluate(() => {
    const li = document.querySelector('ol#messages > li.message');
    if (!li) return null;
    return {
      id: li.dataset.id,
      command: li.querySelector('.command')?.textContent,
      args: li.querySelector('.args')?.textContent,
      responses: Array.from(li.querySelectorAll('tr.response'), (tr) => ({
        worker: tr.querySelector('.worker')?.textContent,
        text: tr.querySelector('.value')?.textContent,
        error: tr.classList.contains('error'),
        pending: tr.classList.contains('pending'),
        rtt: tr.querySelector('.rtt')?.textContent,
      })),
      images: document.querySelectorAll('img').length,
      injected: document.querySelectorAll('#messages img, #messages script, #messages [onerror], #messages [src]').length,
      title: document.title,
      count: document.querySelectorAll('ol#messages > li.message').length,
    };
  });
}

test('inline EVAL from the editor; the responses webview shows worker text literally', { timeout: 12 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const ext = extensionUnderTest();
  await preflight();
  await ensureCodeServer();
  const require = createRequire(import.meta.url);
  const { Controller } = require(path.join(ext.path, 'dist', 'core.js'));

  const { tmp, results, extensionsDir, workspace } = await prepareWorkbenchFolders('rrq-vscode-e2e-responses-');
  await fsp.writeFile(path.join(workspace, 'xss.js'), `'${XSS_TEXT}'\n`);
  await fsp.writeFile(path.join(workspace, 'add.js'), '1 + 1\n');
  await fsp.writeFile(path.join(workspace, 'fails.ts'), 'const rrqE2e: { x: number } | null = null;\nrrqE2e!.x\n');

  let redis = null;
  let redisUrl = process.env.RRQ_TEST_REDIS_URL;
  if (!redisUrl) {
    redis = await startRedisServer();
    redisUrl = redis.url;
  }
  const queueId = `rrq:e2e-responses-${process.pid}-${Date.now().toString(36)}`;
  let ctl = null;
  let ownWorker = null; // when "rrq: Spawn Workers" is not there: a worker process of our own
  let server;
  let browser;
  let page;
  let ok = false;
  const shots = [];
  const shoot = async (name) => {
    const file = path.join(results, name);
    await page.screenshot({ path: file });
    shots.push(file);
    log(`screenshot: ${file}`);
  };
  try {
    ctl = await Controller.connect({ queueId, redis: redisUrl });
    server = await startWorkbenchServer({ tmp, extensionsDir, workspace }, { 'rrq.redisUrl': redisUrl, 'rrq.queueId': queueId, 'rrq.workerCount': 1, 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(workbenchUrl(server, { folder: workspace }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench(page);
    const tWorkbench = Date.now();
    const pageTitle = await page.title();

    // A worker, as a user makes one: F1 > rrq: Spawn Workers > 1.
    try {
      await runCommandFromPalette(page, 'rrq: Spawn Workers', { timeout: 30_000 });
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('1');
      await page.keyboard.press('Enter');
    } catch (e) {
      log(`"rrq: Spawn Workers" not usable (${e.message.split('\n')[0]}); starting a worker process instead`);
      await page.keyboard.press('Escape').catch(() => {});
      ownWorker = spawn(process.execPath, [path.join(ext.path, 'dist', 'worker.js'), '--redis', redisUrl, '--queue-id', queueId], {
        stdio: 'ignore',
      });
    }
    const [workerId] = await waitFor('a worker to be alive', async () => {
      const ids = await ctl.workerList();
      return ids.length === 1 ? ids : null;
    }, 90_000);
    log(`worker ${workerId}`);
    // The extension sees it too (status bar: "rrq: 1 worker").
    await page.locator('.statusbar-item', { hasText: 'rrq: 1 worker' }).first().waitFor({ state: 'visible', timeout: 30_000 }).catch(() => {});

    // Room for the editor, its inline result and the panel side by side.
    await runCommandFromPalette(page, 'View: Toggle Primary Side Bar Visibility').catch(() => {});

    // 1. The <img onerror> string.
    await openAndSelectAll(page, 'xss.js');
    await runCommandFromPalette(page, 'rrq: Evaluate Selection on Workers');
    // The webview's frame is replaced when its panel moves: look it up each time.
    const shownNow = async () => newestShown(await responsesFrame(page));
    let frame = await responsesFrame(page);
    const shown = await waitFor('the webview to show the answer', async () => {
      const s = await shownNow();
      return s && s.responses.length === 1 && !s.responses[0].pending ? s : null;
    });
    log(`webview shows: ${JSON.stringify(shown)}`);
    assert.equal(shown.command, 'EVAL');
    assert.equal(shown.args.trim(), `'${XSS_TEXT}'`);
    assert.equal(shown.responses[0].worker, workerId);
    assert.equal(shown.responses[0].text, `'${XSS_TEXT}'`, 'the value is shown as text, literally');
    assert.equal(shown.responses[0].error, false);
    assert.match(shown.responses[0].rtt, /^\d+ ms$/);
    assert.equal(shown.images, 0, 'no <img> element was created');
    assert.equal(shown.injected, 0);
    assert.equal(shown.title, 'rrq: Responses', 'the webview title is unchanged');
    const visibleText = await frame.locator('ol#messages > li.message').first().locator('.value').innerText();
    assert.equal(visibleText, `'${XSS_TEXT}'`);
    // The workbench title follows the active editor, but onerror would have made it "1".
    const titleNow = await page.title();
    assert.match(titleNow, /workspace - code-server$/, `the workbench title is VS Code's (was ${JSON.stringify(pageTitle)})`);
    for (const f of page.frames()) {
      const title = await f.evaluate(() => document.title).catch(() => null);
      assert.notEqual(title, '1', `no frame ran the onerror handler (${f.url().slice(0, 80)})`);
    }
    const inline = await waitFor('the inline result in the editor', async () => {
      const texts = await inlineDecorationTexts(page);
      return texts.find((x) => x.includes(workerId) && x.includes('<img')) ?? null;
    });
    log(`inline decoration: ${inline}`);
    assert.equal(inline, `⇒ ${workerId}: '${XSS_TEXT}'`);
    await shoot('vscode-e2e-responses-xss.png');

    // 2. 1 + 1.
    await openAndSelectAll(page, 'add.js');
    await runCommandFromPalette(page, 'rrq: Evaluate Selection on Workers');
    const shown2 = await waitFor('the webview to show 2', async () => {
      const s = await shownNow();
      return s && s.args?.trim() === '1 + 1' && s.responses.length === 1 && !s.responses[0].pending ? s : null;
    });
    assert.equal(shown2.responses[0].text, '2');
    assert.equal(shown2.count, 2, 'both messages listed, newest first');
    const inline2 = await waitFor('the inline result "2"', async () => {
      const texts = await inlineDecorationTexts(page);
      return texts.find((x) => x === `⇒ ${workerId}: 2`) ?? null;
    });
    log(`inline decoration: ${inline2}`);
    frame = await responsesFrame(page);
    // Keyboard: the newest message and its copy button take focus, with a visible outline.
    await frame.locator('ol#messages > li.message').first().focus();
    await frame.locator('ol#messages > li.message').first().press('ArrowDown');
    const focused = await frame.evaluate(() => document.activeElement?.dataset?.id ?? null);
    assert.ok(focused, 'arrow keys move between messages');
    const outline = await frame.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await frame.locator('ol#messages > li.message').first().locator('button.copy').focus();
    await shoot('vscode-e2e-responses-add.png');

    // 3. TypeScript that throws: an error, in the error colour, in the panel and inline.
    await openAndSelectAll(page, 'fails.ts');
    await runCommandFromPalette(page, 'rrq: Evaluate Selection on Workers');
    const shown3 = await waitFor('the webview to show the error', async () => {
      const s = await shownNow();
      return s && s.count === 3 && !s.responses[0].pending ? s : null;
    });
    assert.equal(shown3.responses[0].error, true);
    assert.match(shown3.responses[0].text, /^TypeError: Cannot read properties of null/);
    assert.doesNotMatch(shown3.args, /number/, 'the TypeScript was stripped');
    frame = await responsesFrame(page);
    const colours = await frame.evaluate(() => {
      const value = document.querySelector('ol#messages > li.message tr.response .value');
      const ok = document.querySelectorAll('ol#messages > li.message')[1].querySelector('tr.response .value');
      return { error: getComputedStyle(value).color, ok: getComputedStyle(ok).color };
    });
    assert.notEqual(colours.error, colours.ok, 'errors have their own colour');
    const inline3 = await waitFor('the inline error', async () => {
      const texts = await inlineDecorationTexts(page);
      return texts.find((x) => x.startsWith(`⇒ ${workerId}: TypeError`)) ?? null;
    });
    log(`inline decoration: ${inline3}; colours ${JSON.stringify(colours)}`);
    await shoot('vscode-e2e-responses-error.png');

    log(`timings: workbench ${secs(tWorkbench - t0)} after start, total ${secs(Date.now() - t0)}`);
    ok = true;
  } finally {
    if (!ok && page) {
      const shot = path.join(results, 'vscode-e2e-responses-failure.png');
      await page.screenshot({ path: shot }).then(() => log(`failure screenshot: ${shot}`), () => {});
    }
    // Workers first (the extension's may be in their own process group), then VS Code.
    if (ctl) {
      const ids = await ctl.workerList().catch(() => []);
      if (ids.length) await ctl.workerStop(ids, { timeout: 10 }).catch((e) => log(`stopping workers: ${e.message}`));
    }
    if (ownWorker && ownWorker.exitCode === null) {
      const gone = new Promise((r) => ownWorker.once('exit', r));
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (ownWorker.exitCode === null) ownWorker.kill('SIGKILL');
    }
    await browser?.close().catch(() => {});
    await server?.stop();
    if (!ok && server && fs.existsSync(server.logFile)) {
      const kept = path.join(results, 'vscode-e2e-responses-code-server.log');
      await fsp.copyFile(server.logFile, kept);
      log(`code-server log: ${kept}`);
    }
    await ctl?.destroy().catch(() => {});
    await ctl?.close().catch(() => {});
    await redis?.stop();
    if (process.env.RRQ_KEEP_TMP !== '1') await fsp.rm(tmp, { recursive: true, force: true });
    t.diagnostic(`total ${secs(Date.now() - t0)}; screenshots: ${shots.join(', ') || 'none'}`);
  }
});
