// The responses panel's script. Everything shown comes from the extension as plain data and
// is put in the DOM with createElement + textContent: no HTML is ever parsed from it, so a
// worker returning '<img src=x onerror=...>' is shown as that text and runs nothing.
// The messages are typed: src/extension/webviewProtocol.ts declares them for both sides, and
// `npm run typecheck` checks this script against them (media/tsconfig.json: checkJs, DOM lib,
// @types/vscode-webview).
// @ts-check
/** @typedef {import('../src/extension/webviewProtocol').ToWebview} ToWebview */
/** @typedef {import('../src/extension/webviewProtocol').FromWebview} FromWebview */
/** @typedef {import('../src/extension/webviewProtocol').ViewMessage} ViewMessage */
/**
 * What acquireVsCodeApi() gives this script: postMessage takes only FromWebview messages, and
 * the state type is `never` because the panel keeps no webview state (whenever its document
 * loads it says 'ready' and the host sends everything in a 'reset').
 * @typedef {Omit<import('vscode-webview').WebviewApi<never>, 'postMessage'> & { postMessage(message: FromWebview): void }} VsCodeApi
 */
/**
 * Where focus was inside a message, to put it back after a re-render.
 * @typedef {{ kind: 'item' | 'copy' | 'summary', worker?: string | null }} FocusKey
 */
