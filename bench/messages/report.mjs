// The written results of bench/messages.mjs: the summary printed on the terminal, and
// docs/benchmarks.md with its plot docs/benchmarks-latency.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mdTable, svgCdf, verdict, writeReport } from '../lib/report.mjs';
import { delta, fmtLoad, fmtMs, fmtPct, ratio } from '../lib/stats.mjs';

/** The text of docs/benchmarks.md (without the sections other benchmarks write there). */
function buildReport(r) {
  const { machine, lat, spawn: sp, load, code, settings } = r;
  const rows = [
    ['PING round trip, 1 worker (`messageSendAndWait`)', `${fmtMs(lat.ping.p50)} / ${fmtMs(lat.ping.p99)} ms`,
      'p50 ≤ 0.25 ms, p99 ≤ 1 ms', verdict(lat.ping.p50 <= 0.25 && lat.ping.p99 <= 1),
      'rrq `message_send_and_wait`: 51 ms p50 at its default poll, 0.64 ms with polling off'],
    ['Broadcast PING, 8 workers, all responses', `${fmtMs(lat.broadcast.p50)} / ${fmtMs(lat.broadcast.p99)} ms`,
      'p50 ≤ 1.5 ms', verdict(lat.broadcast.p50 <= 1.5), '–'],
    ['Bare ioredis floor (RPUSH → child BLPOP → RPUSH → BLPOP)', `${fmtMs(lat.floor.p50)} / ${fmtMs(lat.floor.p99)} ms`,
      '(floor)', '–', '~0.1 ms p50 on this kind of machine'],
    ['Bare ioredis floor, 8 children (one request each, 8 replies)', `${fmtMs(lat.floor8.p50)} / ${fmtMs(lat.floor8.p99)} ms`,
      '(floor for broadcast-8)', '–', '–'],
    ['`workerSpawn(1)`, call to resolve', `${fmtMs(sp.w1.median, 0)} / ${fmtMs(sp.w1.min, 0)} ms`,
      '< 150 ms', verdict(sp.w1.median < 150), 'rrq: 1 worker in 0.25 s'],
    ['`workerSpawn(8)`, call to resolve', `${fmtMs(sp.w8.median, 0)} / ${fmtMs(sp.w8.min, 0)} ms`,
      '< 500 ms', verdict(sp.w8.median < 500), 'rrq: 4 workers in 0.6 s'],
    ['Minimal Node child until it reaches Redis, 1', `${fmtMs(sp.c1.median, 0)} / ${fmtMs(sp.c1.min, 0)} ms`,
      '(baseline)', '–', '~85 ms'],
    ['Minimal Node child until it reaches Redis, 8 in parallel', `${fmtMs(sp.c8.median, 0)} / ${fmtMs(sp.c8.min, 0)} ms`,
      '(baseline)', '–', '~385 ms'],
    ['`node -e 0`, spawn to exit', `${fmtMs(sp.bare.median, 0)} / ${fmtMs(sp.bare.min, 0)} ms`,
      '(baseline)', '–', '–'],
  ];
  const table = mdTable(['Measure', 'Measured (latency: p50 / p99; spawn: median / min)', 'Goal', 'Met', 'Reference'], rows);
  const detail = mdTable(['Series', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean'],
    [['PING, 1 worker', lat.ping], ['Bare ioredis floor', lat.floor], ['Broadcast PING, 8 workers', lat.broadcast], ['Bare ioredis floor, 8 children', lat.floor8]]
      .map(([name, s]) => [name, s.n, fmtMs(s.min), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.max), fmtMs(s.mean)]));
  const spawnDetail = mdTable(['Spawn series', 'runs (ms)'],
    [['workerSpawn(1)', sp.w1], ['workerSpawn(8)', sp.w8], ['minimal child ×1', sp.c1], ['minimal child ×8', sp.c8], ['node -e 0', sp.bare]]
      .map(([name, s]) => [name, s.runs.map((v) => v.toFixed(0)).join(', ')]));
  return `# Benchmarks: message latency and worker spawn time

Written by \`bench/messages.mjs\` (\`npm run bench\`); do not edit by hand, run the bench again.

- Date: ${r.date}
- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.kernel}
- Node ${machine.node}, redis-server ${machine.redis} (private instance on a free loopback port, no persistence)
- Code: commit ${code.commit}${code.srcChanged === null ? '' : code.srcChanged ? ' plus uncommitted changes in src/' : ', src/ unchanged'}; dist/ built ${code.built}
- Load average (1/5/15 min, includes this bench's own processes) at start: ${fmtLoad(load.start, ' / ')}, at end: ${fmtLoad(load.end, ' / ')}
- CPU used by other processes (share of all cores): ${fmtPct(load.busyBefore)} in the second before the run, ${fmtPct(load.backgroundSpawn)} during the spawn runs, ${fmtPct(load.background1)} during the 1-worker latency runs, ${fmtPct(load.background8)} during the broadcast runs
- Latency samples per series: ${lat.ping.n} after ${settings.warmup} warm-up round trips, interleaved in ${settings.rounds} rounds; spawn runs: ${settings.spawnReps} each, interleaved with the baselines

## Results

${table}

Relative to the baselines measured in the same run:

- PING, 1 worker: ${ratio(lat.ping.p50, lat.floor.p50)} the bare floor at p50 (${delta(lat.ping.p50, lat.floor.p50, 3)} ms).
- Broadcast to 8: ${ratio(lat.broadcast.p50, lat.floor8.p50)} the 8-child floor at p50 (${delta(lat.broadcast.p50, lat.floor8.p50, 3)} ms).
- \`workerSpawn(1)\`: ${delta(sp.w1.median, sp.c1.median, 0)} ms against a minimal Node child reaching Redis; \`workerSpawn(8)\`: ${delta(sp.w8.median, sp.c8.median, 0)} ms against 8 of them.
${[lat.floor.p50 > 0.25 ? `- The goal PING p50 ≤ 0.25 ms is below this machine's bare floor (${fmtMs(lat.floor.p50)} ms) in this run.` : '',
    lat.floor8.p50 > 1.5 ? `- The goal broadcast-8 p50 ≤ 1.5 ms is below this machine's 8-child floor (${fmtMs(lat.floor8.p50)} ms) in this run.` : '',
    sp.c1.median >= 150 ? `- A minimal Node child takes ${fmtMs(sp.c1.median, 0)} ms to reach Redis here (\`node -e 0\` alone: ${fmtMs(sp.bare.median, 0)} ms), more than the 150 ms spawn-1 goal.` : '',
    sp.c8.median >= 500 ? `- 8 minimal Node children take ${fmtMs(sp.c8.median, 0)} ms here, more than the 500 ms spawn-8 goal.` : '']
    .filter(Boolean).join('\n')}

