// The responses panel and inline EVAL, in the extension host against a real Redis
// (RRQ_TEST_REDIS_URL) and a real worker spawned by the session.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { test } = require('./harness');
const { useFreshQueue, waitFor: waitForCondition } = require('./support');

const XSS = '<img src=x onerror="globalThis.__rrqPwned=1">';

const waitFor = (what, fn, timeout = 20000) => waitForCondition(what, fn, { timeout, interval: 50 });

let api;
let session;
let queueId;
let workerIds = [];

function connectedToOurQueue() {
  return session.state.kind === 'connected' && session.state.queueId === queueId && session.tracker;
}

async function openEditor(language, content) {
  const doc = await vscode.workspace.openTextDocument({ language, content });
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
}

function selectAll(editor) {
  const doc = editor.document;
  editor.selection = new vscode.Selection(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}

function trackedMessage(id) {
  const m = session.tracker.all.find((x) => x.id === id);
  assert.ok(m, `message ${id} is tracked`);
  return m;
}

async function answered(id) {
  const m = trackedMessage(id);
  await session.tracker.whenAnswered(m, 30000);
  assert.equal(m.responses.size, m.workerIds.length, `every worker answered ${m.command} ${id}`);
  return m;
}

async function inlineResultFor(id, predicate = (r) => r.answered > 0) {
  return waitFor(`the inline result of ${id}`, async () => {
    const results = api.inspect.inlineResults();
    const r = results.find((x) => x.messageId === id);
    return r && predicate(r) ? r : null;
  });
}

async function panelMessage(id, predicate = (m) => m.answered === m.responses.length) {
  return waitFor(`the panel to show ${id}`, async () => {
    const state = await api.inspect.responses();
    if (!state.open || !state.ready) return null;
    const m = state.messages.find((x) => x.id === id);
    return m && predicate(m) ? { state, message: m } : null;
  });
}

/** Waits until a reset or upsert posted to the webview carried message `id` matching `predicate`. */
async function postedFor(id, predicate) {
  return waitFor(`${id} to be posted to the webview`, async () => {
    const { posted } = await api.inspect.responses();
    return posted.some((p) => (p.type === 'reset' || p.type === 'upsert') && p.messages.some((m) => m.id === id && predicate(m)));
  });
}

/** What the webview's DOM shows (asked through postMessage), once it shows `id` answered. */
async function domMessage(id) {
  return waitFor(`the webview DOM to show ${id}`, async () => {
    const state = await api.inspect.responses({ probe: true });
    const dom = state.dom;
    const m = dom?.messages.find((x) => x.id === id);
    return m && m.responses.every((r) => r.state !== 'pending') ? { dom, message: m } : null;
  });
}

test('responses: connect to the test Redis and spawn a worker', async () => {
  ({ api, session, queueId } = await useFreshQueue('responses'));
  const handle = await session.spawnWorkers(1, 90);
  workerIds = handle.ids;
  assert.equal(workerIds.length, 1);
  await waitFor('the monitor to list the worker', () => session.workers.some((w) => w.id === workerIds[0] && w.status === 'IDLE'));
}, { timeout: 150000 });

test('responses: rrq.evaluateSelection sends "1 + 1" as EVAL, answered with 2, shown inline', async () => {
  const editor = await openEditor('javascript', '1 + 1');
  selectAll(editor);
  const result = await vscode.commands.executeCommand('rrq.evaluateSelection');
  assert.ok(result, 'the command returns what it sent');
  assert.equal(result.source, '1 + 1');
  assert.deepEqual(result.workerIds, workerIds);
  const m = await answered(result.messageId);
  assert.equal(m.command, 'EVAL');
  assert.equal(m.args, '1 + 1');
  assert.equal(m.responses.get(workerIds[0]).value, 2);
  assert.equal(typeof m.responses.get(workerIds[0]).roundTripMs, 'number');
  const inline = await inlineResultFor(result.messageId);
  assert.equal(inline.text, `⇒ ${workerIds[0]}: 2`);
  assert.equal(inline.isError, false);
  assert.equal(inline.line, 0);
  assert.equal(inline.document, editor.document.uri.toString());
}, { timeout: 60000 });

test('responses: a TypeScript line is stripped with esbuild and evaluates to 6', async () => {
  const editor = await openEditor('typescript', 'const rrqTsX: number = 2; rrqTsX * 3\n// next line');
  editor.selection = new vscode.Selection(0, 5, 0, 5); // empty: the cursor's line
  const result = await vscode.commands.executeCommand('rrq.evaluateSelection', { workerIds });
  assert.ok(result);
  assert.doesNotMatch(result.source, /: number/);
  assert.doesNotMatch(result.source, /export \{\}/);
  const m = await answered(result.messageId);
  assert.equal(m.responses.get(workerIds[0]).value, 6);
  const inline = await inlineResultFor(result.messageId);
  assert.equal(inline.text, `⇒ ${workerIds[0]}: 6`);
  assert.equal(inline.line, 0);
  // Editing the evaluated code clears its result; editing elsewhere would not.
  await editor.edit((b) => b.insert(new vscode.Position(0, 0), ' '));
  await waitFor('the inline result to be cleared', async () => {
    const results = api.inspect.inlineResults();
    return !results.some((r) => r.messageId === result.messageId);
  });
}, { timeout: 60000 });

test('responses: the panel opens and lists the messages newest first with their responses', async () => {
  const editor = await openEditor('javascript', '[new Map([["a", 1n]]), new Set([NaN]), Infinity, undefined]');
  selectAll(editor);
  const result = await vscode.commands.executeCommand('rrq.evaluateSelection', { workerIds });
  await answered(result.messageId);
  const { state, message } = await panelMessage(result.messageId);
  assert.equal(state.open, true);
  assert.equal(state.messages[0].id, result.messageId, 'newest first');
  assert.equal(message.command, 'EVAL');
  assert.match(message.args, /new Map/);
  assert.equal(message.responses.length, 1);
  const r = message.responses[0];
  assert.equal(r.worker, workerIds[0]);
  assert.equal(r.state, 'ok');
  assert.match(r.text, /Map\(1\) \{ 'a' => 1n \}/);
  assert.match(r.text, /Set\(1\) \{ NaN \}/);
  assert.match(r.text, /Infinity/);
  assert.match(r.text, /undefined/);
  assert.equal(typeof r.roundTripMs, 'number');
  // The CSP: our nonce'd script and our stylesheet, nothing inline, nothing eval'd.
  assert.match(state.html, /default-src 'none'/);
  assert.match(state.html, /script-src 'nonce-[A-Za-z0-9]{32}'/);
  assert.doesNotMatch(state.html, /unsafe-(inline|eval)/);
  assert.doesNotMatch(state.html, /style="/);
  assert.equal(state.options.enableScripts, true);
  assert.equal(state.options.localResourceRoots.length, 1);
  assert.match(state.options.localResourceRoots[0], /\/media$/);
  // What was posted to the webview includes this message, and the webview's DOM shows it.
  await postedFor(result.messageId, (m) => m.responses[0].state === 'ok' && m.responses[0].text === r.text);
  const { message: shown } = await domMessage(result.messageId);
  assert.equal(shown.command, 'EVAL');
  assert.equal(shown.responses[0].worker, workerIds[0]);
  assert.equal(shown.responses[0].text, r.text);
  assert.match(shown.responses[0].rtt, /^\d+ ms$/);
}, { timeout: 60000 });

test('responses: a worker returning <img src=x onerror=...> is shown as text, escaped', async () => {
  const editor = await openEditor('javascript', `'${XSS}'`);
  selectAll(editor);
  const result = await vscode.commands.executeCommand('rrq.evaluateSelection', { workerIds });
  const m = await answered(result.messageId);
  assert.equal(m.responses.get(workerIds[0]).value, XSS);
  const { state, message } = await panelMessage(result.messageId);
  // Posted as plain data (the text, never HTML); the webview sets it with textContent.
  assert.equal(message.responses[0].text, `'${XSS}'`);
  assert.equal(state.html.includes('<img'), false);
  // Posted verbatim, as data: the webview sets it with textContent.
  await postedFor(result.messageId, (m) => m.responses[0].text === `'${XSS}'`);
  const { dom, message: shown } = await domMessage(result.messageId);
  assert.equal(shown.responses[0].text, `'${XSS}'`, 'the DOM shows the text literally');
  assert.equal(shown.args, `'${XSS}'`);
  assert.equal(dom.images, 0, 'no <img> element was created');
  assert.equal(dom.injected, 0, 'no element or handler made from the data');
  assert.equal(globalThis.__rrqPwned, undefined);
  const inline = await inlineResultFor(result.messageId);
  assert.equal(inline.text, `⇒ ${workerIds[0]}: '${XSS}'`);

  // The helpers themselves, unit-style.
  const view = api.inspect.responsesView;
  assert.equal(view.escapeHtml(XSS), '&lt;img src=x onerror=&quot;globalThis.__rrqPwned=1&quot;&gt;');
  assert.equal(view.escapeHtml(`<script>alert('x')</script>&`), '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;');
  assert.deepEqual(view.formatValue(XSS), { text: `'${XSS}'`, isError: false });
  const shell = view.renderShell({ cspSource: 'https://x"><script>', nonce: 'n"<', scriptUri: 'a"b', styleUri: '<c>' });
  assert.doesNotMatch(shell, /<script>/);
  assert.match(shell, /nonce="n&quot;&lt;"/);
  const viewed = view.viewMessage({
    id: '1.000001', command: 'EVAL', args: XSS, workerIds: ['w1', 'w2'], sentAt: 0,
    responses: new Map([['w1', { value: XSS, roundTripMs: 3.4 }]]),
  });
  assert.deepEqual(viewed.responses, [
    { worker: 'w1', state: 'ok', text: `'${XSS}'`, roundTripMs: 3 },
    { worker: 'w2', state: 'pending', text: 'pending', roundTripMs: null },
  ]);
  assert.equal(viewed.args, XSS);
  // util.inspect-like formatting of the decoded values.
  assert.equal(view.formatValue(new Map([['a', 1]])).text, "Map(1) { 'a' => 1 }");
  assert.equal(view.formatValue(new Set([1])).text, 'Set(1) { 1 }');
  assert.equal(view.formatValue(10n).text, '10n');
  assert.equal(view.formatValue(-Infinity).text, '-Infinity');
  assert.equal(view.formatValue(NaN).text, 'NaN');
  assert.equal(view.formatValue(undefined).text, 'undefined');
  assert.equal(view.formatValue(new Date(0)).text, '1970-01-01T00:00:00.000Z');
  const err = view.formatValue(new RangeError('too far'));
  assert.equal(err.text, 'RangeError: too far');
  assert.equal(err.isError, true);
  assert.match(err.detail, /RangeError: too far/);
  assert.deepEqual(view.inlineSummary({ workerIds: ['a', 'b', 'c'], responses: new Map() }),
    { text: '⇒ 3 workers: pending…', isError: false });
  assert.deepEqual(view.inlineSummary({ workerIds: ['a', 'b'], responses: new Map([['a', { value: 2 }], ['b', { value: 2 }]]) }),
    { text: '⇒ 2 workers: 2', isError: false });
  assert.deepEqual(view.inlineSummary({ workerIds: ['a', 'b'], responses: new Map([['a', { value: 2 }]]) }),
    { text: '⇒ a: 2 | b: pending…', isError: false });
}, { timeout: 60000 });

test('responses: an EVAL that throws is shown as an error, in the panel and inline', async () => {
  const editor = await openEditor('javascript', 'throw new TypeError("rrq test boom")');
  selectAll(editor);
  const result = await vscode.commands.executeCommand('rrq.evaluateSelection', { workerIds });
  const m = await answered(result.messageId);
  const value = m.responses.get(workerIds[0]).value;
  assert.ok(value instanceof Error, 'decoded as an Error');
  assert.equal(value.name, 'TypeError');
  const { message } = await panelMessage(result.messageId);
  assert.equal(message.responses[0].state, 'error');
  assert.equal(message.responses[0].text, 'TypeError: rrq test boom');
  assert.match(message.responses[0].detail, /rrq test boom/);
  const { message: shown } = await domMessage(result.messageId);
  assert.equal(shown.responses[0].state, 'error');
  assert.equal(shown.responses[0].text, 'TypeError: rrq test boom');
  const inline = await inlineResultFor(result.messageId);
  assert.equal(inline.isError, true);
  assert.equal(inline.text, `⇒ ${workerIds[0]}: TypeError: rrq test boom`);
}, { timeout: 60000 });

test('responses: after a reconnect the panel follows the new tracker', async () => {
  const before = session.tracker;
  const postedBefore = (await api.inspect.responses()).posted.length;
  await session.reconnect();
  await waitFor('the session to reconnect', () => connectedToOurQueue() && session.tracker !== before, 20000);
  await waitFor('the panel to be reset to the new, empty tracker', async () => {
    const state = await api.inspect.responses();
    return state.messages.length === 0 && state.posted.slice(postedBefore).some((p) => p.type === 'reset' && p.messages.length === 0);
  });
  await waitFor('the monitor to list the worker', () => session.workers.some((w) => w.id === workerIds[0]));
  const editor = await openEditor('javascript', '40 + 2');
  selectAll(editor);
  const result = await vscode.commands.executeCommand('rrq.evaluateSelection', { workerIds });
  await answered(result.messageId);
  const { message } = await domMessage(result.messageId);
  assert.equal(message.responses[0].text, '42');
  const inline = await inlineResultFor(result.messageId);
  assert.equal(inline.text, `⇒ ${workerIds[0]}: 42`);
}, { timeout: 60000 });

test('responses: stop the worker', async () => {
  if (session?.controller && workerIds.length) await session.controller.workerStop(workerIds, { timeout: 10 });
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, { timeout: 60000 });
