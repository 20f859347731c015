// Waiting for a batch of jobs of the other task queues to complete (bench/tasks/bullmq.mjs,
// beequeue.mjs): their completion events, counted by job id, with a count read from Redis every
// 100 ms as a safety net for events that did not arrive (BullMQ trims its event stream).
import { sleep } from '../lib/timing.mjs';

/**
 * A tracker of completed job ids. `completed(id)` is what the queue's completion event calls;
 * `wait(ids, total, count, timeoutS)` resolves when every id of the batch has been seen
 * completing, or when `await count()` (completed jobs in Redis) reaches `total`, and rejects
 * after `timeoutS` seconds. Ids seen before the batch is known (a fast worker's event can
 * arrive before the bulk call returns) count too.
 */
export function completionTracker(system) {
  const seen = new Set();
  let pending = null; // Set of ids still to complete, while waiting
  let wake = null;
  return {
    completed(id) {
      seen.add(String(id));
      if (pending?.delete(String(id)) && pending.size === 0) wake?.();
    },
    reset() {
      seen.clear();
    },
    async wait(ids, total, count, timeoutS) {
      pending = new Set(ids.map(String).filter((id) => !seen.has(id)));
      const deadline = Date.now() + timeoutS * 1000;
      try {
        let lastCount = 0;
        while (pending.size > 0) {
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`${system}: ${pending.size} of ${ids.length} jobs not complete after ${timeoutS} s (${lastCount} of ${total} in Redis)`);
          await new Promise((resolve) => {
            wake = resolve;
            sleep(Math.min(100, left)).then(resolve);
          });
          if (pending.size === 0) break;
          lastCount = await count();
          if (lastCount >= total) break;
        }
      } finally {
        pending = null;
        wake = null;
      }
    },
  };
}
