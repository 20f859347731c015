// A worker started by hand (node dist/worker.js), as on another machine: no controller spawned
// it, so no controller sees its process end. Resolves once it is active (unless told not to wait).
import { spawn } from 'node:child_process';
import { waitFor } from './wait.cjs';

export async function startHandWorker(ctl, { url, workerId, config, extraArgs = [], waitActive = true }) {
  const args = ['dist/worker.js', '--redis', url, '--queue-id', ctl.queueId, '--worker-id', workerId, ...extraArgs];
  if (config) args.push('--config', config);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const handle = {
    id: workerId,
    child,
    pid: child.pid,
    exited,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  if (waitActive) {
    await waitFor(`worker ${workerId} to be active`, async () => (await ctl.workerList()).includes(workerId), { timeout: 20_000 })
      .catch((err) => { child.kill('SIGKILL'); throw new Error(`${err.message}\n${output}`); });
  }
  return handle;
}
