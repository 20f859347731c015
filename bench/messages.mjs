// Message latency and spawn-time benchmark for rrq (run with `npm run bench`).
//
// In one run, against a private redis-server it starts on a free loopback port:
//   - PING round trip to one worker (ctl.messageSendAndWait('PING', undefined, { workerIds: [id] }))
//   - broadcast PING to 8 workers (messageSendAndWait('PING'), all responses collected)
//   - the bare-ioredis floor of the same pattern (parent RPUSH + BLPOP, child BLPOP + RPUSH)
//   - ctl.workerSpawn(1) and ctl.workerSpawn(8), next to a minimal Node child that loads
//     ioredis, reaches Redis and says so (1 and 8 in parallel), and bare `node -e 0`
// then prints a table and writes docs/benchmarks.md and docs/benchmarks-latency.svg.
// The parts: messages/ (floor, spawn times, report), lib/ (shared with other benchmarks).
//
// Options (environment): BENCH_N (samples per latency series, default 2000), BENCH_WARMUP
// (default 200), BENCH_SPAWN_REPS (default 5), BENCH_TIMEOUT_S (global guard, default 300),
// BENCH_NO_WRITE=1 (print only, do not write docs/).
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backgroundMeter, codeInfo, cpuBusyShare, machineInfo, utcStamp } from './lib/machine.mjs';
import { killWorkers, loadController, ourPids, runToEnd, spawnWorkers, started, startPrivateRedis, startRun } from './lib/processes.mjs';
import { fmtLoad, fmtPct } from './lib/stats.mjs';
import { intEnv, measureInterleaved, now } from './lib/timing.mjs';
import { startFloor } from './messages/floor.mjs';
import { printSummary, writeDocs } from './messages/report.mjs';
import { measureSpawnTimes } from './messages/spawn.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const N = intEnv('BENCH_N', 2000);
const WARMUP = intEnv('BENCH_WARMUP', 200);
const SPAWN_REPS = intEnv('BENCH_SPAWN_REPS', 5);
const TIMEOUT_S = intEnv('BENCH_TIMEOUT_S', 300);
const ROUNDS = 4; // latency series are measured in interleaved rounds, so drift hits all alike
const WRITE = process.env.BENCH_NO_WRITE !== '1';

const tmp = startRun({ name: 'bench', prefix: 'rrq-bench-', timeoutS: TIMEOUT_S });

async function main() {
  const loadStart = loadavg();
  const busyBefore = await cpuBusyShare(1000); // other processes' load, before we start anything
  const code = codeInfo(root); // before loading, so it describes the dist/ that is loaded
  const { Controller, workerScript } = await loadController();

  const { url, version: redisVersion } = await startPrivateRedis();
  const machine = machineInfo(redisVersion);
  console.log(`bench: redis-server ${redisVersion} on ${url}; ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; load ${fmtLoad(loadStart)}; CPU busy before start ${fmtPct(busyBefore)}`);

  const ctl = await Controller.connect({ redis: url });
  started.ctl = ctl;
  const logdir = join(tmp, 'logs');
  mkdirSync(logdir, { recursive: true });
  const spawnOptions = { logdir, workerScript };
  const sampling = { n: N, warmup: WARMUP, rounds: ROUNDS };

  console.log(`bench: spawn times (${SPAWN_REPS} runs each) ...`);
  const spawnTimes = await measureSpawnTimes(ctl, url, spawnOptions, SPAWN_REPS);

  // --- Latency: PING to one worker, interleaved with the bare floor. ---
  console.log(`bench: PING round trip to 1 worker vs bare floor (${WARMUP} warm-up, ${N} samples each) ...`);
  const floor = await startFloor(url, 1);
  const one = await spawnWorkers(ctl, 1, spawnOptions);
  const [oneId] = one.handle.ids;
  const pingOnce = async () => {
    const t0 = now();
    const r = await ctl.messageSendAndWait('PING', undefined, { workerIds: [oneId], timeout: 10 });
    const dt = now() - t0;
    if (r[oneId] !== 'PONG') throw new Error(`unexpected PING response ${JSON.stringify(r)}`);
    return dt;
  };
  let meter = backgroundMeter(ourPids);
  const lat1 = await measureInterleaved({ floor: (i) => floor.once(i), ping: pingOnce }, sampling);
  const background1 = meter();
  await killWorkers(ctl, one);

  // --- Latency: broadcast PING to 8 workers. ---
  console.log('bench: broadcast PING to 8 workers ...');
  const eight = await spawnWorkers(ctl, 8, spawnOptions);
  const broadcastOnce = async () => {
    const t0 = now();
    const r = await ctl.messageSendAndWait('PING', undefined, { timeout: 10 });
    const dt = now() - t0;
    const answered = Object.values(r).filter((v) => v === 'PONG').length;
    if (answered !== 8) throw new Error(`broadcast PING got ${answered} PONGs: ${JSON.stringify(r)}`);
    return dt;
  };
  await floor.stop();
  const floor8 = await startFloor(url, 8);
  meter = backgroundMeter(ourPids);
  const lat8 = await measureInterleaved({ broadcast: broadcastOnce, floor8: (i) => floor8.once(i) }, sampling);
  const background8 = meter();
  await floor8.stop();
  await killWorkers(ctl, eight);

  const result = {
    date: utcStamp(),
    machine,
    code,
    settings: { warmup: WARMUP, rounds: ROUNDS, spawnReps: SPAWN_REPS },
    load: { start: loadStart, end: loadavg(), busyBefore, background1, background8, backgroundSpawn: spawnTimes.background },
    lat: { ping: lat1.ping, floor: lat1.floor, broadcast: lat8.broadcast, floor8: lat8.floor8 },
    spawn: spawnTimes.stats,
  };
  printSummary(result);
  if (WRITE) writeDocs(result, join(root, 'docs'));
  return result;
}

await runToEnd(main);
