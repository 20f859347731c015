// `rrq task ...`: create tasks, look at them, wait for them, read their results.
import type { CliCommand, CliContext } from './context';
import { formatTable } from './format';
import { UsageError } from './options';

function taskIds(c: CliContext, name: string): string[] {
  if (c.rest.length === 0) throw new UsageError(`task ${name}: task IDs are needed`);
  return c.rest;
}

const createExpr: CliCommand = async ({ ctl, rest, values, print }) => {
  print(await ctl.taskCreateExpr(rest.join(' '), values.queue ? { queue: values.queue } : {}));
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
  'task wait': wait,
  'task result': result,
};
