// The extension's settings (contributes.configuration in package.json), read in one place.
import * as vscode from 'vscode';

export interface Settings {
  redisUrl: string;
  queueId: string;
  workerCount: number;
  logDirectory: string;
  timeoutIdle: number | null;
  pollTimeout: number;
  workerEnvironmentModule: string;
  nodePath: string;
  stopWorkersOnExit: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('rrq');
  return {
    redisUrl: c.get<string>('redisUrl', '').trim(),
    queueId: c.get<string>('queueId', 'rrq:vscode').trim() || 'rrq:vscode',
    workerCount: c.get<number>('workerCount', 2),
    logDirectory: c.get<string>('logDirectory', '').trim(),
    timeoutIdle: c.get<number | null>('timeoutIdle', null),
    pollTimeout: c.get<number>('pollTimeout', 60),
    workerEnvironmentModule: c.get<string>('workerEnvironmentModule', '').trim(),
    nodePath: c.get<string>('nodePath', '').trim(),
    stopWorkersOnExit: c.get<boolean>('stopWorkersOnExit', true),
  };
}
