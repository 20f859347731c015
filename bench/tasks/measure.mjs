// The procedures of bench/tasks.mjs, the same for every task queue: each takes a driver
// (bench/tasks/rrq.mjs, bullmq.mjs, beequeue.mjs: startWorkers, stopWorkers, createBulk,
// waitAll, latencyOnce, clean) and leaves its queue empty and its workers stopped.
import { processTreeCpuNs } from '../lib/machine.mjs';
import { now, sleep } from '../lib/timing.mjs';

/** used_memory of INFO memory (bytes). */
export async function usedMemory(conn) {
  return Number(/used_memory:(\d+)/.exec(await conn.info('memory'))?.[1]);
}

/**
 * One throughput run: k worker processes started and idle (a warm-up batch of `warmup` jobs
 * has gone through them), then one bulk call of n jobs, timed from the call until all n have
 * completed. Also the CPU time (user + sys) the workers, redis-server and this process
 * (creating the jobs and waiting for them) used in that time, and Redis' used_memory from just before the call to
 * just after the end (the n kept jobs with their results, and whatever else the system keeps).
 */
export async function throughputRun(driver, k, n, { conn, redisPid, warmup, waitS, warmupWaitS = 30 }) {
  const pids = await driver.startWorkers(k);
  try {
    await driver.createBulk(warmup);
    await driver.waitAll(warmupWaitS); // a system that does not run jobs fails here, quickly
    await sleep(200); // let the warm-up's last writes and events settle
    const memory0 = await usedMemory(conn);
    // user + sys from /proc/<pid>/stat: the workers with their threads and child processes (a
    // task host, say) also when those ended during the run; this process without its children.
    const cpu = () => ({
      workers: pids.reduce((a, pid) => a + processTreeCpuNs(pid), 0),
      redis: processTreeCpuNs(redisPid, { descendants: false }),
      bench: processTreeCpuNs(process.pid, { descendants: false }),
    });
    const cpu0 = cpu();
    const t0 = now();
    await driver.createBulk(n);
    const created = now();
    await driver.waitAll(waitS);
    const t1 = now();
    const cpu1 = cpu();
    const memory1 = await usedMemory(conn);
    const perThousand = (ns) => ns / 1e6 / (n / 1000); // ms of CPU per 1,000 jobs
    return {
      jobsPerS: n / ((t1 - t0) / 1000),
      elapsedMs: t1 - t0,
      createMs: created - t0,
      workerCpuMs: perThousand(cpu1.workers - cpu0.workers),
      redisCpuMs: perThousand(cpu1.redis - cpu0.redis),
      benchCpuMs: perThousand(cpu1.bench - cpu0.bench),
      memoryBytes: memory1 - memory0,
    };
  } finally {
    await driver.stopWorkers();
    await driver.clean();
  }
}

/** One bulk creation run with no worker running: the bulk call of n jobs on an empty queue, timed. */
export async function bulkRun(driver, n) {
  await driver.clean();
  try {
    const t0 = now();
    await driver.createBulk(n);
    const ms = now() - t0;
    return { ms, perS: n / (ms / 1000) };
  } finally {
    await driver.clean();
  }
}

/** Round trips per second of the bare floor (bench/messages/floor.mjs), `count` in a row. */
export async function floorRate(floor, count) {
  for (let i = 0; i < Math.min(200, count); i += 1) await floor.once(i); // warm-up
  const t0 = now();
  for (let i = 0; i < count; i += 1) await floor.once(i);
  return count / ((now() - t0) / 1000);
}
