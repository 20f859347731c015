// The CLI's options, parsed by node:util's parseArgs, and the checks of the values people type.
import type { parseArgs, ParseArgsConfig } from 'node:util';
import { MESSAGE_ARGUMENTS, isMessageCommand, MESSAGE_COMMANDS } from '../core/protocol';

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const OPTIONS = {
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
  'kill-local': { type: 'boolean' },
  'heartbeat-period': { type: 'string' },
  'no-eval': { type: 'boolean' },
  tasks: { type: 'string' },
  wait: { type: 'string' },
  delete: { type: 'boolean' },
  keep: { type: 'boolean' },
  queue: { type: 'string' },
  'poll-timeout': { type: 'string' },
  'timeout-idle': { type: 'string' },
  envir: { type: 'string' },
  'depends-on': { type: 'string', multiple: true },
  'separate-process': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Seconds as typed: a non-negative number, or Inf/Infinity. */
export function seconds(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (/^(inf|infinity)$/i.test(text)) return Infinity;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n) || n < 0) throw new UsageError(`${what} must be a non-negative number of seconds or Inf, not '${text}'`);
  return n;
}

/** The argument of a message, from the words after its command (what MESSAGE_ARGUMENTS says it takes). */
export function messageArgs(command: string, words: string[]): unknown {
  const cmd = command.toUpperCase();
  if (!isMessageCommand(cmd)) {
    // Sent as is: the worker answers an unknown command with an error naming it.
    if (words.length > 0) throw new UsageError(`${cmd} is not one of ${MESSAGE_COMMANDS.join(', ')}: it takes no argument here`);
    return undefined;
  }
  switch (MESSAGE_ARGUMENTS[cmd]) {
    case 'seconds':
      if (words.length !== 1) throw new UsageError(`${cmd} takes one argument: seconds, or Inf for no timeout`);
      return seconds(words[0], `The ${cmd} argument`);
    case 'text':
      if (words.length === 0) {
        throw new UsageError(`${cmd} needs text: e.g. rrq message send ${cmd} ${cmd === 'EVAL' ? "'1 + 1'" : "'hello world!'"}`);
      }
      return words.join(' ');
    case 'optionalText':
      return words.length === 0 ? undefined : words.join(' ');
    case 'none':
      if (words.length > 0) throw new UsageError(`${cmd} takes no argument`);
      return undefined;
  }
}
