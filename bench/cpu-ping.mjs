// CPU and scheduler cost of one PING round trip, per process (investigation tool, not part of
// `npm run bench`):   node bench/cpu-ping.mjs   (needs dist/; env CPU_N, default 3000)
//
// For rrq's messageSendAndWait('PING') to one worker (default, and delete: false), for
// broadcast PING to 8 workers, and for the bare ioredis floor, reads /proc/<pid>/task/*/schedstat
// before and after N round trips and prints, per round trip: CPU time of the controller (this
// process), the worker(s) / floor child, and redis-server; time the main threads spent runnable
// but waiting for a CPU (run-queue delay); and the number of times they were scheduled in.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { startPrivateRun } from './private-run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { Controller } = await import('../dist/core.js');
const N = Number(process.env.CPU_N) || 3000;
const guard = setTimeout(() => {
  console.error('cpu-ping: timeout');
  process.exit(2);
}, 240_000);

/** { cpuNs (all threads), waitNs (main thread), slices (main thread) } of a process. */
function sched(pid) {
  let cpuNs = 0;
  let main = [0, 0, 0];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
      cpuNs += f[0];
      if (Number(tid) === pid) main = f;
    } catch {
      // thread ended
    }
  }
  return { cpuNs, waitNs: main[1], slices: main[2] };
}

function diff(a, b) {
  return { cpuNs: b.cpuNs - a.cpuNs, waitNs: b.waitNs - a.waitNs, slices: b.slices - a.slices };
}

const ROUNDS = 10;

/**
 * Measure several series, interleaved in ROUNDS blocks (so drift in the machine's state hits
 * them alike); each is { pids: { name: pid | pid[] }, fn }. Prints one table per series.
 */
async function measure(seriesByLabel) {
  const acc = {};
  for (const [label, { pids }] of Object.entries(seriesByLabel)) {
    acc[label] = { lat: [], wall: 0, per: Object.fromEntries(Object.keys(pids).map((k) => [k, { cpuNs: 0, waitNs: 0, slices: 0 }])) };
  }
  const perRound = Math.ceil(N / ROUNDS);
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const [label, { pids, fn }] of Object.entries(seriesByLabel)) {
      const a = acc[label];
      const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, [p].flat().map(sched)]));
      const t0 = performance.now();
      for (let i = 0; i < perRound; i += 1) {
        const s = performance.now();
        await fn(i);
        a.lat.push(performance.now() - s);
      }
      a.wall += performance.now() - t0;
      for (const [k, p] of Object.entries(pids)) {
        const after = [p].flat().map(sched);
        for (const [i, b] of before[k].entries()) {
          const d = diff(b, after[i]);
          a.per[k].cpuNs += d.cpuNs;
          a.per[k].waitNs += d.waitNs;
          a.per[k].slices += d.slices;
        }
      }
    }
  }
  for (const [label, a] of Object.entries(acc)) {
    const n = a.lat.length;
    a.lat.sort((x, y) => x - y);
    console.log(`\n${label}: ${n} round trips, p50 ${a.lat[Math.floor(n / 2)].toFixed(3)} ms, mean ${(a.wall / n).toFixed(3)} ms`);
    console.log(`  ${'process'.padEnd(22)} ${'CPU µs/rt'.padStart(10)} ${'run-queue wait µs/rt'.padStart(21)} ${'scheduled-in /rt'.padStart(17)}`);
    let total = 0;
    for (const [k, d] of Object.entries(a.per)) {
      total += d.cpuNs;
      console.log(`  ${k.padEnd(22)} ${(d.cpuNs / n / 1000).toFixed(1).padStart(10)} ${(d.waitNs / n / 1000).toFixed(1).padStart(21)} ${(d.slices / n).toFixed(2).padStart(17)}`);
    }
    console.log(`  ${'total CPU'.padEnd(22)} ${(total / n / 1000).toFixed(1).padStart(10)}   (${cpus().length} cores: ${(total / n / 1e6 / cpus().length / (a.wall / n) * 100).toFixed(0)} % of the machine while running)`);
  }
}

