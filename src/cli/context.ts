// What each CLI sub-command gets: a connected controller, the words after the sub-command, the
// parsed options, and how to print (JSON with --json, else text for people).
import type { Controller } from '../core/controller';
import type { Values } from './options';

export interface CliContext {
  ctl: Controller;
  /** Words after `<group> <command>`. */
  rest: string[];
  values: Values;
  /** --timeout, in seconds. */
  timeout: number | undefined;
  /** Print a value: as JSON with --json, else `human()` or an inspected value. */
  print(value: unknown, human?: () => string): void;
}

/** Resolves with the exit code. */
export type CliCommand = (c: CliContext) => Promise<number>;
