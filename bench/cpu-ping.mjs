// CPU and scheduler cost of one PING round trip, per process (investigation tool, not part of
// `npm run bench`):   node bench/cpu-ping.mjs   (needs dist/; env CPU_N, default 3000)
//
// For rrq's messageSendAndWait('PING') to one worker (default, and delete: false), for
// broadcast PING to 8 workers, and for the bare ioredis floor, reads /proc/<pid>/task/*/schedstat
// before and after N round trips and prints, per round trip: CPU time of the controller (this
// process), the worker(s) / floor child, and redis-server; time the main threads spent runnable
// but waiting for a CPU (run-queue delay); and the number of times they were scheduled in.
import { cpus, loadavg } from 'node:os';
import { schedstat as sched } from './lib/machine.mjs';
import { killWorkers, loadController, runToEnd, spawnWorkers, started, startPrivateRedis, startRun } from './lib/processes.mjs';
import { fmtLoad } from './lib/stats.mjs';
import { startFloor } from './messages/floor.mjs';

const N = Number(process.env.CPU_N) || 3000;
const tmp = startRun({ name: 'cpu-ping', prefix: 'rrq-cpu-', timeoutS: 240 });

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

await runToEnd(async () => {
  const { Controller, workerScript } = await loadController();
  const { url, pid: redisPid } = await startPrivateRedis();
  console.log(`load average ${fmtLoad(loadavg())}`);
  const ctl = await Controller.connect({ redis: url });
  started.ctl = ctl;

  // Floor.
  const floor = await startFloor(url, 1);
  const floorOnce = floor.once;
  for (let i = 0; i < 300; i += 1) await floorOnce(i);

  const w1 = await spawnWorkers(ctl, 1, { workerScript, logdir: tmp });
  const [id] = w1.handle.ids;
  const [wpid] = w1.pids;
  const ping = (o) => () => ctl.messageSendAndWait('PING', undefined, { workerIds: [id], timeout: 10, ...o });
  for (let i = 0; i < 300; i += 1) await ping({})();
  const pids1 = { 'controller (this)': process.pid, worker: wpid, 'redis-server': redisPid };
  await measure({
    'bare ioredis floor': { pids: { 'parent (this process)': process.pid, 'floor child': floor.pids[0], 'redis-server': redisPid }, fn: floorOnce },
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
  await killWorkers(ctl, w1);

  if (!process.env.CPU_SKIP_8) {
    const w8 = await spawnWorkers(ctl, 8, { workerScript, logdir: tmp });
    const bc = () => ctl.messageSendAndWait('PING', undefined, { timeout: 10 });
    for (let i = 0; i < 100; i += 1) await bc();
    await measure({ 'rrq broadcast PING, 8 workers': { pids: { 'controller (this)': process.pid, 'workers (8, summed)': w8.pids, 'redis-server': redisPid }, fn: bc } });
  }
  await floor.stop();
});
