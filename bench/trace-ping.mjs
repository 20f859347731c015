// Where does the time of a PING round trip go? (investigation tool, not part of `npm run bench`)
//
//   node bench/trace-ping.mjs            # needs dist/ (node scripts/build.mjs)
//
// Runs rrq's messageSendAndWait('PING') against one worker, with every socket write and read in
// both processes time-stamped on the shared monotonic clock (bench/trace-preload.cjs, given to
// the worker through NODE_OPTIONS), and prints the median time line of one round trip: send
// script written, worker woken, worker's writes, controller woken by the event, HDEL, resolve.
// Also compares variants: delete: false, and a hand-made floor that mimics rrq's wire pattern.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeRedis, loadController, openRedis, runToEnd, spawnWorkers, started, startPrivateRedis, startRun, trackChild } from './lib/processes.mjs';
import { fmtLoad, quantile } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const preload = join(here, 'trace-preload.cjs');
require(preload); // before any connection opens: sockets are named from their CLIENT SETNAME
const trace = globalThis.__rrqTrace;

const N = Number(process.env.TRACE_N) || 1000;
const WARMUP = 200;
const tmp = startRun({ name: 'trace', prefix: 'rrq-trace-', timeoutS: 180 });

await runToEnd(async () => {
  const { Controller, workerScript } = await loadController();
  const { url } = await startPrivateRedis();
  const ctl = await Controller.connect({ redis: url });
  started.ctl = ctl;
  const { handle } = await spawnWorkers(ctl, 1, {
    workerScript,
    logdir: tmp,
    env: { NODE_OPTIONS: `--require ${preload}`, RRQ_TRACE_OUT: tmp },
  });
  const [id] = handle.ids;
  const opts = { workerIds: [id], timeout: 10 };
  for (let i = 0; i < WARMUP; i += 1) await ctl.messageSendAndWait('PING', undefined, opts);

  const variants = {
    default: opts,
    noDelete: { ...opts, delete: false },
  };
  const totals = {};
  for (const name of Object.keys(variants)) totals[name] = [];
  for (let i = 0; i < N; i += 1) {
    for (const [name, o] of Object.entries(variants)) {
      trace.mark('start', { variant: name, i });
      const t0 = performance.now();
      await ctl.messageSendAndWait('PING', undefined, o);
      totals[name].push(performance.now() - t0);
      trace.mark('end', { variant: name, i });
    }
  }

  // A hand-made floor with rrq's wire pattern: subscribe first; send with an awaited EVAL that
  // RPUSHes; the child BLPOPs, writes a MULTI (HSET + RPUSH + PUBLISH) and goes back to BLPOP;
  // the parent wakes on the published event and HDELs.
  const floorSub = await openRedis(url, 'floor:sub');
  const floorMain = await openRedis(url, 'floor:main');
  await floorSub.subscribe('floor:events');
  const child = spawn(process.execPath, ['-e', `
    const Redis = require('ioredis');
    const b = new Redis(process.argv[1], { connectionName: 'floorchild:poll' });
    const m = new Redis(process.argv[1], { connectionName: 'floorchild:main' });
    (async () => { for (;;) {
      const [, v] = await b.blpop('floor:msg', 0);
      if (v === 'STOP') process.exit(0);
      m.multi().rpush('floor:log', 'MESSAGE').publish('floor:events', 'm' + v).exec();
      await m.multi().hset('floor:resp', v, 'PONG').rpush('floor:log', 'RESPONSE').ltrim('floor:log', -100, -1).publish('floor:events', v).exec();
    } })();
  `, url], { stdio: ['ignore', 'inherit', 'inherit'], cwd: join(here, '..') });
  trackChild(child);
  let waiter = null;
  floorSub.on('message', (_ch, v) => { if (waiter && v === waiter.v) waiter.resolve(); });
  const floorOnce = async (i, del) => {
    const v = `r${i}`;
    const got = new Promise((resolve) => { waiter = { v, resolve }; });
    const t0 = performance.now();
    await floorMain.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('RPUSH', KEYS[2], ARGV[1])", 2, 'floor:last', 'floor:msg', v);
    await got;
    if (del) await floorMain.hdel('floor:resp', v);
    return performance.now() - t0;
  };
  for (let i = 0; i < WARMUP; i += 1) await floorOnce(i, true);
  const mimic = [];
  const mimicNoDel = [];
  for (let i = 0; i < N; i += 1) {
    mimic.push(await floorOnce(i, true));
    mimicNoDel.push(await floorOnce(i, false));
  }
  await floorMain.rpush('floor:msg', 'STOP');
  closeRedis(floorSub);
  closeRedis(floorMain);

  await handle.stop({ timeout: 10 });

  // ---- Analysis ----
  const files = readdirSync(tmp).filter((f) => f.endsWith('.json'));
  const workerTrace = files.map((f) => JSON.parse(readFileSync(join(tmp, f), 'utf8'))).find((t) => t.records.some((r) => r.name?.includes(':worker:')));
  const all = [...trace.records.map((r) => ({ ...r, who: 'C' })), ...workerTrace.records.map((r) => ({ ...r, who: 'W' }))]
    .sort((a, b) => a.t - b.t);
  const role = (r) => {
    if (r.kind === 'mark') return 'mark';
    const n = r.name ?? '';
    if (r.who === 'C') return n.endsWith(':events') ? 'C.sub' : n.endsWith(':controller') ? 'C.main' : 'C.other';
    return n.endsWith(':poll') ? 'W.poll' : n.includes(':worker:') ? 'W.main' : 'W.other';
  };
  for (const r of all) r.role = role(r);

  const steps = {};
  const add = (variant, step, v) => {
    ((steps[variant] ??= {})[step] ??= []).push(v);
  };
  let cur = null;
  let seg = [];
  for (const r of all) {
    if (r.kind === 'mark' && r.label === 'start') {
      cur = r;
      seg = [];
    } else if (r.kind === 'mark' && r.label === 'end' && cur) {
      analyse(cur, seg, r);
      cur = null;
    } else if (cur) seg.push(r);
  }

  function analyse(start, seg, end) {
    const t0 = start.t;
    const find = (pred, after = -Infinity) => seg.find((r) => r.t >= after && pred(r));
    const send = find((r) => r.role === 'C.main' && r.kind.startsWith('write') && /evalsha|eval/i.test(r.body));
    if (!send) return;
    const wake = find((r) => r.role === 'W.poll' && r.kind === 'data', send.t);
    const wLog = wake && find((r) => r.role === 'W.main' && r.kind.startsWith('write') && r.body.includes('"MESSAGE"'), wake.t);
    const wMulti = wake && find((r) => r.role === 'W.main' && r.kind.startsWith('write') && r.body.includes('"RESPONSE"'), wake.t);
    const wExecReply = wMulti && find((r) => r.role === 'W.main' && r.kind === 'data' && r.t > wMulti.t, wMulti.t);
    const wPoll = wake && find((r) => r.role === 'W.poll' && r.kind.startsWith('write'), wake.t);
    const sendReply = find((r) => r.role === 'C.main' && r.kind === 'data', send.t);
    const event = find((r) => r.role === 'C.sub' && r.kind === 'data' && r.body.includes('"RESPONSE"'), send.t);
    const hdel = find((r) => r.role === 'C.main' && r.kind.startsWith('write') && /hdel/i.test(r.body), send.t);
    const hdelReply = hdel && find((r) => r.role === 'C.main' && r.kind === 'data', hdel.t);
    const v = start.variant;
    const rel = (r) => (r ? r.t - t0 : NaN);
    // Was the worker's BLPOP (for this message) written only after the message was sent?
    const rearm = wake && seg.filter((r) => r.role === 'W.poll' && r.kind.startsWith('write') && r.t < wake.t).at(-1);
    add(v, 'late re-arm: BLPOP written after the send (share)', rearm && rearm.t > send.t ? 1 : 0);
    if (rearm && rearm.t > send.t) add(v, 'late re-arm: BLPOP write time when late', rel(rearm));
    add(v, '1 C writes send script (EVALSHA)', rel(send));
    add(v, '2 W blocking pop returns (BLPOP data)', rel(wake));
    add(v, '3 W writes MESSAGE log entry', rel(wLog));
    add(v, '4 W writes response (+ RESPONSE event)', rel(wMulti));
    add(v, '5 C reads send script reply', rel(sendReply));
    add(v, '6 W reads the reply to that write', rel(wExecReply));
    add(v, '7 W writes next BLPOP', rel(wPoll));
    add(v, '8 C reads RESPONSE event (subscriber)', rel(event));
    add(v, '9 C writes HDEL', rel(hdel));
    add(v, '10 C reads HDEL reply', rel(hdelReply));
    add(v, '11 messageSendAndWait resolves', end.t - t0);
    add(v, 'writes by C per round trip', seg.filter((r) => r.who === 'C' && r.kind.startsWith('write')).length);
    add(v, 'reads by C per round trip', seg.filter((r) => r.who === 'C' && r.kind === 'data').length);
    add(v, 'writes by W per round trip', seg.filter((r) => r.who === 'W' && r.kind.startsWith('write')).length);
    add(v, 'reads by W per round trip', seg.filter((r) => r.who === 'W' && r.kind === 'data').length);
  }

  const pct = (xs, p) => quantile(xs.filter(Number.isFinite).sort((a, b) => a - b), p);
  const med = (xs) => pct(xs, 50);
  console.log(`\nload average: ${fmtLoad(loadavg())}`);
  for (const [variant, table] of Object.entries(steps)) {
    console.log(`\nvariant ${variant}: median ms since call (n=${table['11 messageSendAndWait resolves'].length})`);
    const ordered = Object.entries(table).sort(([a], [b]) => (parseInt(a, 10) || 99) - (parseInt(b, 10) || 99));
    for (const [step, xs] of ordered) {
      if (step.includes('(share)')) console.log(`  ${step.padEnd(52)} ${(xs.reduce((a, b) => a + b, 0) / xs.length * 100).toFixed(0).padStart(7)} %`);
      else console.log(`  ${step.padEnd(52)} ${med(xs).toFixed(3).padStart(8)}   p90 ${pct(xs, 90).toFixed(3)}`);
    }
  }
  console.log('\nuntraced-by-step totals (ms), measured in this process:');
  for (const [name, xs] of [['rrq default', totals.default], ['rrq delete:false', totals.noDelete], ['mimic floor (EVAL send, MULTI+PUBLISH reply, HDEL)', mimic], ['mimic floor without HDEL', mimicNoDel]]) {
    console.log(`  ${name.padEnd(52)} p50 ${pct(xs, 50).toFixed(3)}  p90 ${pct(xs, 90).toFixed(3)}  p99 ${pct(xs, 99).toFixed(3)}`);
  }
  // Sample raw time line of one median-ish round trip.
  if (process.env.TRACE_DUMP) {
    let printed = 0;
    let on = false;
    for (const r of all) {
      if (r.kind === 'mark' && r.label === 'start' && r.variant === 'default' && r.i === Math.floor(N / 2)) on = true;
      if (on) {
        console.log(`${r.who} ${r.role.padEnd(8)} ${r.kind.padEnd(6)} ${r.t.toFixed(3)} ${(r.body ?? r.label ?? '').replace(/\r\n/g, ' ').slice(0, 160)}`);
        if (++printed > 40 || (r.kind === 'mark' && r.label === 'end')) break;
      }
    }
  }
});