(function () {
  'use strict';
  /** @type {VsCodeApi} */
  const vscode = acquireVsCodeApi();
  const list = /** @type {HTMLOListElement} */ (document.getElementById('messages'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('empty'));
  const status = /** @type {HTMLElement} */ (document.getElementById('status'));
  const clearButton = /** @type {HTMLButtonElement} */ (document.getElementById('clear'));
  /** @type {Map<string, HTMLLIElement>} */
  const items = new Map();
  let connection = '';

  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {string | null} [className]
   * @param {string | null} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /** @param {number} ms */
  function timeText(ms) {
    const d = new Date(ms);
    return d.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }

  /**
   * @param {ViewMessage} m
   * @returns {HTMLLIElement}
   */
  function renderMessage(m) {
    const li = el('li', 'message');
    li.tabIndex = 0;
    li.dataset.id = String(m.id);
    const pending = m.responses.length - m.answered;
    li.setAttribute('aria-label', `${m.command} sent at ${timeText(m.sentAt)}, ${m.answered} of ${m.responses.length} answered`);

    const head = el('div', 'head');
    head.append(el('span', 'command', String(m.command)));
    const time = el('time', 'sent', timeText(m.sentAt));
    time.dateTime = String(m.sentAtIso);
    time.title = `sent ${new Date(m.sentAt).toLocaleString()}`;
    head.append(time);
    head.append(el('span', 'msgid', String(m.id)));
    head.append(el('span', pending > 0 ? 'badge pending' : 'badge', pending > 0 ? `${pending} pending` : `${m.answered}/${m.responses.length}`));
    li.append(head);

    if (m.args !== '') li.append(el('pre', 'args', String(m.args)));

    const table = el('table', 'responses');
    const caption = el('caption', 'visually-hidden', `Responses to ${m.command} ${m.id}`);
    table.append(caption);
    const tbody = el('tbody');
    for (const r of m.responses) {
      const tr = el('tr', `response ${r.state}`);
      tr.dataset.worker = String(r.worker);
      tr.append(el('th', 'worker', String(r.worker)));
      const cell = el('td', 'value-cell');
      const value = el('pre', `value ${r.state}`, String(r.text));
      cell.append(value);
      if (r.detail) {
        const details = el('details', 'detail');
        details.append(el('summary', null, 'details'));
        details.append(el('pre', 'stack', String(r.detail)));
        cell.append(details);
      }
      tr.append(cell);
      tr.append(el('td', 'rtt', r.roundTripMs === null ? '' : `${r.roundTripMs} ms`));
      const actions = el('td', 'actions');
      const copy = el('button', 'copy', 'Copy');
      copy.type = 'button';
      copy.title = `Copy the value from ${r.worker}`;
      copy.setAttribute('aria-label', `Copy the value from ${r.worker}`);
      copy.disabled = r.state === 'pending';
      copy.dataset.id = String(m.id);
      copy.dataset.worker = String(r.worker);
      actions.append(copy);
      tr.append(actions);
      tbody.append(tr);
    }
    table.append(tbody);
    li.append(table);
    return li;
  }

  /**
   * Where focus was inside an item, to put it back on the re-rendered one.
   * @param {HTMLLIElement} li
   * @returns {FocusKey | null}
   */
  function focusKey(li) {
    const active = document.activeElement;
    if (!active || !li.contains(active)) return null;
    if (active === li) return { kind: 'item' };
    if (active instanceof HTMLButtonElement && active.classList.contains('copy')) return { kind: 'copy', worker: active.dataset.worker };
    if (active.tagName === 'SUMMARY') {
      const tr = active.closest('tr');
      return { kind: 'summary', worker: tr && tr.dataset.worker };
    }
    return { kind: 'item' };
  }

  /**
   * @param {HTMLLIElement} li
   * @param {FocusKey | null} key
   */
  function restoreFocus(li, key) {
    if (!key) return;
    /** @type {HTMLElement} */
    let target = li;
    for (const tr of li.querySelectorAll('tr.response')) {
      if (/** @type {HTMLElement} */ (tr).dataset.worker !== key.worker) continue;
      const found = key.kind === 'copy' ? tr.querySelector('button.copy') : key.kind === 'summary' ? tr.querySelector('summary') : null;
      if (found && !(found instanceof HTMLButtonElement && found.disabled)) target = /** @type {HTMLElement} */ (found);
    }
    target.focus();
  }

  /**
   * Keeps <details> open across re-renders.
   * @param {HTMLLIElement} li
   * @returns {Set<string | undefined>} the workers whose details are open
   */
  function openDetails(li) {
    /** @type {Set<string | undefined>} */
    const open = new Set();
    for (const d of li.querySelectorAll('details[open]')) {
      const tr = d.closest('tr');
      if (tr) open.add(tr.dataset.worker);
    }
    return open;
  }

  /** @param {ViewMessage} m */
  function upsert(m) {
    const old = items.get(m.id);
    const li = renderMessage(m);
    if (old) {
      const key = focusKey(old);
      const open = openDetails(old);
      for (const tr of li.querySelectorAll('tr.response')) {
        if (open.has(/** @type {HTMLElement} */ (tr).dataset.worker)) tr.querySelector('details')?.setAttribute('open', '');
      }
      old.replaceWith(li);
      restoreFocus(li, key);
    } else {
      list.prepend(li);
    }
    items.set(m.id, li);
  }

  /** @param {number} total */
  function trim(total) {
    while (list.children.length > total) {
      const last = /** @type {HTMLLIElement} */ (list.lastElementChild);
      items.delete(last.dataset.id || '');
      last.remove();
    }
  }

  function updateStatus() {
    const n = items.size;
    empty.hidden = n > 0;
    clearButton.disabled = n === 0;
    status.textContent = `${n} message${n === 1 ? '' : 's'} · ${connection}`;
  }

  /** @param {ViewMessage[]} messages */
  function reset(messages) {
    const focusedId = document.activeElement instanceof HTMLLIElement ? document.activeElement.dataset.id : undefined;
    items.clear();
    const fragment = document.createDocumentFragment();
    for (const m of messages) {
      const li = renderMessage(m);
      items.set(m.id, li);
      fragment.append(li);
    }
    list.replaceChildren(fragment);
    if (focusedId && items.has(focusedId)) items.get(focusedId)?.focus();
  }

  /** What the DOM shows, for the extension's tests. */
  function report() {
    return {
      title: document.title,
      images: document.querySelectorAll('img').length,
      // Elements that could only come from parsing data as HTML.
      injected: list.querySelectorAll('img, script, iframe, object, embed, svg, [onerror], [onload], [src], [href]').length,
      status: status.textContent,
      messages: Array.from(list.children, (li) => ({
        id: /** @type {HTMLElement} */ (li).dataset.id,
        command: li.querySelector('.command')?.textContent,
        args: li.querySelector('.args')?.textContent ?? null,
        responses: Array.from(li.querySelectorAll('tr.response'), (tr) => ({
          worker: tr.querySelector('.worker')?.textContent,
          state: ['pending', 'ok', 'error'].find((s) => tr.classList.contains(s)),
          text: tr.querySelector('.value')?.textContent,
          rtt: tr.querySelector('.rtt')?.textContent,
        })),
      })),
    };
  }

  window.addEventListener('message', (/** @type {MessageEvent<ToWebview>} */ event) => {
    const msg = event.data;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'reset':
        connection = String(msg.connection);
        reset(msg.messages);
        break;
      case 'upsert':
        for (const m of msg.messages) upsert(m);
        trim(msg.total);
        break;
      case 'connection':
        connection = String(msg.connection);
        break;
      case 'copied': {
        for (const b of list.querySelectorAll('button.copy')) {
          const button = /** @type {HTMLButtonElement} */ (b);
          if (button.dataset.id === msg.id && button.dataset.worker === msg.worker) {
            button.textContent = 'Copied';
            setTimeout(() => { button.textContent = 'Copy'; }, 1500);
          }
        }
        status.textContent = `Copied the value from ${msg.worker}`;
        setTimeout(updateStatus, 1500);
        return;
      }
      case 'probe':
        vscode.postMessage({ type: 'probeResult', token: msg.token, report: report() });
        return;
      default: {
        // Every ToWebview type has its case above (tsc fails here if one is missing);
        // anything else that arrives is ignored.
        /** @type {never} */
        const unexpected = msg;
        void unexpected;
        return;
      }
    }
    updateStatus();
  });

  list.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const button = target.closest('button.copy');
    if (button instanceof HTMLButtonElement && !button.disabled) {
      // renderMessage gives every copy button both (undefined only for a button it did not make).
      const { id, worker } = button.dataset;
      if (id !== undefined && worker !== undefined) vscode.postMessage({ type: 'copy', id, worker });
    }
  });

  // Arrow keys move between messages; Tab reaches the buttons inside one.
  list.addEventListener('keydown', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (!(target instanceof HTMLLIElement) || !target.classList.contains('message')) return;
    let next = null;
    if (event.key === 'ArrowDown') next = target.nextElementSibling;
    else if (event.key === 'ArrowUp') next = target.previousElementSibling;
    else if (event.key === 'Home') next = list.firstElementChild;
    else if (event.key === 'End') next = list.lastElementChild;
    if (next instanceof HTMLElement) {
      event.preventDefault();
      next.focus();
    }
  });

  clearButton.addEventListener('click', () => vscode.postMessage({ type: 'clear' }));

  updateStatus();
  vscode.postMessage({ type: 'ready' });
})();
