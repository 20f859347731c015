// Loaded by VS Code as extensionTestsPath for bench/extension.mjs: reports what loading and
// activating the extension cost, as measured by the extension itself.
'use strict';

const vscode = require('vscode');

async function run() {
  const api = await vscode.extensions.getExtension('rrq.rrq').activate();
  console.log(`rrq-activation-ms ${api.activationMs}`);
}

module.exports = { run };