Latency detail (ms):

${detail}

Spawn runs:

${spawnDetail}

![Cumulative distribution of the message round trip](benchmarks-latency.svg)

## What is measured

- **PING, 1 worker**: \`ctl.messageSendAndWait('PING', undefined, { workerIds: [id] })\`, from call to
  resolve: the send script (id from Redis TIME, RPUSH on the worker's message list), the worker's
  BLPOP wake-up and its answer (response record, log entries, RESPONSE event with the response
  inlined), the controller woken by that event, and the deletion of the response (\`delete\`
  defaults to true).
- **Broadcast PING, 8 workers**: \`ctl.messageSendAndWait('PING')\` with 8 active workers; resolves when
  all 8 responses are in.
- **Bare ioredis floor**: the same request/reply pattern with nothing else: the parent RPUSHes a
  request and BLPOPs the reply on its own connection; a child process BLPOPs the request list and
  RPUSHes the reply. Nothing can go faster through Redis with two Node processes. The 8-child
  floor does the same with 8 children (one request list each, one shared reply list): the floor
  for a broadcast to 8 workers on this machine.
- **workerSpawn(n)**: from the call until it resolves (every worker has published ALIVE). Workers are
  killed between runs. The **minimal Node child** starts \`node bench/minimal-child.cjs\`, which
  requires ioredis, connects, PINGs and PUBLISHes; timed from spawn until the (already subscribed)
  parent hears from all of them. \`node -e 0\` is Node's own start-up, spawn to exit.

Reference figures from R's rrq on this kind of machine: bare floor ~0.1 ms p50; rrq
\`message_send_and_wait\` 51 ms p50 at its default poll and 0.64 ms with polling off; forking a minimal
Node child until it reaches Redis ~85 ms (1) and ~385 ms (8); rrq spawns 1 worker in 0.25 s and 4 in 0.6 s.

## Looking closer

- \`node bench/trace-ping.mjs\`: time line of one PING round trip, from every socket write and read
  of the controller and the worker on the shared monotonic clock (median per step), and the share
  of round trips in which the message arrived before the worker had re-armed its blocking pop.
- \`node bench/cpu-ping.mjs\`: CPU time, run-queue wait and wake-ups per round trip of each process
  (controller, worker(s), redis-server), for PING, broadcast and the bare floor.

## How to run

\`\`\`
npm run bench          # = npm run build && node bench/messages.mjs
BENCH_N=5000 node bench/messages.mjs   # more samples (BENCH_WARMUP, BENCH_SPAWN_REPS too)
\`\`\`

It needs \`redis-server\` on the PATH; it starts its own on a free port and stops it, and never touches
127.0.0.1:6379. Timings are noisy when other processes load the machine (it has ${machine.cores} cores, and
a round trip needs the controller, Redis and a worker to be scheduled in turn): check the CPU used by
other processes above, and compare against the floor measured in the same run, before reading much
into a difference between runs. p99 values in particular can move by a factor of 2 between runs.
`;
}

