// The `rrq` command line: the controller API, one sub-command per function.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Controller } from '../core/controller';
import { MESSAGE_COMMANDS, type WorkerConfig } from '../core/protocol';
import { VERSION } from '../core/version';
import { workerMain } from '../workerProcess/main';
import { runDemo } from './demo';
import { formatHuman, formatJson, formatTable } from './format';

const USAGE = `rrq ${VERSION}: Redis task queue with controller-to-worker messages

Usage: rrq [--redis URL] [--queue-id ID] [--json] <command> [arguments]

  demo                                   replay rrq's messages vignette on real workers
  worker spawn [N] [--logdir DIR] [--timeout S] [--config NAME]
  worker run [--worker-id ID] [--config NAME]   run a worker in this process
  worker list | status [ID...] | info [ID...] | log [ID...] [-n N | --all]
  worker stop [ID...] [--kill] [--timeout S]
  worker delete-exited [ID...]
  worker config save NAME [--queue Q,...] [--poll-timeout S] [--timeout-idle S] [--envir FILE]
  worker config list | show NAME
  message send CMD [ARG...] [--worker ID]...       prints the message id
  message send-and-wait CMD [ARG...] [--worker ID]... [--timeout S] [--keep]
  message response ID [--worker ID]... [--delete] [--timeout S]
  message has-response ID [--worker ID]...
  message response-ids WORKER
  task create-expr EXPR [--queue Q]
  task status ID... | wait ID... [--timeout S] | result ID...

Commands: ${MESSAGE_COMMANDS.join(', ')}. ECHO, EVAL and STOP take text; TIMEOUT_SET takes
seconds (a number, or Inf for none).

Options:
  --redis URL      redis[s]://[user:password@]host[:port][/db]; default RRQ_REDIS_URL, then
                   127.0.0.1:6379, then a private redis-server that rrq starts and reuses
  --queue-id ID    default RRQ_QUEUE_ID, then 'rrq:default'
  --json           machine-readable output`;

export class UsageError extends Error {}

const OPTIONS = {
  redis: { type: 'string' },
  'queue-id': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  logdir: { type: 'string' },
  timeout: { type: 'string' },
  config: { type: 'string' },
  'worker-id': { type: 'string' },
  worker: { type: 'string', multiple: true },
  n: { type: 'string', short: 'n' },
  all: { type: 'boolean' },
  kill: { type: 'boolean' },
  delete: { type: 'boolean' },
  keep: { type: 'boolean' },
  queue: { type: 'string' },
  'poll-timeout': { type: 'string' },
  'timeout-idle': { type: 'string' },
  envir: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function seconds(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (/^(inf|infinity)$/i.test(text)) return Infinity;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n) || n < 0) throw new UsageError(`${what} must be a non-negative number of seconds or Inf, not '${text}'`);
  return n;
}

/** The argument of a message, from the words after its command. */
export function messageArgs(command: string, words: string[]): unknown {
  const cmd = command.toUpperCase();
  if (cmd === 'TIMEOUT_SET') {
    if (words.length !== 1) throw new UsageError('TIMEOUT_SET takes one argument: seconds, or Inf for no timeout');
    return seconds(words[0], 'The TIMEOUT_SET argument');
  }
  if (cmd === 'ECHO' || cmd === 'EVAL' || cmd === 'STOP') {
    if (words.length === 0) {
      if (cmd === 'STOP') return undefined;
      throw new UsageError(`${cmd} needs text: e.g. rrq message send ${cmd} ${cmd === 'EVAL' ? "'1 + 1'" : "'hello world!'"}`);
    }
    return words.join(' ');
  }
  if (words.length > 0) throw new UsageError(`${cmd} takes no argument`);
  return undefined;
}

async function connect(values: Values): Promise<Controller> {
  const options: { redis?: string; queueId: string } = { queueId: values['queue-id'] ?? process.env.RRQ_QUEUE_ID ?? 'rrq:default' };
  if (values.redis) options.redis = values.redis;
  return Controller.connect(options);
}

