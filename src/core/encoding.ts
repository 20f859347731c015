// Value encoding for everything user-provided that crosses Redis (message arguments,
// responses, task expressions' data and results). devalue handles undefined, NaN,
// +-Infinity, -0, BigInt, Date, RegExp, Map, Set, typed arrays, null-prototype objects and
// repeated/cyclic references; the reducers below add Buffer, Error (with its class, stack,
// cause and own properties) and a readable stand-in for functions and class instances.
import { parse, stringify } from 'devalue';

const ERROR_CLASSES: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

interface EncodedError {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  props: Record<string, unknown>;
}

const PLAIN_PROTOTYPES = new Set<unknown>([Object.prototype, null, Array.prototype]);

function isClassInstance(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (PLAIN_PROTOTYPES.has(proto)) return false;
  // Everything devalue knows natively (Date, Map, Set, RegExp, URL, typed arrays, boxed primitives ...).
  return !(value instanceof Date || value instanceof Map || value instanceof Set || value instanceof RegExp
    || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Error
    || value instanceof Number || value instanceof String || value instanceof Boolean
    || (typeof URL !== 'undefined' && (value instanceof URL || value instanceof URLSearchParams)));
}

const reducers: Record<string, (value: unknown) => unknown> = {
  Buffer: (v) => Buffer.isBuffer(v) && [v.toString('base64')],
  Error: (v) => {
    if (!(v instanceof Error)) return false;
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (key !== 'cause') props[key] = (v as unknown as Record<string, unknown>)[key];
    }
    const encoded: EncodedError = { name: v.name, message: v.message, props };
    if (v.stack !== undefined) encoded.stack = v.stack;
    if ('cause' in v) encoded.cause = v.cause;
    if (v instanceof AggregateError) props.errors = v.errors;
    return encoded;
  },
  // Functions cannot travel; send what a person would want to see instead of failing.
  Function: (v) => typeof v === 'function' && [v.name || '(anonymous)'],
  // Class instances travel as their own enumerable data, tagged with the class name.
  Instance: (v) => isClassInstance(v) && [v.constructor?.name ?? 'Object', { ...v }],
};

// Each reviver gets what its reducer produced (devalue types it as unknown).
const revivers: Record<string, (value: unknown) => unknown> = {
  Buffer: (value) => Buffer.from((value as [string])[0], 'base64'),
  Error: (value) => {
    const e = value as EncodedError;
    const Class = ERROR_CLASSES[e.name] ?? Error;
    const error = new Class(e.message) as Error & Record<string, unknown>;
    if (e.name !== Class.name) error.name = e.name;
    if (e.stack !== undefined) error.stack = e.stack;
    if ('cause' in e) error.cause = e.cause;
    Object.assign(error, e.props);
    return error;
  },
  Function: (value) => `[Function ${(value as [string])[0]}]`,
  Instance: (value) => {
    const [className, data] = value as [string, Record<string, unknown>];
    Object.defineProperty(data, Symbol.toStringTag, { value: className, enumerable: false });
    return data;
  },
};

/** Encode any supported value as text (devalue format). Throws a clear error for what cannot be encoded. */
export function encodeValue(value: unknown): string {
  try {
    return stringify(value, reducers);
  } catch (err) {
    throw new Error(`Value cannot be encoded: ${(err as Error).message}`, { cause: err });
  }
}

export function decodeValue(text: string): unknown {
  return parse(text, revivers);
}

/** Encoding of `undefined`, used where a record needs "no value". */
export const ENCODED_UNDEFINED = encodeValue(undefined);
