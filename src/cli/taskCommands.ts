// `rrq task ...` and `rrq queue ...`: create tasks, look at them and at queues, wait for them,
// read their results, cancel, retry and delete them.
import type { CliCommand, CliContext } from './context';
import { formatTable } from './format';
import { UsageError } from './options';

function taskIds(c: CliContext, name: string): string[] {
  if (c.rest.length === 0) throw new UsageError(`task ${name}: task IDs are needed`);
  return c.rest;
}

const createExpr: CliCommand = async ({ ctl, rest, values, timeout, print }) => {
  const options = {
    ...(values.queue ? { queue: values.queue } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(values['depends-on'] ? { dependsOn: values['depends-on'] } : {}),
    ...(values['separate-process'] ? { separateProcess: true } : {}),
  };
  print(await ctl.taskCreateExpr(rest.join(' '), options));
  return 0;
};

const oneTask = (c: CliContext, name: string): string => {
  if (c.rest.length !== 1) throw new UsageError(`task ${name}: one task ID is needed`);
  return c.rest[0]!;
};

const info: CliCommand = async (c) => {
  c.print(await c.ctl.taskInfo(oneTask(c, 'info')));
  return 0;
};

const log: CliCommand = async (c) => {
  const text = await c.ctl.taskLog(oneTask(c, 'log'));
  c.print(text, () => text.replace(/\n$/, ''));
  return 0;
};

const cancel: CliCommand = async (c) => {
  const ids = taskIds(c, 'cancel');
  const done = await c.ctl.taskCancel(ids);
  c.print(Object.fromEntries(ids.map((id, i) => [id, done[i]])), () => formatTable(ids.map((id, i) => [id, done[i] ? 'cancelled' : 'already finished'])));
  return 0;
};

const retry: CliCommand = async (c) => {
  const ids = taskIds(c, 'retry');
  const fresh = await c.ctl.taskRetry(ids);
  c.print(Object.fromEntries(ids.map((id, i) => [id, fresh[i]])), () => formatTable(ids.map((id, i) => [id, `retried as ${fresh[i]}`])));
  return 0;
};

const remove: CliCommand = async (c) => {
  const n = await c.ctl.taskDelete(taskIds(c, 'delete'));
  c.print(n, () => `Deleted ${n} task(s).`);
  return 0;
};

const overview: CliCommand = async ({ ctl, print }) => {
  const counts = await ctl.taskOverview();
  print(counts, () => formatTable(Object.entries(counts).map(([k, v]) => [k, String(v)])));
  return 0;
};

const list: CliCommand = async ({ ctl, print }) => {
  const ids = await ctl.taskList();
  print(ids, () => ids.join('\n'));
  return 0;
};

const queueList: CliCommand = async ({ ctl, print }) => {
  const names = await ctl.queueList();
  const lengths = await Promise.all(names.map((q) => ctl.queueLength(q)));
  print(Object.fromEntries(names.map((q, i) => [q, lengths[i]])), () => formatTable(names.map((q, i) => [q, `${lengths[i]} pending`])));
  return 0;
};

const status: CliCommand = async (c) => {
  const ids = taskIds(c, 'status');
  const statuses = await c.ctl.taskStatus(ids);
  c.print(Object.fromEntries(ids.map((id, i) => [id, statuses[i]])), () => formatTable(ids.map((id, i) => [id, statuses[i]!])));
  return 0;
};

const wait: CliCommand = async (c) => {
  const ok = await c.ctl.taskWait(taskIds(c, 'wait'), c.timeout !== undefined ? { timeout: c.timeout } : {});
  c.print(ok);
  return ok ? 0 : 1;
};

const result: CliCommand = async (c) => {
  const ids = taskIds(c, 'result');
  const results = await c.ctl.taskResults(ids);
  c.print(ids.length === 1 ? results[0] : results);
  return 0;
};

export const TASK_COMMANDS: Record<string, CliCommand> = {
  'task create-expr': createExpr,
  'task status': status,
  'task info': info,
  'task log': log,
  'task wait': wait,
  'task result': result,
  'task cancel': cancel,
  'task retry': retry,
  'task delete': remove,
  'task overview': overview,
  'task list': list,
  'queue list': queueList,
};
