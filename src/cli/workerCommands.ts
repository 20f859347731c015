// `rrq worker ...`: spawn, list, look at, stop and clean up workers, and their stored configs.
import type { WorkerConfig } from '../core/protocol';
import type { CliCommand } from './context';
import { formatTable } from './format';
import { seconds, UsageError, type Values } from './options';

const idsOrAll = (rest: string[]) => (rest.length ? rest : undefined);

const spawn: CliCommand = async ({ ctl, rest, values, timeout, print }) => {
  const n = rest[0] === undefined ? 1 : Number(rest[0]);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`worker spawn: N must be a positive integer, not '${rest[0]}'`);
  const handle = await ctl.workerSpawn(n, {
    ...(values.logdir ? { logdir: values.logdir } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(values.config ? { config: values.config } : {}),
  });
  print({ ids: handle.ids, logdir: handle.logdir }, () => `Spawned ${n} worker(s) on queue ${ctl.queueId} (logs in ${handle.logdir}):\n${handle.ids.join('\n')}`);
  return 0;
};

const list: CliCommand = async ({ ctl, print }) => {
  const ids = await ctl.workerList();
  print(ids, () => ids.join('\n'));
  return 0;
};

const status: CliCommand = async ({ ctl, rest, print }) => {
  const statuses = await ctl.workerStatus(idsOrAll(rest));
  print(statuses, () => formatTable(Object.entries(statuses)));
  return 0;
};

const info: CliCommand = async ({ ctl, rest, print }) => {
  print(await ctl.workerInfo(idsOrAll(rest)));
  return 0;
};

const log: CliCommand = async ({ ctl, rest, values, print }) => {
  const n = values.all ? Infinity : values.n === undefined ? 10 : Number(values.n);
  if (!(n >= 0)) throw new UsageError(`-n must be a non-negative number, not '${values.n}'`);
  const entries = await ctl.workerLogTail({ ...(rest.length ? { workerIds: rest } : {}), n });
  print(entries, () => entries.map((e) => `${e.workerId}  ${new Date(e.time * 1000).toISOString()}  ${e.command} ${e.message}`).join('\n'));
  return 0;
};

const stop: CliCommand = async ({ ctl, rest, values, timeout, print }) => {
  if (values.kill && values['kill-local']) throw new UsageError('worker stop: --kill and --kill-local cannot go together');
  const stopped = await ctl.workerStop(idsOrAll(rest), {
    type: values.kill ? 'kill' : values['kill-local'] ? 'kill_local' : 'message', ...(timeout !== undefined ? { timeout } : {}),
  });
  print(stopped, () => (stopped.length ? `Stopping: ${stopped.join(', ')}` : 'No active workers.'));
  return 0;
};

const detect: CliCommand = async ({ ctl, print }) => {
  const lost = await ctl.workerDetectExited();
  print(lost, () => (lost.length ? `Lost (heartbeat expired): ${lost.join(', ')}` : 'No lost workers.'));
  return 0;
};

const deleteExited: CliCommand = async ({ ctl, rest, print }) => {
  const deleted = await ctl.workerDeleteExited(idsOrAll(rest));
  print(deleted, () => (deleted.length ? `Deleted: ${deleted.join(', ')}` : 'No exited workers.'));
  return 0;
};

function configFromOptions(values: Values): WorkerConfig {
  const config: WorkerConfig = {};
  if (values.queue) config.queue = values.queue.split(',').map((q) => q.trim()).filter(Boolean);
  const poll = seconds(values['poll-timeout'], '--poll-timeout');
  if (poll !== undefined) config.pollTimeout = poll;
  const idle = seconds(values['timeout-idle'], '--timeout-idle');
  if (idle !== undefined) config.timeoutIdle = idle;
  if (values.envir) config.envir = values.envir;
  const period = seconds(values['heartbeat-period'], '--heartbeat-period');
  if (period !== undefined) config.heartbeatPeriod = period;
  if (values['no-eval']) config.allowEval = false;
  if (values.tasks !== undefined) {
    if (values.tasks !== 'any' && values.tasks !== 'environment') throw new UsageError(`--tasks must be 'any' or 'environment', not '${values.tasks}'`);
    config.tasks = values.tasks;
  }
  return config;
}

const config: CliCommand = async ({ ctl, rest, values, print }) => {
  const [action, name] = rest;
  if (action === 'list') {
    const names = await ctl.workerConfigList();
    print(names, () => names.join('\n'));
    return 0;
  }
  if (!name) throw new UsageError(`worker config ${action ?? ''}: a config NAME is needed`);
  if (action === 'show') {
    print(await ctl.workerConfigRead(name));
    return 0;
  }
  if (action !== 'save') throw new UsageError(`worker config: unknown action '${action}' (save, list, show)`);
  print(await ctl.workerConfigSave(name, configFromOptions(values)));
  return 0;
};

export const WORKER_COMMANDS: Record<string, CliCommand> = {
  'worker spawn': spawn,
  'worker list': list,
  'worker status': status,
  'worker info': info,
  'worker log': log,
  'worker stop': stop,
  'worker detect-exited': detect,
  'worker delete-exited': deleteExited,
  'worker config': config,
};
