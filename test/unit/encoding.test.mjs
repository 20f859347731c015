import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeValue, encodeValue } from '../../dist/core.js';

const roundTrip = (v) => decodeValue(encodeValue(v));

test('primitives that JSON loses survive', () => {
  assert.equal(roundTrip(undefined), undefined);
  assert.ok(Number.isNaN(roundTrip(NaN)));
  assert.equal(roundTrip(Infinity), Infinity);
  assert.equal(roundTrip(-Infinity), -Infinity);
  assert.ok(Object.is(roundTrip(-0), -0));
  assert.equal(roundTrip(123n), 123n);
  assert.equal(roundTrip(-(2n ** 100n)), -(2n ** 100n));
  assert.equal(roundTrip('PONG'), 'PONG');
  assert.equal(roundTrip(null), null);
});

test('Date, Map, Set, RegExp, nested objects, repeated and cyclic references', () => {
  const shared = { s: 1 };
  const value = { d: new Date(1e12), m: new Map([[1, 'a'], [{ k: 1 }, new Set([2n])]]), r: /x+/gi, a: [shared, shared], n: { deep: [1, [2, [3]]] } };
  value.self = value;
  const back = roundTrip(value);
  assert.deepEqual(back.d, new Date(1e12));
  assert.ok(back.m instanceof Map);
  assert.equal(back.m.get(1), 'a');
  assert.deepEqual([...back.m.keys()][1], { k: 1 });
  assert.ok([...back.m.values()][1] instanceof Set);
  assert.deepEqual(back.r, /x+/gi);
  assert.equal(back.a[0], back.a[1], 'shared reference kept');
  assert.equal(back.self, back, 'cycle kept');
  assert.deepEqual(back.n, value.n);
});

test('Buffer and typed arrays keep their class and bytes', () => {
  const buf = roundTrip(Buffer.from([0, 1, 255]));
  assert.ok(Buffer.isBuffer(buf));
  assert.deepEqual([...buf], [0, 1, 255]);
  assert.ok(Buffer.isBuffer(roundTrip(Buffer.alloc(0))), 'an empty Buffer stays a Buffer');
  for (const T of [Uint8Array, Int16Array, Uint32Array, Float32Array, Float64Array, BigInt64Array]) {
    const input = T === BigInt64Array ? new T([1n, -2n]) : new T([1, 2, 3]);
    const back = roundTrip(input);
    assert.ok(back instanceof T, T.name);
    assert.deepEqual([...back], [...input]);
  }
});

test('Errors keep class, message, stack, cause and own properties', () => {
  class CustomError extends Error {
    constructor(m) { super(m); this.name = 'CustomError'; this.code = 42; }
  }
  const input = new TypeError('outer', { cause: new CustomError('inner') });
  input.extra = { x: 1 };
  const back = roundTrip(input);
  assert.ok(back instanceof TypeError);
  assert.equal(back.message, 'outer');
  assert.equal(back.stack, input.stack);
  assert.deepEqual(back.extra, { x: 1 });
  assert.ok(back.cause instanceof Error);
  assert.equal(back.cause.name, 'CustomError');
  assert.equal(back.cause.code, 42);
  const agg = roundTrip(new AggregateError([new Error('a')], 'many'));
  assert.equal(agg.errors[0].message, 'a');
});

test('functions and class instances become readable stand-ins instead of failing', () => {
  assert.equal(roundTrip(function named() {}), '[Function named]');
  class P { constructor() { this.x = 1; } }
  const back = roundTrip({ p: new P() });
  assert.deepEqual({ ...back.p }, { x: 1 });
  assert.equal(Object.prototype.toString.call(back.p), '[object P]');
});

test('what cannot be encoded at all is reported clearly', () => {
  assert.throws(() => encodeValue(Symbol('s')), /Value cannot be encoded/);
});

test('the encoding is JSON text', () => {
  assert.doesNotThrow(() => JSON.parse(encodeValue({ a: [1, 'b', new Map()] })));
});
