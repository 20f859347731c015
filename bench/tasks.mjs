// Task-throughput benchmark: rrq next to BullMQ and bee-queue (run with `npm run bench:tasks`).
//
// In one run, against one private redis-server it starts on a free loopback port, the same
// no-op workload through each of the three (worker processes at concurrency 1):
//   - jobs/s with 1 and with 2 worker processes: the workers running and idle, one bulk call of
//     N jobs, timed until all N are complete; the workers' CPU time per 1,000 jobs in that time,
//     and Redis' used_memory growth for the N kept results
//   - bulk creation of 10,000 and 100,000 jobs, no worker running: one bulk call, as jobs/s
//   - per-job latency on an idle worker (create one, wait for it to complete), p50 / p99
//   - the bare Redis round-trip floor (bench/messages/floor.mjs) as round trips/s and latency
// then prints a table and writes the tasks section of docs/benchmarks.md (the other sections
// are kept) and docs/benchmarks-tasks.svg. BullMQ and bee-queue are installed once into a cache
// folder outside the repository (bench/tasks/peers.mjs), not as dependencies of the project.
// The parts: tasks/ (one driver per system with the same interface, their worker scripts in
// tasks/peers/, the procedures in tasks/measure.mjs, the report), lib/ (shared).
//
// Options (environment): BENCH_TASKS_N (jobs per throughput run, default 10000),
// BENCH_TASKS_RUNS (runs per figure, median reported, default 3), BENCH_TASKS_BULK (bulk sizes,
// default "10000,100000"), BENCH_TASKS_LAT_N (latency samples per system, default 500),
// BENCH_TASKS_LAT_WARMUP (default 50), BENCH_TASKS_WARMUP (warm-up jobs before a timed
// throughput run, default 200), BENCH_TASKS_FLOOR_N (floor round trips per run, default 5000),
// BENCH_TASKS_WAIT_S (longest wait for one batch, default 180), BENCH_TASKS_SYSTEMS (default
// "rrq,bullmq,beequeue"), BENCH_TIMEOUT_S (global guard, default 2400), BENCH_NO_WRITE=1 (print
// only); BENCH_TASKS_PEERS_DIR and BENCH_TASKS_PEERS_UPDATE=1: see bench/tasks/peers.mjs.
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backgroundMeter, codeInfo, cpuBusyShare, machineInfo, utcStamp } from './lib/machine.mjs';
import { closeRedis, loadController, openRedis, ourPids, runToEnd, startPrivateRedis, startRun } from './lib/processes.mjs';
import { fmtLoad, fmtPct, spread } from './lib/stats.mjs';
import { intEnv, measureInterleaved } from './lib/timing.mjs';
import { startFloor } from './messages/floor.mjs';
import { openBeequeue } from './tasks/beequeue.mjs';
import { openBullmq } from './tasks/bullmq.mjs';
import { bulkRun, floorRate, throughputRun } from './tasks/measure.mjs';
import { ensurePeers } from './tasks/peers.mjs';
import { printSummary, writeDocs } from './tasks/report.mjs';
import { openRrq } from './tasks/rrq.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const N = intEnv('BENCH_TASKS_N', 10_000);
const RUNS = intEnv('BENCH_TASKS_RUNS', 3);
const BULK = (process.env.BENCH_TASKS_BULK ?? '10000,100000').split(',').map(Number).filter((v) => Number.isInteger(v) && v > 0);
const LAT_N = intEnv('BENCH_TASKS_LAT_N', 500);
const LAT_WARMUP = intEnv('BENCH_TASKS_LAT_WARMUP', 50);
const WARMUP = intEnv('BENCH_TASKS_WARMUP', 200);
const FLOOR_N = intEnv('BENCH_TASKS_FLOOR_N', 5000);
const WAIT_S = intEnv('BENCH_TASKS_WAIT_S', 180);
const SYSTEMS = (process.env.BENCH_TASKS_SYSTEMS ?? 'rrq,bullmq,beequeue').split(',').map((s) => s.trim()).filter(Boolean);
const TIMEOUT_S = intEnv('BENCH_TIMEOUT_S', 2400);
const WORKER_COUNTS = [1, 2];
const WRITE = process.env.BENCH_NO_WRITE !== '1';

const tmp = startRun({ name: 'bench:tasks', prefix: 'rrq-bench-tasks-', timeoutS: TIMEOUT_S });

