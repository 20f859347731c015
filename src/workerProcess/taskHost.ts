// The task host: where tasks run, off the worker's main thread (a worker thread, or a process of
// its own for a task that asks for one), so that a task can be stopped (cancelled, timed out)
// and the worker goes on. It builds the task environment, runs one task at a time, and sends
// back the result, the progress values the task reports with progress(value), and what it
// prints (console and stdout/stderr writes). EVAL messages run here too, in its global scope,
// which the task environment sits in front of: what an EVAL defines, tasks see.
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { decodeValue, encodeValue } from '../core/encoding';
import type { TaskRunFields } from '../core/tasks';
import { evaluateGlobal, TaskEnvironment } from './evaluate';
import type { FromHost, ToHost } from './taskHostProtocol';

export interface HostChannel {
  post(message: FromHost): void;
  onMessage(listener: (message: ToHost) => void): void;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(`Task threw a non-Error value: ${String(err)}`);
}

export async function runTaskHost(channel: HostChannel, envir: string | null, modulePath: string): Promise<void> {
  let current: string | null = null;
  const print = (text: string) => {
    if (current !== null) channel.post({ type: 'output', id: current, text });
  };
  // Everything a task prints goes to its log, in order with its result.
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      print(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  globalThis.console = new Console({ stdout: sink, stderr: sink });
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = ((chunk: string | Uint8Array) => {
      print(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write;
  }

  const env = new TaskEnvironment(envir, modulePath, {
    /** Report progress from inside a task: taskProgress(id) and taskWait's onProgress see it. */
    progress: (value: unknown) => {
      if (current !== null) channel.post({ type: 'progress', id: current, value: encodeValue(value) });
    },
  });
  const build = async (path: string | null): Promise<string | undefined> => {
    try {
      await env.build(path);
      return undefined;
    } catch (err) {
      return `The task environment could not be built: ${asError(err).message}`;
    }
  };
  let envError = await build(envir);

  const run = async (id: string, task: TaskRunFields) => {
    current = id;
    let status: 'COMPLETE' | 'ERROR' = 'COMPLETE';
    let value: unknown;
    try {
      if (envError) throw new Error(envError);
      const args = task.args === undefined ? undefined : decodeValue(task.args);
      value = task.kind === 'call'
        ? await env.call(task, (args ?? []) as unknown[])
        : await env.evaluate(task.source ?? '', args as Record<string, unknown> | undefined);
    } catch (err) {
      status = 'ERROR';
      value = asError(err);
    }
    let result: string;
    try {
      result = encodeValue(value);
    } catch (err) {
      status = 'ERROR';
      result = encodeValue(new Error(`Task result cannot be encoded: ${(err as Error).message}`));
    }
    current = null;
    channel.post({ type: 'done', id, status, result });
  };

  const evaluate = async (id: string, source: string) => {
    current = id;
    let value: unknown;
    try {
      value = await evaluateGlobal(source);
    } catch (err) {
      value = asError(err);
    }
    let encoded: string;
    try {
      encoded = encodeValue(value);
    } catch (err) {
      encoded = encodeValue(new Error(`Response to EVAL cannot be encoded: ${(err as Error).message}`));
    }
    current = null;
    channel.post({ type: 'evaluated', id, value: encoded });
  };

  channel.onMessage((message) => {
    if (message.type === 'run') void run(message.id, message.task);
    else if (message.type === 'eval') void evaluate(message.id, message.source);
    else if (message.type === 'refresh') {
      void build(message.envir).then((error) => {
        envError = error;
        channel.post({ type: 'refreshed', builtAt: env.builtAt, ...(error ? { error } : {}) });
      });
    }
  });
  channel.post({ type: 'ready', builtAt: env.builtAt, ...(envError ? { error: envError } : {}) });
}
