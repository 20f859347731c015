// The written results of bench/tasks.mjs: the summary printed on the terminal, the tasks section
// of docs/benchmarks.md (written in place, the other sections kept) and its plot
// docs/benchmarks-tasks.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fmtShort, mdTable, svgBars, verdict, writeSection } from '../lib/report.mjs';
import { fmtLoad, fmtMs, fmtPct, spread } from '../lib/stats.mjs';

const COLORS = { rrq: '#e76f51', bullmq: '#264653', beequeue: '#e9c46a' };
const FLOOR_COLOR = '#2a9d8f';
const GOAL_COLOR = '#c0392b';
const BULK_GOAL = 100_000; // jobs/s
const LINEAR = 0.8; // bulk creation counts as linear if the rate at the largest size is ≥ 80 % of the smallest's
const MiB = 2 ** 20;

const int = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const num = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** The median, min and max over the runs of a case of `field`, or null if it has no run. */
function over(c, field) {
  const values = (c?.runs ?? []).map((run) => run[field]).filter(Number.isFinite);
  if (values.length === 0) return null;
  const s = spread(values);
  return { ...s, max: Math.max(...values) };
}

/** The failures of a system's cases, { case: message }; one 'all' entry if every case failed alike (not opened). */
function errorsOf(c) {
  const failed = Object.entries(c).filter(([, v]) => v.error).map(([name, v]) => [name, v.error]);
  const all = Object.keys(c).length;
  if (failed.length === all && new Set(failed.map(([, e]) => e)).size === 1 && failed.every(([name]) => !c[name].runs.length)) return { all: failed[0][1] };
  return Object.fromEntries(failed);
}

/** Every figure of the report, worked out once from the raw results. */
function figures(r) {
  const { cases, settings } = r;
  const f = {};
  for (const { key } of r.systems) {
    const c = cases[key];
    const small = settings.bulk[0];
    const large = settings.bulk.at(-1);
    f[key] = {
      jobs: Object.fromEntries(settings.workerCounts.map((k) => [k, over(c[`workers${k}`], 'jobsPerS')])),
      workerCpu: Object.fromEntries(settings.workerCounts.map((k) => [k, over(c[`workers${k}`], 'workerCpuMs')])),
      redisCpu: Object.fromEntries(settings.workerCounts.map((k) => [k, over(c[`workers${k}`], 'redisCpuMs')])),
      benchCpu: Object.fromEntries(settings.workerCounts.map((k) => [k, over(c[`workers${k}`], 'benchCpuMs')])),
      memory: Object.fromEntries(settings.workerCounts.map((k) => [k, over(c[`workers${k}`], 'memoryBytes')])),
      bulk: Object.fromEntries(settings.bulk.map((n) => [n, over(c[`bulk${n}`], 'perS')])),
      latency: c.latency.runs[0] ?? null,
      errors: errorsOf(c),
      small,
      large,
    };
  }
  return f;
}

/** The goals (all about rrq, against BullMQ where they compare): { text, met (true/false/null), detail }. */
function goals(r, f) {
  const rrq = f.rrq;
  const bull = f.bullmq;
  const out = [];
  if (!rrq) return out;
  for (const k of r.settings.workerCounts) {
    const a = rrq.jobs[k]?.median;
    const b = bull?.jobs[k]?.median;
    const ratio = a / b;
    out.push({
      id: `jobs${k}`,
      text: `rrq jobs/s with ${k} worker${k > 1 ? 's' : ''} ≥ BullMQ's (aim 1.5×)`,
      met: Number.isFinite(ratio) ? ratio >= 1 : null,
      detail: Number.isFinite(ratio) ? `${ratio.toFixed(2)}× BullMQ${ratio >= 1.5 ? ', aim reached' : ratio >= 1 ? ', aim 1.5× not reached' : ''}` : 'not measured',
    });
  }
  const sizes = r.settings.bulk;
  const rates = sizes.map((n) => rrq.bulk[n]?.median);
  const linear = rates.at(-1) / rates[0];
  const fast = rates.every((v) => Number.isFinite(v) && v >= BULK_GOAL);
  out.push({
    id: 'bulk',
    text: `rrq bulk creation ≥ ${int(BULK_GOAL)} tasks/s and linear (rate at ${int(sizes.at(-1))} ≥ ${LINEAR * 100} % of the rate at ${int(sizes[0])})`,
    met: rates.every(Number.isFinite) ? fast && (sizes.length < 2 || linear >= LINEAR) : null,
    detail: rates.every(Number.isFinite)
      ? `${sizes.map((n, i) => `${int(rates[i])}/s at ${int(n)}`).join(', ')}${sizes.length > 1 ? `; ${(linear * 100).toFixed(0)} % at the largest` : ''}`
      : 'not measured',
  });
  for (const k of r.settings.workerCounts) {
    const a = rrq.workerCpu[k]?.median;
    const b = bull?.workerCpu[k]?.median;
    out.push({
      id: `cpu${k}`,
      text: `rrq worker CPU per task ≤ BullMQ's (${k} worker${k > 1 ? 's' : ''})`,
      met: Number.isFinite(a) && Number.isFinite(b) ? a <= b : null,
      detail: Number.isFinite(a) && Number.isFinite(b) ? `${num(a, 0)} vs ${num(b, 0)} ms per 1,000, ${(a / b).toFixed(2)}×` : 'not measured',
    });
  }
  return out;
}