/** The first line of an error's message, cut at 200 characters (a time-out lists every task id). */
const errorText = (err) => {
  const line = String(err?.message ?? err).split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
};

/** The systems in a different order in each run, so that none is always first or last. */
const rotate = (list, r) => list.map((_, i) => list[(i + r) % list.length]);

async function main() {
  const loadStart = loadavg();
  const busyBefore = await cpuBusyShare(1000); // other processes' load, before we start anything
  const code = codeInfo(root); // before loading, so it describes the dist/ that is loaded
  const peers = await ensurePeers();
  const { Controller, workerScript } = await loadController();
  const { url, version: redisVersion, pid: redisPid } = await startPrivateRedis();
  const machine = machineInfo(redisVersion);
  const rrqVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  console.log(`bench:tasks: redis-server ${redisVersion} on ${url}; ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; load ${fmtLoad(loadStart)}; CPU busy before start ${fmtPct(busyBefore)}`);
  console.log(`bench:tasks: rrq ${rrqVersion} (dist/ built ${code.built}), BullMQ ${peers.versions.bullmq} (ioredis ${peers.versions.ioredis}), bee-queue ${peers.versions['bee-queue']} from ${peers.dir}`);

  const conn = await openRedis(url, 'bench:tasks:probe'); // INFO memory
  const logdir = join(tmp, 'logs');
  mkdirSync(logdir, { recursive: true });

  // Open each system; one that cannot be opened (rrq mid-rewrite, say) is reported as failed.
  const openers = {
    rrq: () => openRrq({ url, queueId: `rrq-bench-tasks:${process.pid}`, Controller, workerScript, logdir, version: rrqVersion }),
    bullmq: () => openBullmq({ url, queue: `bench-tasks-${process.pid}`, peers }),
    beequeue: () => openBeequeue({ url, queue: `bench-tasks-${process.pid}`, peers }),
  };
  const names = { rrq: 'rrq', bullmq: 'BullMQ', beequeue: 'bee-queue' };
  const versions = { rrq: rrqVersion, bullmq: peers.versions.bullmq, beequeue: peers.versions['bee-queue'] };
  const systems = [];
  const openErrors = {};
  for (const key of SYSTEMS) {
    if (!openers[key]) throw new Error(`BENCH_TASKS_SYSTEMS: unknown system '${key}' (rrq, bullmq, beequeue)`);
    try {
      const driver = await openers[key]();
      await driver.clean();
      systems.push(driver);
    } catch (err) {
      openErrors[key] = errorText(err);
      console.error(`bench:tasks: ${names[key]} could not be opened: ${openErrors[key]}`);
    }
  }

  // Results: per system, per case, the runs and the first error (after which that case is skipped).
  const cases = {};
  const record = (key, name) => (cases[key] ??= {})[name] ??= { runs: [], error: openErrors[key] ?? null };
  for (const key of SYSTEMS) {
    for (const k of WORKER_COUNTS) record(key, `workers${k}`);
    for (const n of BULK) record(key, `bulk${n}`);
    record(key, 'latency');
  }
  const attempt = async (driver, name, fn) => {
    const c = record(driver.key, name);
    if (c.error) return;
    try {
      c.runs.push(await fn());
    } catch (err) {
      c.error = errorText(err);
      console.error(`  ${driver.name} ${name}: FAILED: ${c.error}`);
      await driver.stopWorkers().catch(() => {});
      await driver.clean().catch(() => {});
    }
  };

  const floor = await startFloor(url, 1);
  const floorRates = [];

  // --- Throughput (and worker CPU, Redis memory): workers idle, then one bulk call of N. ---
  console.log(`bench:tasks: throughput, ${N} jobs, 1 and 2 worker processes, ${RUNS} runs each (workers running and idle, ${WARMUP} warm-up jobs first) ...`);
  let meter = backgroundMeter(ourPids);
  for (let r = 0; r < RUNS; r += 1) {
    floorRates.push(await floorRate(floor, FLOOR_N));
    console.log(`  run ${r + 1}: floor ${floorRates.at(-1).toFixed(0)} round trips/s`);
    for (const k of WORKER_COUNTS) {
      for (const driver of rotate(systems, r)) {
        await attempt(driver, `workers${k}`, () => throughputRun(driver, k, N, { conn, redisPid, warmup: WARMUP, waitS: WAIT_S }));
        const last = record(driver.key, `workers${k}`);
        if (last.runs.length === r + 1) {
          const x = last.runs.at(-1);
          console.log(`  run ${r + 1}: ${driver.name.padEnd(9)} ${k} worker(s): ${x.jobsPerS.toFixed(0)} jobs/s (${(x.elapsedMs / 1000).toFixed(2)} s, bulk call ${x.createMs.toFixed(0)} ms), worker CPU ${x.workerCpuMs.toFixed(0)} ms/1000, Redis +${(x.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
        }
      }
    }
  }
  const backgroundThroughput = meter();

  // --- Bulk creation, no worker. ---
  console.log(`bench:tasks: bulk creation of ${BULK.join(' and ')} jobs, ${RUNS} runs each ...`);
  meter = backgroundMeter(ourPids);
  for (let r = 0; r < RUNS; r += 1) {
    for (const n of BULK) {
      for (const driver of rotate(systems, r)) {
        await attempt(driver, `bulk${n}`, () => bulkRun(driver, n));
        const last = record(driver.key, `bulk${n}`);
        if (last.runs.length === r + 1) console.log(`  run ${r + 1}: ${driver.name.padEnd(9)} ${n}: ${last.runs.at(-1).ms.toFixed(0)} ms, ${last.runs.at(-1).perS.toFixed(0)} jobs/s`);
      }
    }
  }
  const backgroundBulk = meter();

  // --- Latency: one idle worker per system, all running, series interleaved with the floor. ---
  console.log(`bench:tasks: latency on an idle worker (${LAT_WARMUP} warm-up, ${LAT_N} samples per system, interleaved with the floor) ...`);
  const latencySystems = [];
  for (const driver of systems) {
    const c = record(driver.key, 'latency');
    if (c.error) continue;
    try {
      await driver.startWorkers(1);
      latencySystems.push(driver);
    } catch (err) {
      c.error = errorText(err);
      console.error(`  ${driver.name} latency: FAILED: ${c.error}`);
      await driver.stopWorkers().catch(() => {});
    }
  }
  meter = backgroundMeter(ourPids);
  const series = { floor: (i) => floor.once(i) };
  for (const driver of latencySystems) series[driver.key] = () => driver.latencyOnce();
  let latency = {};
  try {
    latency = await measureInterleaved(series, { n: LAT_N, warmup: LAT_WARMUP, rounds: 4 });
  } catch (err) {
    // measureInterleaved runs them together: find out which one fails, and measure the rest.
    console.error(`  latency: ${errorText(err)}; measuring each system alone`);
    for (const driver of latencySystems) {
      try {
        latency[driver.key] = (await measureInterleaved({ [driver.key]: series[driver.key] }, { n: LAT_N, warmup: LAT_WARMUP, rounds: 1 }))[driver.key];
      } catch (e) {
        record(driver.key, 'latency').error = errorText(e);
        console.error(`  ${driver.name} latency: FAILED: ${errorText(e)}`);
      }
    }
    latency.floor = (await measureInterleaved({ floor: series.floor }, { n: LAT_N, warmup: LAT_WARMUP, rounds: 1 })).floor;
  }
  const backgroundLatency = meter();
  for (const driver of latencySystems) {
    if (latency[driver.key]) record(driver.key, 'latency').runs.push(latency[driver.key]);
    await driver.stopWorkers().catch(() => {});
    await driver.clean().catch(() => {});
  }
  await floor.stop();

  for (const driver of systems) await driver.close().catch(() => {});
  closeRedis(conn);

  const result = {
    date: utcStamp(),
    machine,
    code,
    settings: { n: N, runs: RUNS, bulk: BULK, latN: LAT_N, latWarmup: LAT_WARMUP, warmup: WARMUP, floorN: FLOOR_N, workerCounts: WORKER_COUNTS },
    load: { start: loadStart, end: loadavg(), busyBefore, backgroundThroughput, backgroundBulk, backgroundLatency },
    peers: { dir: peers.dir, versions: peers.versions },
    systems: SYSTEMS.map((key) => ({ key, name: names[key], version: versions[key], settings: systems.find((d) => d.key === key)?.settings ?? '' })),
    floor: { rate: spread(floorRates), latency: latency.floor ?? null },
    cases,
  };
  printSummary(result);
  if (WRITE) writeDocs(result, join(root, 'docs'));
  return result;
}

await runToEnd(main);
