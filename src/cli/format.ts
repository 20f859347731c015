// Printing values for people (util.inspect) and for programs (JSON that keeps what JSON
// cannot say: Infinity, NaN, BigInt, undefined, Map, Set, Date, Error, bytes).
import { inspect } from 'node:util';

export function toJsonValue(value: unknown, seen = new Set<unknown>()): unknown {
  if (value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Error) {
      return { error: value.name, message: value.message, ...toJsonValue({ ...value }, seen) as object };
    }
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v, seen)]));
    if (value instanceof Set) return [...value].map((v) => toJsonValue(v, seen));
    if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    if (Array.isArray(value)) return value.map((v) => toJsonValue(v, seen));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v, seen)]));
  } finally {
    seen.delete(value);
  }
}

export function formatJson(value: unknown): string {
  return JSON.stringify(toJsonValue(value), null, 2);
}

export function formatHuman(value: unknown): string {
  if (typeof value === 'string') return value;
  return inspect(value, { depth: 6, colors: false, breakLength: 100 });
}

/** Two aligned columns. */
export function formatTable(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