const metText = (g) => (g.met === null ? 'n/a' : g.met ? 'MET' : 'NOT MET');
const metMd = (g) => (g.met === null ? 'n/a (not measured)' : verdict(g.met));

/** The results table on the terminal, with the goals met or not. */
export function printSummary(r) {
  const f = figures(r);
  const keys = r.systems.map((s) => s.key);
  const cell = (key, name, v, fmt) => (Number.isFinite(v) ? fmt(v) : r.cases[key][name]?.error ? 'FAILED' : 'n/a');
  const line = (name, cells, note = '') => console.log(`${name.padEnd(40)} ${cells.map((c) => String(c).padStart(11)).join(' ')}   ${note}`);
  const g = Object.fromEntries(goals(r, f).map((x) => [x.id, x]));
  const gNote = (id) => (g[id] ? `${metText(g[id])} (${g[id].detail})` : '');
  console.log('');
  line('measure (median of runs)', r.systems.map((s) => s.name), 'goal for rrq');
  for (const k of r.settings.workerCounts) {
    line(`jobs/s, ${k} worker process${k > 1 ? 'es' : ''}`, keys.map((key) => cell(key, `workers${k}`, f[key].jobs[k]?.median, int)), `>= BullMQ, aim 1.5x: ${gNote(`jobs${k}`)}`);
  }
  for (const n of r.settings.bulk) {
    line(`bulk creation of ${int(n)} (tasks/s)`, keys.map((key) => cell(key, `bulk${n}`, f[key].bulk[n]?.median, int)), n === r.settings.bulk[0] ? `>= 100,000/s and linear: ${gNote('bulk')}` : '');
  }
  line('latency, idle worker, p50 (ms)', keys.map((key) => cell(key, 'latency', f[key].latency?.p50, (v) => fmtMs(v))));
  line('latency, idle worker, p99 (ms)', keys.map((key) => cell(key, 'latency', f[key].latency?.p99, (v) => fmtMs(v))));
  for (const k of r.settings.workerCounts) {
    line(`worker CPU per 1,000 jobs, ${k}w (ms)`, keys.map((key) => cell(key, `workers${k}`, f[key].workerCpu[k]?.median, (v) => num(v, 0))), `<= BullMQ: ${gNote(`cpu${k}`)}`);
  }
  for (const k of r.settings.workerCounts) {
    line(`redis-server CPU per 1,000 jobs, ${k}w (ms)`, keys.map((key) => cell(key, `workers${k}`, f[key].redisCpu[k]?.median, (v) => num(v, 0))));
  }
  line(`Redis memory per ${int(r.settings.n)} kept (MiB)`, keys.map((key) => cell(key, 'workers1', f[key].memory[1]?.median, (v) => num(v / MiB, 2))));
  const fl = r.floor;
  console.log(`Redis round-trip floor (bare RPUSH -> BLPOP -> RPUSH -> BLPOP): ${int(fl.rate.median)} round trips/s (median of ${fl.rate.runs.length}), latency p50 ${fmtMs(fl.latency?.p50)} ms, p99 ${fmtMs(fl.latency?.p99)} ms`);
  for (const { key, name } of r.systems) {
    for (const [what, err] of Object.entries(f[key].errors)) console.log(`${name} ${what}: FAILED: ${err}`);
  }
  console.log(`load average start ${fmtLoad(r.load.start)}, end ${fmtLoad(r.load.end)}`);
  console.log(`CPU used by other processes: ${fmtPct(r.load.busyBefore)} before start, ${fmtPct(r.load.backgroundThroughput)} during throughput, ${fmtPct(r.load.backgroundBulk)} during bulk creation, ${fmtPct(r.load.backgroundLatency)} during latency`);
}

