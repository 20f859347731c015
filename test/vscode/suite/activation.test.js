'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { test } = require('./harness');

const EXTENSION_ID = 'rrq.rrq';

test('extension rrq.rrq is present', () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found; non-built-in extensions: ${vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id).join(', ') || 'none'}`);
  assert.equal(ext.packageJSON.name, 'rrq');
  assert.equal(ext.packageJSON.publisher, 'rrq');
});

test('extension rrq.rrq activates and returns its API', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const api = await ext.activate();
  assert.equal(ext.isActive, true);
  assert.equal(api.version, ext.packageJSON.version);
  assert.ok(api.session, 'the API exposes the session');
});

test('every contributed command is registered', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const commands = new Set(await vscode.commands.getCommands(true));
  const missing = ext.packageJSON.contributes.commands.map((c) => c.command).filter((c) => !commands.has(c));
  assert.deepEqual(missing, [], `registered: ${[...commands].filter((c) => c.startsWith('rrq.')).join(', ')}`);
});

test('every command the extension registers is contributed (no hidden commands)', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  await ext.activate();
  // VS Code itself registers commands for each contributed view (rrq.workers.focus, ...).
  const viewPrefixes = Object.values(ext.packageJSON.contributes.views).flat().map((v) => `${v.id}.`);
  const registered = (await vscode.commands.getCommands(true))
    .filter((c) => c.startsWith('rrq.') && !viewPrefixes.some((p) => c.startsWith(p)));
  const contributed = new Set(ext.packageJSON.contributes.commands.map((c) => c.command));
  assert.deepEqual(registered.filter((c) => !contributed.has(c)), [], 'registered but not in package.json');
});

test('activation cost is reported (loading the bundle and activate(); recorded by bench/extension.mjs)', async () => {
  const api = await vscode.extensions.getExtension(EXTENSION_ID).activate();
  assert.equal(typeof api.activationMs, 'number');
  assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0, `activationMs ${api.activationMs}`);
  console.log(`rrq activation: ${api.activationMs.toFixed(1)} ms`);
});
