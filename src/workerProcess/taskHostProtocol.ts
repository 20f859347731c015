// What the worker's main thread and its task host (a thread, or a process of its own for a
// task that asks for one) say to each other. Values travel encoded (core/encoding).
import type { TaskRunFields } from '../core/tasks';

export type ToHost =
  | { type: 'run'; id: string; task: TaskRunFields }
  /** An EVAL message: evaluated in the host's global scope, the scope tasks see too. */
  | { type: 'eval'; id: string; source: string }
  | { type: 'refresh'; envir: string | null };

export type FromHost =
  /** The environment is built (or failed to build: tasks will fail, saying why). */
  | { type: 'ready'; builtAt: number; error?: string }
  | { type: 'done'; id: string; status: 'COMPLETE' | 'ERROR'; result: string }
  | { type: 'progress'; id: string; value: string }
  | { type: 'output'; id: string; text: string }
  /** The value of an EVAL (or the error it threw), encoded. */
  | { type: 'evaluated'; id: string; value: string }
  | { type: 'refreshed'; builtAt: number; error?: string };

/** How a task host is told to start (workerData of the thread, or the process's environment). */
export interface TaskHostStart {
  rrqTaskHost: true;
  envir: string | null;
  /** The worker program's file: where the host finds what it loads on demand (esbuild). */
  modulePath: string;
}

export const TASK_PROCESS_FLAG = '--rrq-task-process';