const { tmp, workerScript, server, emergency } = await startPrivateRun('rrq-cpu-');
const handles = [];
let ctl;
let child;
try {
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const probe = new Redis(server.url);
  const redisPid = Number(/process_id:(\d+)/.exec(await probe.info('server'))[1]);
  ctl = await Controller.connect({ redis: server.url });

  // Floor.
  child = spawn(process.execPath, [join(here, 'floor-child.cjs'), server.url, 'f:req', 'f:rep'], { stdio: 'ignore' });
  emergency.pids.add(child.pid);
  const floorOnce = async (i) => {
    probe.rpush('f:req', String(i));
    await probe.blpop('f:rep', 0);
  };
  for (let i = 0; i < 300; i += 1) await floorOnce(i);

  const h1 = await ctl.workerSpawn(1, { workerScript, logdir: tmp, timeout: 30 });
  handles.push(h1);
  const [id] = h1.ids;
  const wpid = (await ctl.workerInfo([id]))[id].pid;
  const ping = (o) => () => ctl.messageSendAndWait('PING', undefined, { workerIds: [id], timeout: 10, ...o });
  for (let i = 0; i < 300; i += 1) await ping({})();
  const pids1 = { 'controller (this)': process.pid, worker: wpid, 'redis-server': redisPid };
  await measure({
    'bare ioredis floor': { pids: { 'parent (this process)': process.pid, 'floor child': child.pid, 'redis-server': redisPid }, fn: floorOnce },
    'rrq PING, 1 worker': { pids: pids1, fn: ping({}) },
    'rrq PING, 1 worker, delete: false': { pids: pids1, fn: ping({ delete: false }) },
  });
  // Give the worker a head start: one round trip, then wait 1 ms before the next send, so the
  // worker's BLPOP is re-armed before the message arrives (shows the cost of a late re-arm).
  const spaced = async () => {
    await new Promise((r) => setTimeout(r, 1));
    const s = performance.now();
    await ctl.messageSendAndWait('PING', undefined, { workerIds: [id], timeout: 10 });
    spacedLat.push(performance.now() - s);
  };
  const spacedLat = [];
  for (let i = 0; i < Math.min(N, 1500); i += 1) await spaced();
  spacedLat.sort((a, b) => a - b);
  console.log(`\nrrq PING, 1 worker, sends spaced 1 ms apart (worker idle in BLPOP when the message comes): p50 ${spacedLat[Math.floor(spacedLat.length / 2)].toFixed(3)} ms, p90 ${spacedLat[Math.floor(spacedLat.length * 0.9)].toFixed(3)} ms`);
  const floorSpaced = [];
  for (let i = 0; i < Math.min(N, 1500); i += 1) {
    await new Promise((r) => setTimeout(r, 1));
    const s = performance.now();
    await floorOnce(i);
    floorSpaced.push(performance.now() - s);
  }
  floorSpaced.sort((a, b) => a - b);
  console.log(`bare floor, spaced 1 ms apart: p50 ${floorSpaced[Math.floor(floorSpaced.length / 2)].toFixed(3)} ms, p90 ${floorSpaced[Math.floor(floorSpaced.length * 0.9)].toFixed(3)} ms`);
  await h1.kill();

  if (!process.env.CPU_SKIP_8) {
    const h8 = await ctl.workerSpawn(8, { workerScript, logdir: tmp, timeout: 30 });
    handles.push(h8);
    const info = await ctl.workerInfo(h8.ids);
    const wpids = h8.ids.map((w) => info[w].pid);
    const bc = () => ctl.messageSendAndWait('PING', undefined, { timeout: 10 });
    for (let i = 0; i < 100; i += 1) await bc();
    await measure({ 'rrq broadcast PING, 8 workers': { pids: { 'controller (this)': process.pid, 'workers (8, summed)': wpids, 'redis-server': redisPid }, fn: bc } });
  }
  await probe.rpush('f:req', 'STOP');
  probe.disconnect();
} finally {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  for (const h of handles) await h.kill().catch(() => {});
  if (ctl) {
    await ctl.destroy().catch(() => {});
    await ctl.close();
  }
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
  clearTimeout(guard);
}
