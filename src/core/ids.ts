import { randomBytes } from 'node:crypto';
import { adjectives, animals } from 'unique-names-generator';

function pick<T>(list: readonly T[]): T {
  return list[randomBytes(4).readUInt32BE(0) % list.length]!;
}

/** rrq's worker name prefix, `<adjective>_<animal>`, e.g. `nonspheric_siberiantiger`. */
export function workerNamePrefix(): string {
  const clean = (w: string) => w.toLowerCase().replace(/[^a-z]/g, '');
  return `${clean(pick(adjectives))}_${clean(pick(animals))}`;
}

/** Worker ids `<prefix>_<k>` for k = 1..n. */
export function workerIds(n: number, prefix = workerNamePrefix()): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}_${i + 1}`);
}

/** 32 hex digits, as rrq's task ids. */
export function newTaskId(): string {
  return randomBytes(16).toString('hex');
}

/** A random queue id like rrq's vignette: `rrq:<8 hex digits>`. */
export function newQueueId(): string {
  return `rrq:${randomBytes(4).toString('hex')}`;
}

/** Message id format: `<seconds>.<microseconds, 6 digits>`; ids sort as strings and as numbers. */
export function formatMessageId(seconds: number, microseconds: number): string {
  return `${seconds}.${String(microseconds).padStart(6, '0')}`;
}

export const MESSAGE_ID_PATTERN = /^\d+\.\d{6}$/;
