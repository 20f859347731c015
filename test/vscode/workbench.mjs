// Helpers that drive the VS Code workbench (code-server in Chromium) the way
// a person does: keyboard, command palette, notifications.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { extensionUnderTest, makeTempDir, resultsDir } from '../../scripts/vscode/browser.mjs';
import { startCodeServer } from '../../scripts/vscode/codeServer.mjs';

/**
 * Folders for one end-to-end test: a temp folder, the extension "installed" in an
 * extensions dir (<publisher>.<name>-<version> linking to the extension under test), an
 * empty workspace, and the results folder for screenshots.
 */
export async function prepareWorkbenchFolders(prefix) {
  const ext = extensionUnderTest();
  const tmp = await makeTempDir(prefix);
  const results = resultsDir();
  await fsp.mkdir(results, { recursive: true });
  const extensionsDir = path.join(tmp, 'extensions');
  await fsp.mkdir(extensionsDir, { recursive: true });
  await fsp.symlink(ext.path, path.join(extensionsDir, ext.folderName), 'dir');
  const workspace = path.join(tmp, 'workspace');
  await fsp.mkdir(workspace);
  return { ext, tmp, results, extensionsDir, workspace };
}

/** code-server on the folders of prepareWorkbenchFolders, with these user settings. */
export function startWorkbenchServer({ tmp, extensionsDir, workspace }, settings = {}) {
  return startCodeServer({
    userDataDir: path.join(tmp, 'user-data'),
    extensionsDir,
    folder: workspace,
    logFile: path.join(tmp, 'code-server.log'),
    settings,
  });
}

/**
 * F1, type the command's full title ("<category>: <title>"), pick the row
 * whose label matches, Enter. Retries while the command is not listed yet
 * (right after the workbench shows, the extensions are still being scanned,
 * and an open palette does not refresh its list when they arrive).
 */
export async function runCommandFromPalette(page, title, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: Math.min(1_500, Math.max(1_000, deadline - Date.now())) });
      await page.keyboard.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: 10_000 });
      return attempt;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        throw new Error(`command "${title}" not found in the command palette within ${timeout} ms (${attempt} tries): ${err.message}`, { cause: err });
      }
      await page.waitForTimeout(500);
    }
  }
}

/** Waits for a notification toast containing `text`; returns its text. */
export async function waitForNotification(page, text, { timeout = 20_000 } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  try {
    await toast.waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => []);
    throw new Error(`no notification containing ${JSON.stringify(text)} within ${timeout} ms; ` +
      `notifications shown: ${JSON.stringify(shown.map((s) => s.trim()))}`);
  }
  // Toasts slide in: a trial click waits until the box is stable (for screenshots).
  await toast.click({ trial: true, timeout: 5_000 }).catch(() => {});
  return (await toast.innerText()).trim();
}
