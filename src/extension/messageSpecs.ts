// What each message command looks like to a user: what it does, what argument it takes, and
// how that argument is asked for, checked and parsed. Keyed by the message-command type, so a
// new message (CONTRIBUTING.md) cannot be forgotten here. Pure: no `vscode`.
import { isMessageCommand, MESSAGE_ARGUMENTS, MESSAGE_COMMANDS, type MessageArgumentKind, type MessageCommand } from '../core/protocol';

export interface CommandSpec {
  command: MessageCommand;
  description: string;
  /** The protocol's MESSAGE_ARGUMENTS entry. */
  argument: MessageArgumentKind;
  prompt?: string;
  placeholder?: string;
}

const MESSAGE_SPECS: { readonly [C in MessageCommand]: Omit<CommandSpec, 'command' | 'argument'> } = {
  PING: { description: 'Check that workers answer (PONG)' },
  ECHO: { description: 'Print a text in the worker log', prompt: 'Text the workers print', placeholder: 'hello' },
  EVAL: { description: 'Evaluate JavaScript in the workers\' global scope', prompt: 'JavaScript to evaluate on the workers', placeholder: '1 + 1' },
  INFO: { description: 'Refresh and return the workers\' info records' },
  PAUSE: { description: 'Stop taking tasks (messages are still answered)' },
  RESUME: { description: 'Take tasks again after PAUSE' },
  REFRESH: { description: 'Rebuild the task environment' },
  TIMEOUT_SET: {
    description: 'Set the idle timeout (seconds without work before exiting)',
    prompt: 'Idle timeout in seconds: a non-negative number, "Inf" for never, or empty to clear', placeholder: '600',
  },
  TIMEOUT_GET: { description: 'Get the idle timeout and the time left' },
  STOP: { description: 'Stop after the current task', prompt: 'Reason (optional, shown in the log)', placeholder: 'BYE' },
};

/** Every message command's spec, in the protocol's order. */
export const COMMAND_SPECS: readonly CommandSpec[] = MESSAGE_COMMANDS.map((command) => ({ command, argument: MESSAGE_ARGUMENTS[command], ...MESSAGE_SPECS[command] }));

export function commandSpec(command: string): CommandSpec {
  const name = command.toUpperCase();
  if (!isMessageCommand(name)) throw new Error(`Unknown message command "${command}": expected one of ${MESSAGE_COMMANDS.join(', ')}.`);
  return { command: name, argument: MESSAGE_ARGUMENTS[name], ...MESSAGE_SPECS[name] };
}

/** TIMEOUT_SET text: a non-negative number, "Inf"/"Infinity" (never), or empty (clear: null). */
export function validateTimeout(text: string): string | null {
  const t = text.trim();
  if (t === '' || /^(inf|infinity)$/i.test(t)) return null;
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t) || !Number.isFinite(Number(t))) {
    return `"${t}" is not a timeout: enter a non-negative number of seconds, "Inf" for never, or leave it empty.`;
  }
  return null;
}

export function parseTimeout(text: string): number | null {
  const problem = validateTimeout(text);
  if (problem) throw new Error(problem);
  const t = text.trim();
  if (t === '') return null;
  if (/^(inf|infinity)$/i.test(t)) return Infinity;
  return Number(t);
}

export function validateArgumentText(spec: CommandSpec, text: string): string | null {
  switch (spec.argument) {
    case 'seconds':
      return validateTimeout(text);
    case 'text':
      return text.trim() === '' ? `${spec.command} needs ${spec.command === 'EVAL' ? 'an expression' : 'a text'}.` : null;
    default:
      return null;
  }
}

/** Argument text typed by the user → the value sent. Throws with a message for the user. */
export function parseArgumentText(spec: CommandSpec, text: string): unknown {
  const problem = validateArgumentText(spec, text);
  if (problem) throw new Error(problem);
  switch (spec.argument) {
    case 'seconds':
      return parseTimeout(text);
    case 'text':
      return text;
    case 'optionalText':
      return text.trim() === '' ? undefined : text;
    default:
      return undefined;
  }
}

/** Argument given by automation (a command's arguments): text is parsed as if typed, values are checked. */
export function normaliseArgument(spec: CommandSpec, value: unknown): unknown {
  if (typeof value === 'string') return parseArgumentText(spec, value);
  switch (spec.argument) {
    case 'none':
      return undefined;
    case 'seconds':
      if (value === null || value === undefined) return null;
      if (typeof value === 'number' && value >= 0) return value;
      throw new Error(`TIMEOUT_SET needs a non-negative number of seconds, Infinity or nothing, not ${String(value)}.`);
    case 'text':
      throw new Error(`${spec.command} needs ${spec.command === 'EVAL' ? 'an expression' : 'a text'}.`);
    default:
      return value ?? undefined;
  }
}
