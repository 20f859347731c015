// package.json's contributions agree with the code: menus name only contributed commands, and
// the tree-item menus of message commands show for exactly the active worker statuses
// (ACTIVE_WORKER_STATUSES); that every registered command is contributed and the other way
// round is checked inside VS Code (test/vscode/suite/activation.test.js).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ACTIVE_WORKER_STATUSES, WORKER_STATUSES } from '../../dist/core.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
const menuItems = Object.entries(pkg.contributes.menus).flatMap(([menu, items]) => items.map((item) => ({ menu, ...item })));

/** The worker statuses a `when` clause's `viewItem =~ /.../` shows the item for. */
function statusesShown(when) {
  const m = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(when) ?? /viewItem == (\S+)/.exec(when);
  assert.ok(m, `no viewItem condition in ${when}`);
  const matches = when.includes('=~') ? (v) => new RegExp(m[1]).test(v) : (v) => v === m[1];
  return WORKER_STATUSES.filter((s) => matches(`worker-${s.toLowerCase()}`));
}

test('menus and keybindings name only contributed commands', () => {
  for (const item of [...menuItems, ...pkg.contributes.keybindings]) {
    assert.ok(contributed.has(item.command), `${item.menu ?? 'keybinding'}: ${item.command} is not contributed`);
  }
});

test('commands that send a message show on tree items of exactly the active workers', () => {
  const active = [...ACTIVE_WORKER_STATUSES].sort();
  const messageCommands = ['rrq.ping', 'rrq.info', 'rrq.echo', 'rrq.eval', 'rrq.setIdleTimeout', 'rrq.getIdleTimeout',
    'rrq.refreshEnvironment', 'rrq.stopWorker', 'rrq.killWorkers'];
  const items = menuItems.filter((i) => i.menu === 'view/item/context');
  for (const command of messageCommands) {
    const entries = items.filter((i) => i.command === command);
    assert.ok(entries.length > 0, `${command} has a tree-item menu entry`);
    for (const e of entries) assert.deepEqual(statusesShown(e.when).sort(), active, `${command} (${e.group})`);
  }
  // PAUSE for active workers that are not paused, RESUME for paused ones, the log for every worker.
  for (const e of items.filter((i) => i.command === 'rrq.pause')) assert.deepEqual(statusesShown(e.when).sort(), ['BUSY', 'IDLE']);
  for (const e of items.filter((i) => i.command === 'rrq.resume')) assert.deepEqual(statusesShown(e.when), ['PAUSED']);
  for (const e of items.filter((i) => i.command === 'rrq.showWorkerLog')) assert.deepEqual(statusesShown(e.when), [...WORKER_STATUSES]);
});