/** The tasks section of docs/benchmarks.md. */
function buildSection(r) {
  const f = figures(r);
  const { settings: s, machine, code, load } = r;
  const sys = r.systems;
  const failed = (key, name) => (r.cases[key][name]?.error ? 'failed' : 'n/a');
  const cells = (name, pick, fmt) => sys.map(({ key }) => {
    const v = pick(f[key]);
    return v === null || v === undefined || !Number.isFinite(v) ? failed(key, name) : fmt(v);
  });
  const g = Object.fromEntries(goals(r, f).map((x) => [x.id, x]));
  const goalCells = (id) => (g[id] ? [g[id].text.replace(/^rrq /, ''), `${metMd(g[id])} (${g[id].detail})`] : ['–', '–']);
  const rows = [];
  for (const k of s.workerCounts) {
    rows.push([`Jobs/s, ${k} worker process${k > 1 ? 'es' : ''} (${int(s.n)} no-op jobs)`, ...cells(`workers${k}`, (x) => x.jobs[k]?.median, int), ...goalCells(`jobs${k}`)]);
  }
  s.bulk.forEach((n, i) => {
    rows.push([`Bulk creation of ${int(n)}, tasks/s (one call, no worker)`, ...cells(`bulk${n}`, (x) => x.bulk[n]?.median, int), ...(i === 0 ? goalCells('bulk') : ['(same goal)', ''])]);
  });
  rows.push(['Latency on an idle worker, p50 / p99 (ms)', ...sys.map(({ key }) => (f[key].latency ? `${fmtMs(f[key].latency.p50)} / ${fmtMs(f[key].latency.p99)}` : failed(key, 'latency'))), '–', '–']);
  for (const k of s.workerCounts) {
    rows.push([`Worker CPU per 1,000 jobs, ${k} worker${k > 1 ? 's' : ''} (ms)`, ...cells(`workers${k}`, (x) => x.workerCpu[k]?.median, (v) => num(v, 0)), ...goalCells(`cpu${k}`)]);
  }
  rows.push([`Redis memory per ${int(s.n)} kept results (MiB, used_memory)`, ...cells('workers1', (x) => x.memory[1]?.median, (v) => num(v / MiB, 2)), '–', '–']);
  const table = mdTable(['Measure (median of runs)', ...sys.map((x) => `${x.name} ${x.version}`), 'Goal (rrq)', 'Met'], rows);

  const floorRate = r.floor.rate.median;
  const rel = [];
  for (const k of s.workerCounts) {
    const parts = sys.map(({ key, name }) => (f[key].jobs[k] ? `${name} ${(f[key].jobs[k].median / floorRate * 100).toFixed(0)} %` : null)).filter(Boolean);
    if (parts.length) rel.push(`- Jobs/s with ${k} worker${k > 1 ? 's' : ''} against the floor's round trips/s (${int(floorRate)}): ${parts.join(', ')}.`);
  }
  const scale = sys.map(({ key, name }) => (f[key].jobs[1] && f[key].jobs[2] ? `${name} ${(f[key].jobs[2].median / f[key].jobs[1].median).toFixed(2)}×` : null)).filter(Boolean);
  if (scale.length) rel.push(`- 2 workers against 1 (on ${machine.cores} cores shared with redis-server and this process): ${scale.join(', ')}.`);
  if (r.floor.latency) {
    const lat = sys.map(({ key, name }) => (f[key].latency ? `${name} ${(f[key].latency.p50 / r.floor.latency.p50).toFixed(1)}×` : null)).filter(Boolean);
    if (lat.length) rel.push(`- Latency p50 against the floor's p50 (${fmtMs(r.floor.latency.p50)} ms): ${lat.join(', ')}.`);
  }
  const errors = sys.flatMap(({ key, name }) => Object.entries(f[key].errors).map(([what, err]) => `- ${name}, ${what}: failed: \`${err.replace(/`/g, "'")}\``));

  // Per-run detail.
  const runRows = [];
  for (const k of s.workerCounts) {
    for (const { key, name } of sys) {
      const runs = r.cases[key][`workers${k}`].runs;
      if (!runs.length) continue;
      runRows.push([`${name}, ${k} worker${k > 1 ? 's' : ''}`,
        runs.map((x) => int(x.jobsPerS)).join(', '),
        runs.map((x) => int(x.createMs)).join(', '),
        runs.map((x) => num(x.workerCpuMs, 0)).join(', '),
        runs.map((x) => num(x.redisCpuMs, 0)).join(', '),
        runs.map((x) => num(x.benchCpuMs, 0)).join(', '),
        runs.map((x) => num(x.memoryBytes / MiB, 2)).join(', ')]);
    }
  }
  const runTable = mdTable(['Throughput runs', 'jobs/s', 'of which the bulk call (ms)', 'worker CPU ms / 1,000', 'redis-server CPU ms / 1,000', 'bench process CPU ms / 1,000 (creating, waiting)', 'Redis memory growth (MiB)'], runRows);
  const bulkRows = [];
  for (const n of s.bulk) {
    for (const { key, name } of sys) {
      const runs = r.cases[key][`bulk${n}`].runs;
      if (runs.length) bulkRows.push([`${name}, ${int(n)}`, runs.map((x) => int(x.ms)).join(', '), runs.map((x) => int(x.perS)).join(', ')]);
    }
  }
  const bulkTable = mdTable(['Bulk creation runs', 'ms', 'tasks/s'], bulkRows);
  const latRows = [['Bare Redis floor', r.floor.latency], ...sys.map(({ key, name }) => [name, f[key].latency])]
    .filter(([, x]) => x)
    .map(([name, x]) => [name, x.n, fmtMs(x.min), fmtMs(x.p50), fmtMs(x.p90), fmtMs(x.p99), fmtMs(x.max), fmtMs(x.mean)]);
  const latTable = mdTable(['Latency (ms)', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean'], latRows);
  const setup = sys.map((x) => `  - ${x.name} ${x.version}: ${x.settings || '(not opened)'}`).join('\n');

  return `<!-- tasks:start -->
## Tasks: throughput next to BullMQ and bee-queue

Written by \`bench/tasks.mjs\` (\`npm run bench:tasks\`) on ${r.date}; do not edit by hand, run the bench again.

- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.kernel}; Node ${machine.node}, redis-server ${machine.redis} (one private instance on a free loopback port, no persistence, shared by all three in turn)
- Code: commit ${code.commit}${code.srcChanged === null ? '' : code.srcChanged ? ' plus uncommitted changes in src/' : ', src/ unchanged'}; dist/ built ${code.built}
- Compared with BullMQ ${r.peers.versions.bullmq} (with ioredis ${r.peers.versions.ioredis}) and bee-queue ${r.peers.versions['bee-queue']} (with its own node-redis 3), installed by the bench from the npm registry into a cache folder outside the repository (\`${r.peers.dir.replace(homedir(), '~')}/\`), not dependencies of rrq
- Load average (1/5/15 min, includes this bench's own processes) at start: ${fmtLoad(load.start, ' / ')}, at end: ${fmtLoad(load.end, ' / ')}
- CPU used by other processes (share of all cores): ${fmtPct(load.busyBefore)} in the second before the run, ${fmtPct(load.backgroundThroughput)} during the throughput runs, ${fmtPct(load.backgroundBulk)} during bulk creation, ${fmtPct(load.backgroundLatency)} during the latency samples
- Runs: ${s.runs} of each throughput and bulk figure (median shown; every run below), systems in a rotating order; throughput with the workers already running and idle; latency: ${s.latN} samples per system after ${s.latWarmup} warm-up, interleaved in 4 rounds

${table}

Redis round-trip floor in the same run (bare ioredis, RPUSH → child BLPOP → RPUSH → BLPOP, \`bench/messages/floor.mjs\`): **${int(floorRate)} round trips/s** (median of ${r.floor.rate.runs.length} runs of ${int(s.floorN)}: ${r.floor.rate.runs.map(int).join(', ')})${r.floor.latency ? `, latency p50 ${fmtMs(r.floor.latency.p50)} ms, p99 ${fmtMs(r.floor.latency.p99)} ms` : ''}.
It is the simplest hand-off between two Node processes through Redis on this machine at that moment (a
request, a blocking pop that wakes the other process, its reply, a blocking pop that wakes the first); the
jobs/s and latencies below are set against it.

${rel.join('\n')}
${errors.length ? `\nFailures (those figures are missing; the run went on with the rest):\n\n${errors.join('\n')}\n` : ''}
![Tasks: rrq, BullMQ and bee-queue side by side](benchmarks-tasks.svg)

${runTable}

${bulkTable}

${latTable}

### What is measured

- **Jobs/s**: the worker processes (1, then 2; concurrency 1 each) are started and **already running and
  idle** when the timed part starts; ${int(s.warmup)} warm-up jobs have gone through them. Then one bulk call
  creates ${int(s.n)} no-op jobs and the bench waits until all of them are complete; jobs/s is ${int(s.n)} over
  the time from the start of the bulk call to the end of the wait (so the bulk call is included; its share is
  in the run table). How each waits: rrq \`ctl.taskWait(ids)\`; BullMQ counts the \`completed\` events of a
  \`QueueEvents\`; bee-queue counts the \`job succeeded\` events of the producer queue (both by job id, with
  the completed count in Redis read every 100 ms as a safety net). The workers are stopped and the queue
  emptied after each run.
- **Bulk creation**: no worker running, an empty queue; one call, timed from building the job list to its
  return: rrq \`ctl.taskCreateBulkCall(() => null, [0 .. n-1])\`, BullMQ
  \`queue.addBulk([{ name: 'noop', data: i }, ...])\`, bee-queue \`queue.saveAll([queue.createJob(i), ...])\`.
  The queue is emptied before and after each run (rrq \`ctl.destroy()\`, BullMQ
  \`queue.obliterate({ force: true })\`, bee-queue \`queue.destroy()\`).
- **Latency**: one idle worker per system, all three running at once on their own queues, samples
  interleaved with the floor's: create one job, wait until it is complete, repeat. rrq
  \`await ctl.taskCreateExpr('null')\` then \`await ctl.taskWait(id)\`; BullMQ \`await queue.add('noop', 0)\` then
  \`job.waitUntilFinished(queueEvents)\`; bee-queue \`queue.createJob(0).save()\` and the queue's \`job succeeded\`
  event for that id (its own \`succeeded\` event can be lost: bee-queue emits it only for a job already in
  its map, which \`save()\` fills when its reply is read, and the event may be read first).
- **Worker CPU per 1,000 jobs**: user + system CPU time of the worker process(es) from \`/proc/<pid>/stat\`
  (all their threads, and their child processes if they start any), from the start of the timed bulk call to
  the end of the wait, divided by ${num(s.n / 1000, s.n % 1000 ? 1 : 0)}. The run table also has redis-server's and this bench process's
  (creating the jobs and waiting for them).
- **Redis memory per ${int(s.n)} kept results**: \`INFO memory\` used_memory just after the ${int(s.n)} jobs of a
  1-worker throughput run are complete, minus its value just before they were created: the job records with
  their results and whatever else the system keeps for them (BullMQ's event stream, rrq's task records). Each
  keeps its finished jobs: rrq always (until \`destroy\`), BullMQ with \`removeOnComplete: false\`, bee-queue
  with \`removeOnSuccess: false\` (bee-queue does not store a job's return value at all).
- **Settings**:
${setup}
- Every worker is a Node process of its own: rrq's from \`ctl.workerSpawn\` (a private copy of
  \`dist/worker.js\`), BullMQ's and bee-queue's from \`bench/tasks/peers/*.cjs\`, which load the library from
  the cache folder. Each job's payload is a small integer; its result is \`null\`.

### How to run

\`\`\`
npm run bench:tasks            # = npm run build && node bench/tasks.mjs; writes this section and docs/benchmarks-tasks.svg
BENCH_TASKS_RUNS=1 BENCH_NO_WRITE=1 node bench/tasks.mjs   # quick look, print only
\`\`\`

The first run installs BullMQ (newest) and bee-queue (newest 2.x) with \`npm install --ignore-scripts\` into
\`\${XDG_CACHE_HOME:-~/.cache}/rrq-bench-peers/\` (\`BENCH_TASKS_PEERS_DIR\` moves it; a marker file says it is
complete; \`BENCH_TASKS_PEERS_UPDATE=1\` installs again to pick up a newer BullMQ). Other options:
\`BENCH_TASKS_N\`, \`BENCH_TASKS_BULK\` ("10000,100000"), \`BENCH_TASKS_LAT_N\`, \`BENCH_TASKS_SYSTEMS\`
("rrq,bullmq,beequeue"), see the head of \`bench/tasks.mjs\`. It needs \`redis-server\` on the PATH, starts its
own and never touches 127.0.0.1:6379. With ${machine.cores} cores shared by redis-server, the workers and the
bench process, the 2-worker figures and the CPU figures move between runs; compare systems within one run.
<!-- tasks:end -->
`;
}

/** The plot: one panel per measure, the three systems side by side in each. */
function tasksPlot(r) {
  const f = figures(r);
  const sys = r.systems;
  const series = sys.map(({ key, name, version }) => ({ label: `${name} ${version}`, color: COLORS[key] }));
  const bars = (groups) => groups.map(([label, pick, scale = 1]) => ({
    label,
    values: sys.map(({ key }) => { const x = pick(f[key]); return Number.isFinite(x?.median) ? x.median * scale : null; }),
    ranges: sys.map(({ key }) => { const x = pick(f[key]); return x ? [x.min * scale, x.max * scale] : null; }),
  }));
  const ks = r.settings.workerCounts;
  const panels = [
    {
      title: `Jobs/s (${int(r.settings.n)} no-op jobs)`, unit: 'jobs/s',
      groups: bars(ks.map((k) => [`${k} worker${k > 1 ? 's' : ''}`, (x) => x.jobs[k]])),
      refs: [{ value: r.floor.rate.median, label: `floor ${fmtShort(r.floor.rate.median)} round trips/s`, color: FLOOR_COLOR }],
    },
    {
      title: 'Bulk creation (one call)', unit: 'tasks/s',
      groups: bars(r.settings.bulk.map((n) => [`${int(n)} tasks`, (x) => x.bulk[n]])),
      refs: [{ value: BULK_GOAL, label: 'goal 100k/s', color: GOAL_COLOR }],
    },
    {
      title: 'Latency, idle worker', unit: 'ms',
      groups: ['p50', 'p99'].map((p) => ({
        label: p,
        values: sys.map(({ key }) => (f[key].latency ? f[key].latency[p] : null)),
      })),
      refs: r.floor.latency ? [{ value: r.floor.latency.p50, label: `floor p50 ${fmtMs(r.floor.latency.p50)} ms`, color: FLOOR_COLOR }] : [],
    },
    {
      title: 'Worker CPU per 1,000 jobs', unit: 'ms CPU',
      groups: bars(ks.map((k) => [`${k} worker${k > 1 ? 's' : ''}`, (x) => x.workerCpu[k]])),
    },
    {
      title: 'redis-server CPU per 1,000 jobs', unit: 'ms CPU',
      groups: bars(ks.map((k) => [`${k} worker${k > 1 ? 's' : ''}`, (x) => x.redisCpu[k]])),
    },
    {
      title: `Redis memory per ${int(r.settings.n)} kept`, unit: 'MiB (used_memory)',
      groups: bars([['1 worker run', (x) => x.memory[1], 1 / MiB], ['2 workers run', (x) => x.memory[2], 1 / MiB]]),
    },
  ];
  return svgBars(series, panels, {
    title: `Task queues on one Redis: rrq, BullMQ, bee-queue (${r.machine.cores} cores, ${r.date})`,
    note: `Bars: median of ${r.settings.runs} run${r.settings.runs > 1 ? 's' : ''}; whiskers: min and max. Worker processes at concurrency 1. n/a: not measured (failed).`,
  });
}

/** Write the tasks section of docs/benchmarks.md and docs/benchmarks-tasks.svg into `docsDir`. */
export function writeDocs(result, docsDir) {
  mkdirSync(docsDir, { recursive: true });
  writeSection(join(docsDir, 'benchmarks.md'), 'tasks', buildSection(result));
  writeFileSync(join(docsDir, 'benchmarks-tasks.svg'), tasksPlot(result));
  console.log(`wrote the tasks section of ${join('docs', 'benchmarks.md')} and ${join('docs', 'benchmarks-tasks.svg')}`);
}