export async function cliMain(argv: string[], out = (t: string) => process.stdout.write(`${t}\n`)): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.version) {
    out(VERSION);
    return 0;
  }
  const [group, command, ...rest] = positionals;
  if (values.help || !group) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const print = (value: unknown, human?: () => string) => out(values.json ? formatJson(value) : human ? human() : formatHuman(value));
  const timeout = seconds(values.timeout, '--timeout');

  if (group === 'demo') {
    await runDemo(values.redis ? { redis: values.redis } : {});
    return 0;
  }
  if (group === 'worker' && command === 'run') {
    const args = ['--queue-id', values['queue-id'] ?? process.env.RRQ_QUEUE_ID ?? 'rrq:default'];
    if (values.redis) args.push('--redis', values.redis);
    if (values['worker-id']) args.push('--worker-id', values['worker-id']);
    if (values.config) args.push('--config', values.config);
    return workerMain(args);
  }

  const ctl = await connect(values);
  try {
    switch (`${group} ${command ?? ''}`.trim()) {
      case 'worker spawn': {
        const n = rest[0] === undefined ? 1 : Number(rest[0]);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`worker spawn: N must be a positive integer, not '${rest[0]}'`);
        const handle = await ctl.workerSpawn(n, {
          ...(values.logdir ? { logdir: values.logdir } : {}),
          ...(timeout !== undefined ? { timeout } : {}),
          ...(values.config ? { config: values.config } : {}),
        });
        print({ ids: handle.ids, logdir: handle.logdir }, () => `Spawned ${n} worker(s) on queue ${ctl.queueId} (logs in ${handle.logdir}):\n${handle.ids.join('\n')}`);
        return 0;
      }
      case 'worker list': {
        const ids = await ctl.workerList();
        print(ids, () => ids.join('\n'));
        return 0;
      }
      case 'worker status': {
        const status = await ctl.workerStatus(rest.length ? rest : undefined);
        print(status, () => formatTable(Object.entries(status)));
        return 0;
      }
      case 'worker info':
        print(await ctl.workerInfo(rest.length ? rest : undefined));
        return 0;
      case 'worker log': {
        const n = values.all ? Infinity : values.n === undefined ? 10 : Number(values.n);
        if (!(n >= 0)) throw new UsageError(`-n must be a non-negative number, not '${values.n}'`);
        const entries = await ctl.workerLogTail({ ...(rest.length ? { workerIds: rest } : {}), n });
        print(entries, () => entries.map((e) => `${e.workerId}  ${new Date(e.time * 1000).toISOString()}  ${e.command} ${e.message}`).join('\n'));
        return 0;
      }
      case 'worker stop': {
        const stopped = await ctl.workerStop(rest.length ? rest : undefined, {
          type: values.kill ? 'kill' : 'message', ...(timeout !== undefined ? { timeout } : {}),
        });
        print(stopped, () => (stopped.length ? `Stopping: ${stopped.join(', ')}` : 'No active workers.'));
        return 0;
      }
      case 'worker delete-exited': {
        const deleted = await ctl.workerDeleteExited(rest.length ? rest : undefined);
        print(deleted, () => (deleted.length ? `Deleted: ${deleted.join(', ')}` : 'No exited workers.'));
        return 0;
      }
      case 'worker config': {
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
        const config: WorkerConfig = {};
        if (values.queue) config.queue = values.queue.split(',').map((q) => q.trim()).filter(Boolean);
        const poll = seconds(values['poll-timeout'], '--poll-timeout');
        if (poll !== undefined) config.pollTimeout = poll;
        const idle = seconds(values['timeout-idle'], '--timeout-idle');
        if (idle !== undefined) config.timeoutIdle = idle;
        if (values.envir) config.envir = values.envir;
        print(await ctl.workerConfigSave(name, config));
        return 0;
      }
      case 'message send':
      case 'message send-and-wait': {
        const [cmd, ...words] = rest;
        if (!cmd) throw new UsageError(`message ${command}: a command is needed (${MESSAGE_COMMANDS.join(', ')})`);
        const args = messageArgs(cmd, words);
        const workerIds = values.worker;
        if (command === 'send') {
          const id = await ctl.messageSend(cmd, args, workerIds ? { workerIds } : {});
          print(id);
          return 0;
        }
        const responses = await ctl.messageSendAndWait(cmd, args, {
          ...(workerIds ? { workerIds } : {}), ...(timeout !== undefined ? { timeout } : {}), delete: !values.keep,
        });
        print(responses, () => formatTable(Object.entries(responses).map(([w, v]) => [w, formatHuman(v)])));
        return 0;
      }
      case 'message response': {
        const [id] = rest;
        if (!id) throw new UsageError('message response: a message ID is needed');
        const responses = await ctl.messageGetResponse(id, {
          ...(values.worker ? { workerIds: values.worker } : {}), delete: !!values.delete, ...(timeout !== undefined ? { timeout } : {}),
        });
        print(responses, () => formatTable(Object.entries(responses).map(([w, v]) => [w, formatHuman(v)])));
        return 0;
      }
      case 'message has-response': {
        const [id] = rest;
        if (!id) throw new UsageError('message has-response: a message ID is needed');
        const has = await ctl.messageHasResponse(id, values.worker ? { workerIds: values.worker } : {});
        print(has, () => formatTable(Object.entries(has).map(([w, v]) => [w, String(v)])));
        return 0;
      }
      case 'message response-ids': {
        const [worker] = rest;
        if (!worker) throw new UsageError('message response-ids: a WORKER id is needed');
        const ids = await ctl.messageResponseIds(worker);
        print(ids, () => ids.join('\n'));
        return 0;
      }
      case 'task create-expr': {
        const expr = rest.join(' ');
        const id = await ctl.taskCreateExpr(expr, values.queue ? { queue: values.queue } : {});
        print(id);
        return 0;
      }
      case 'task status': {
        if (rest.length === 0) throw new UsageError('task status: task IDs are needed');
        const statuses = await ctl.taskStatus(rest);
        print(Object.fromEntries(rest.map((id, i) => [id, statuses[i]])), () => formatTable(rest.map((id, i) => [id, statuses[i]!])));
        return 0;
      }
      case 'task wait': {
        if (rest.length === 0) throw new UsageError('task wait: task IDs are needed');
        const ok = await ctl.taskWait(rest, timeout !== undefined ? { timeout } : {});
        print(ok);
        return ok ? 0 : 1;
      }
      case 'task result': {
        if (rest.length === 0) throw new UsageError('task result: task IDs are needed');
        const results = await ctl.taskResults(rest);
        print(rest.length === 1 ? results[0] : results);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command '${positionals.join(' ')}'`);
    }
  } finally {
    await ctl.close();
  }
}