/** The results table on the terminal, with the goals met or not. */
export function printSummary({ lat: L, spawn: S, load }) {
  const line = (name, a, b, goal) => console.log(`${name.padEnd(44)} ${a.padStart(10)} ${b.padStart(10)}   ${goal}`);
  console.log('');
  line('measure', 'p50/median', 'p99/min', 'goal / reference');
  line('PING round trip, 1 worker (ms)', fmtMs(L.ping.p50), fmtMs(L.ping.p99), `p50 <= 0.25, p99 <= 1  ${L.ping.p50 <= 0.25 && L.ping.p99 <= 1 ? 'MET' : 'NOT MET'}`);
  line('broadcast PING, 8 workers (ms)', fmtMs(L.broadcast.p50), fmtMs(L.broadcast.p99), `p50 <= 1.5  ${L.broadcast.p50 <= 1.5 ? 'MET' : 'NOT MET'}`);
  line('bare ioredis floor (ms)', fmtMs(L.floor.p50), fmtMs(L.floor.p99), 'rrq ref ~0.1 p50');
  line('bare floor, 8 children (ms)', fmtMs(L.floor8.p50), fmtMs(L.floor8.p99), '(floor for broadcast-8)');
  line('workerSpawn(1) (ms)', fmtMs(S.w1.median, 0), fmtMs(S.w1.min, 0), `< 150  ${S.w1.median < 150 ? 'MET' : 'NOT MET'}  (rrq 250)`);
  line('workerSpawn(8) (ms)', fmtMs(S.w8.median, 0), fmtMs(S.w8.min, 0), `< 500  ${S.w8.median < 500 ? 'MET' : 'NOT MET'}  (rrq 4 workers: 600)`);
  line('minimal node child reaches Redis, 1 (ms)', fmtMs(S.c1.median, 0), fmtMs(S.c1.min, 0), 'ref ~85');
  line('minimal node child reaches Redis, 8 (ms)', fmtMs(S.c8.median, 0), fmtMs(S.c8.min, 0), 'ref ~385');
  line('node -e 0, spawn to exit (ms)', fmtMs(S.bare.median, 0), fmtMs(S.bare.min, 0), '');
  console.log(`load average start ${fmtLoad(load.start)}, end ${fmtLoad(load.end)}`);
  console.log(`CPU used by other processes: ${fmtPct(load.busyBefore)} before start, ${fmtPct(load.backgroundSpawn)} during spawn runs, ${fmtPct(load.background1)} during 1-worker latency, ${fmtPct(load.background8)} during broadcast`);
}

/** The percentile plot of the four latency series, with the goals marked. */
function latencyPlot({ lat: L }) {
  return svgCdf([
    { label: 'bare ioredis floor', color: '#2a9d8f', stats: L.floor },
    { label: 'rrq PING, 1 worker', color: '#e76f51', stats: L.ping },
    { label: 'bare floor, 8 children', color: '#8ab17d', stats: L.floor8 },
    { label: 'rrq broadcast PING, 8 workers', color: '#264653', stats: L.broadcast },
  ], [
    { ms: 0.25, label: 'goal PING p50 0.25 ms', color: '#e76f51', row: 0 },
    { ms: 1, label: 'goal PING p99 1 ms', color: '#e76f51', row: 1 },
    { ms: 1.5, label: 'goal broadcast p50 1.5 ms', color: '#264653', row: 2 },
  ], { title: 'Message round trip by percentile', xLabel: 'round trip (ms, log scale)' });
}

/** Write docs/benchmarks.md and docs/benchmarks-latency.svg into `docsDir`. */
export function writeDocs(result, docsDir) {
  mkdirSync(docsDir, { recursive: true });
  // Keep the extension section written by bench/extension.mjs.
  writeReport(join(docsDir, 'benchmarks.md'), buildReport(result), ['extension']);
  writeFileSync(join(docsDir, 'benchmarks-latency.svg'), latencyPlot(result));
  console.log(`wrote ${join('docs', 'benchmarks.md')} and ${join('docs', 'benchmarks-latency.svg')}`);
}
