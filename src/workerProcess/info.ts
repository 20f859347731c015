// The worker's info record (rrq's worker_info): who and where it is. Never holds a password.
import { readFileSync } from 'node:fs';
import { hostname, release, type as osType, userInfo } from 'node:os';
import type { WorkerInfo } from '../core/protocol';
import { processStartTime } from '../core/processIdentity';
import { VERSION } from '../core/version';

function operatingSystem(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    if (pretty?.[1]) return pretty[1];
  } catch {
    // Not Linux, or no os-release: fall back to the kernel's name.
  }
  return `${osType()} ${release()}`;
}

function username(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export interface InfoInput {
  workerId: string;
  config: string;
  queueKeys: string[];
  redisHost: string;
  redisPort: number;
  heartbeatKey: string;
  envirBuilt?: number;
}

export function collectWorkerInfo(input: InfoInput): WorkerInfo {
  const info: WorkerInfo = {
    worker: input.workerId,
    config: input.config,
    rrqVersion: VERSION,
    platform: `${process.arch}-${process.platform}`,
    running: operatingSystem(),
    hostname: hostname(),
    username: username(),
    queue: input.queueKeys,
    wd: process.cwd(),
    pid: process.pid,
    redisHost: input.redisHost,
    redisPort: input.redisPort,
    heartbeatKey: input.heartbeatKey,
    node: process.version,
    pidStart: processStartTime(process.pid),
  };
  if (input.envirBuilt !== undefined) info.envir = input.envirBuilt;
  return info;
}

const BANNER = String.raw`
                              __
                ______________ _/ /
  ______ / ___/ ___/ __ '/ /_____
 /_____/ / / / / / /_/ /_/_____/
  ______ /_/ /_/ \__, (_) ______
 /_____/         /_/    /_____/`;

/** Banner and info record as printed at the top of the worker's log file. */
export function formatInfoForLog(info: WorkerInfo): string {
  const rows: [string, unknown][] = [
    ['worker', info.worker], ['config', info.config], ['rrq_version', info.rrqVersion], ['platform', info.platform],
    ['running', info.running], ['hostname', info.hostname], ['username', info.username], ['queue', info.queue.join(', ')],
    ['wd', info.wd], ['pid', info.pid], ['redis_host', info.redisHost], ['redis_port', info.redisPort],
    ['heartbeat_key', info.heartbeatKey ?? '<not set>'], ['node', info.node],
  ];
  return `${BANNER}\n${rows.map(([k, v]) => `${k}: ${String(v)}`).join('\n')}\n`;
}
