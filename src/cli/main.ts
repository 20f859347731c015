// The `rrq` command line: the controller API, one sub-command per function.
//
//   cliMain: parse → --version/--help → demo | worker run (no controller needed) → connect → run the sub-command → close
import { parseArgs } from 'node:util';
import { Controller } from '../core/controller';
import { MESSAGE_COMMANDS } from '../core/protocol';
import { VERSION } from '../core/version';
import { workerMain } from '../workerProcess/main';
import type { CliCommand } from './context';
import { runDemo } from './demo';
import { formatHuman, formatJson } from './format';
import { MESSAGE_CLI_COMMANDS } from './messageCommands';
import { OPTIONS, seconds, UsageError, type Values } from './options';
import { TASK_COMMANDS } from './taskCommands';
import { WORKER_COMMANDS } from './workerCommands';

export { UsageError } from './options';

const USAGE = `rrq ${VERSION}: Redis task queue with controller-to-worker messages

Usage: rrq [--redis URL] [--queue-id ID] [--json] <command> [arguments]

  demo                                   replay rrq's messages vignette on real workers
  worker spawn [N] [--logdir DIR] [--timeout S] [--config NAME]
  worker run [--worker-id ID] [--config NAME] [--wait S]   run a worker in this process
  worker list | status [ID...] | info [ID...] | log [ID...] [-n N | --all]
  worker stop [ID...] [--kill | --kill-local] [--timeout S]
  worker detect-exited | delete-exited [ID...]
  worker config save NAME [--queue Q,...] [--poll-timeout S] [--timeout-idle S] [--envir FILE]
                     [--heartbeat-period S] [--no-eval] [--tasks any|environment]
  worker config list | show NAME
  message send CMD [ARG...] [--worker ID]...       prints the message id
  message send-and-wait CMD [ARG...] [--worker ID]... [--timeout S] [--keep]
  message response ID [--worker ID]... [--delete] [--timeout S]
  message has-response ID [--worker ID]...
  message response-ids WORKER
  task create-expr EXPR [--queue Q] [--timeout S] [--depends-on ID]... [--separate-process]
  task status ID... | info ID | log ID | wait ID... [--timeout S] | result ID...
  task cancel ID... | retry ID... | delete ID... | overview | list
  queue list

Commands: ${MESSAGE_COMMANDS.join(', ')}. ECHO, EVAL and STOP take text; TIMEOUT_SET takes
seconds (a number, or Inf for none).

Options:
  --redis URL      redis[s]://[user:password@]host[:port][/db]; default RRQ_REDIS_URL, then
                   127.0.0.1:6379, then a private redis-server that rrq starts and reuses
  --queue-id ID    default RRQ_QUEUE_ID, then 'rrq:default'
  --json           machine-readable output`;

const COMMANDS: Record<string, CliCommand> = { ...WORKER_COMMANDS, ...MESSAGE_CLI_COMMANDS, ...TASK_COMMANDS };

const queueIdOf = (values: Values) => values['queue-id'] ?? process.env.RRQ_QUEUE_ID ?? 'rrq:default';

async function connect(values: Values): Promise<Controller> {
  return Controller.connect({ queueId: queueIdOf(values), ...(values.redis ? { redis: values.redis } : {}) });
}

/** `rrq worker run`: this process becomes a worker (same options as the worker program). */
function runWorkerHere(values: Values): Promise<number> {
  const args = ['--queue-id', queueIdOf(values)];
  if (values.redis) args.push('--redis', values.redis);
  if (values['worker-id']) args.push('--worker-id', values['worker-id']);
  if (values.config) args.push('--config', values.config);
  if (values.wait) args.push('--wait', values.wait);
  return workerMain(args);
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
  if (group === 'demo') {
    await runDemo(values.redis ? { redis: values.redis } : {});
    return 0;
  }
  if (group === 'worker' && command === 'run') return runWorkerHere(values);

  const name = `${group} ${command ?? ''}`.trim();
  const run = COMMANDS[name];
  if (!run) throw new UsageError(`Unknown command '${positionals.join(' ')}'`);
  const timeout = seconds(values.timeout, '--timeout');
  const ctl = await connect(values);
  try {
    const print = (value: unknown, human?: () => string) => out(values.json ? formatJson(value) : human ? human() : formatHuman(value));
    return await run({ ctl, rest, values, timeout, print });
  } finally {
    await ctl.close();
  }
}
