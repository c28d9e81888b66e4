import { afterEach, describe, expect, it } from 'vitest';
import {
  MemorySaver,
  SerdeError,
  deepCopy,
  dumps,
  emptyCheckpoint,
  fromJSONSafe,
  loads,
  toJSONSafe,
  validateThreadExport,
  CheckpointImportError,
} from '../../src/lib/checkpoint';
import { runSaverConformance } from '../../src/lib/checkpoint/conformance';

runSaverConformance('MemorySaver', async () => new MemorySaver(), {
  describe,
  it,
  expect,
  afterEach,
});

describe('MemorySaver storage', () => {
  it('stores only changed channels and returns copies that callers may mutate', async () => {
    const saver = new MemorySaver();
    const big = Array.from({ length: 50 }, (_, i) => ({ id: i }));
    const first = {
      ...emptyCheckpoint(),
      channel_values: { big, n: 0 },
      channel_versions: { big: 1, n: 1 },
    };
    const config = await saver.put(
      { configurable: { thread_id: 't' } },
      first,
      { source: 'input', step: -1, parents: {} },
      { big: 1, n: 1 },
    );
    const second = {
      ...emptyCheckpoint(),
      channel_values: { big, n: 1 },
      channel_versions: { big: 1, n: 2 },
    };
    await saver.put(config, second, { source: 'loop', step: 0, parents: {} }, { n: 2 });
    const [newer, older] = [
      await saver.getTuple({ configurable: { thread_id: 't' } }),
      await saver.getTuple(config),
    ];
    // The unchanged channel is reassembled from the version stored by the first put.
    expect(newer?.checkpoint.channel_values.big).toEqual(big);
    expect(newer?.checkpoint.channel_values.big).not.toBe(big);
    expect(newer?.checkpoint.channel_values.n).toBe(1);
    // Tuples are copies: mutating one in place (as a careless node might) rewrites nothing.
    (newer?.checkpoint.channel_values.big as Array<{ id: number }>).push({ id: 999 });
    const again = await saver.getTuple(config);
    expect(again?.checkpoint.channel_values.big).toHaveLength(50);
    expect(older?.checkpoint.channel_values.big).toHaveLength(50);
  });

  it('requires a version for every channel value', async () => {
    const saver = new MemorySaver();
    const checkpoint = { ...emptyCheckpoint(), channel_values: { x: 1 } };
    await expect(
      saver.put(
        { configurable: { thread_id: 't' } },
        checkpoint,
        { source: 'input', step: -1, parents: {} },
        {},
      ),
    ).rejects.toThrow(/no channel_versions entry/);
  });
});

describe('serde', () => {
  const roundTrip = (value: unknown): unknown => loads(dumps(value));

  it('round-trips what JSON cannot carry', () => {
    const value = {
      date: new Date('2024-05-06T07:08:09.123Z'),
      invalidDate: new Date(NaN),
      map: new Map<unknown, unknown>([
        [{ objectKey: 1 }, 'a'],
        [2, new Set([1, 'two', new Date(0)])],
      ]),
      set: new Set([1, 2]),
      bytes: new Uint8Array([0, 1, 254, 255]),
      clamped: new Uint8ClampedArray([3]),
      int16: new Int16Array([-2, 300]),
      uint16: new Uint16Array([65535]),
      int32: new Int32Array([-1]),
      uint32: new Uint32Array([4294967295]),
      float32: new Float32Array([1.5, NaN, -Infinity]),
      float64: new Float64Array([Math.PI]),
      bigints: new BigInt64Array([-5n]),
      ubigints: new BigUint64Array([2n ** 64n - 1n]),
      buffer: new Uint8Array([9, 8, 7]).buffer,
      view: new DataView(new Uint8Array([1, 2]).buffer),
      big: -(2n ** 70n),
      numbers: [NaN, Infinity, -Infinity, -0, 0, 1.25],
      undefinedInside: [undefined, { a: undefined }],
      nested: [[[{ deep: ['x'] }]]],
      nullProto: Object.assign(Object.create(null) as object, { a: 1 }),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect(back.date).toBeInstanceOf(Date);
    expect(Number.isNaN(back.invalidDate.getTime())).toBe(true);
    expect(back.map).toBeInstanceOf(Map);
    expect([...back.map.keys()][0]).toEqual({ objectKey: 1 });
    expect(back.float32).toBeInstanceOf(Float32Array);
    expect(back.bigints).toBeInstanceOf(BigInt64Array);
    expect(back.buffer).toBeInstanceOf(ArrayBuffer);
    expect(back.view).toBeInstanceOf(DataView);
    expect(Object.is(back.numbers[3], -0)).toBe(true);
    expect(Object.hasOwn(back.undefinedInside[1] as object, 'a')).toBe(true);
    expect(JSON.parse(dumps(value))).toEqual(toJSONSafe(value));
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip('plain')).toBe('plain');
  });

  it('writes readable tags', () => {
    expect(toJSONSafe({ at: new Date(0), n: 1n, s: 'x' })).toEqual({
      at: { __ap: 'Date', v: '1970-01-01T00:00:00.000Z' },
      n: { __ap: 'BigInt', v: '1' },
      s: 'x',
    });
    expect(toJSONSafe(new Uint8Array([1, 2, 3]))).toEqual({ __ap: 'Uint8Array', v: 'AQID' });
  });

  it('encodes only the viewed part of a typed array', () => {
    const whole = new Int16Array([1, 2, 3, 4]);
    const back = roundTrip(whole.subarray(1, 3)) as Int16Array;
    expect(back).toEqual(new Int16Array([2, 3]));
    expect(back.buffer.byteLength).toBe(4);
  });

  it('escapes user objects that own the tag key', () => {
    const value = {
      __ap: 'Date',
      v: 'not a date',
      inner: { __ap: { __ap: 'Map', v: 1 } },
      list: [{ __ap: 'undefined' }],
    };
    expect(roundTrip(value)).toEqual(value);
    expect(toJSONSafe({ __ap: 'x' })).toEqual({ __ap: 'Object', v: { __ap: 'x' } });
  });

  it('rejects unknown tags by name and never runs code', () => {
    const attempt = () =>
      fromJSONSafe({ data: [{ __ap: 'Function', v: 'globalThis.hacked = 1' }] });
    expect(attempt).toThrow(SerdeError);
    expect(attempt).toThrow('unknown tag "Function" (at .data[0])');
    expect((globalThis as { hacked?: unknown }).hacked).toBeUndefined();
    expect(() => loads('{"__ap":"RegExp","v":"a"}')).toThrow(/unknown tag "RegExp"/);
    expect(() => loads('{"__ap":"MyClass","v":{}}')).toThrow(/unknown tag "MyClass"/);
  });

  it('rejects malformed tags', () => {
    expect(() => fromJSONSafe({ __ap: 'Date', v: 'yesterday' })).toThrow(/malformed "Date" tag/);
    expect(() => fromJSONSafe({ __ap: 'Date', v: 1, extra: true })).toThrow(
      /unexpected key "extra"/,
    );
    expect(() => fromJSONSafe({ __ap: 'BigInt', v: '1e5' })).toThrow(/malformed "BigInt"/);
    expect(() => fromJSONSafe({ __ap: 'Number', v: 'Infinity!' })).toThrow(/malformed "Number"/);
    expect(() => fromJSONSafe({ __ap: 'Map', v: [[1]] })).toThrow(
      /entry 0 must be a \[key, value\] pair/,
    );
    expect(() => fromJSONSafe({ __ap: 'Float64Array', v: 'AQID' })).toThrow(
      /multiple of the element size/,
    );
    expect(() => fromJSONSafe({ __ap: 'Uint8Array', v: '***' })).toThrow(/base64/);
    expect(() => fromJSONSafe({ __ap: 7 })).toThrow(/must be a string/);
    expect(() => fromJSONSafe({ __ap: 'undefined', v: 1 })).toThrow(/no payload/);
    expect(() => loads('{"a": [1, 2')).toThrow(/not valid JSON \(truncated\?\)/);
    expect(() => fromJSONSafe({ a: () => 1 })).toThrow(/not JSON data/);
  });

  it('refuses functions, symbols, class instances and cycles, naming where they are', () => {
    expect(() => toJSONSafe({ messages: [{ run() {} }] })).toThrow('cannot store a function (run)');
    expect(() => toJSONSafe({ messages: [{ run() {} }] })).toThrow('(at .messages[0].run)');
    expect(() => toJSONSafe({ s: Symbol('x') })).toThrow(/cannot store a symbol/);
    class Point {
      constructor(public x = 1) {}
    }
    expect(() => toJSONSafe({ 'odd key': new Point() })).toThrow(
      /cannot store an instance of Point.*\(at \["odd key"\]\)/,
    );
    expect(() => toJSONSafe({ error: new Error('boom') })).toThrow(/\{ name, message \}/);
    expect(() => toJSONSafe(new Map([['k', /re/]]))).toThrow(/RegExp.*<Map entry 0 value>/);
    const cycle: Record<string, unknown> = { a: {} };
    (cycle.a as Record<string, unknown>).back = cycle;
    expect(() => toJSONSafe(cycle)).toThrow(/circular reference.*\.a\.back/);
    // The same object twice is not a cycle.
    const shared = { x: 1 };
    expect(roundTrip([shared, shared])).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('keeps "__proto__" keys as data, never as a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    for (const copy of [fromJSONSafe(parsed), roundTrip(parsed), deepCopy(parsed)] as object[]) {
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(Object.hasOwn(copy, '__proto__')).toBe(true);
      expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('deepCopy', () => {
  it('copies plain data deeply', () => {
    const source = {
      list: [{ id: 1, at: new Date(5) }],
      map: new Map([['k', { v: [1] }]]),
      set: new Set([{ s: 1 }]),
      bytes: new Float64Array([1, 2]).subarray(1),
      buffer: new ArrayBuffer(4),
      view: new DataView(new ArrayBuffer(2)),
      big: 3n,
      missing: undefined,
    };
    const copy = deepCopy(source);
    expect(copy).toEqual(source);
    expect(copy.list[0]).not.toBe(source.list[0]);
    expect(copy.list[0].at).not.toBe(source.list[0].at);
    expect(copy.map.get('k')).not.toBe(source.map.get('k'));
    expect(copy.bytes).toEqual(new Float64Array([2]));
    expect(copy.bytes.buffer).not.toBe(source.bytes.buffer);
    expect(copy.buffer).not.toBe(source.buffer);
    source.list[0].id = 9;
    source.map.get('k')!.v.push(2);
    expect(copy.list[0].id).toBe(1);
    expect(copy.map.get('k')!.v).toEqual([1]);
  });

  it('rejects what serde rejects, with the same located message', () => {
    class Thing {}
    expect(() => deepCopy({ a: [new Thing()] })).toThrow(/instance of Thing.*\(at \.a\[0\]\)/);
    expect(() => deepCopy({ f: () => 1 })).toThrow(SerdeError);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(() => deepCopy(cycle)).toThrow(/circular reference/);
  });

  it('is faster than structuredClone on a 200-message conversation', () => {
    const messages = Array.from({ length: 200 }, (_, i) => ({
      id: `msg-${i}`,
      role: i % 2 ? 'assistant' : 'user',
      content: `${'x'.repeat(150)} message ${i}`,
    }));
    const time = (copy: () => unknown): number => {
      for (let i = 0; i < 200; i++) copy();
      const start = performance.now();
      for (let i = 0; i < 1000; i++) copy();
      return performance.now() - start;
    };
    const ours = time(() => deepCopy(messages));
    const builtin = time(() => structuredClone(messages));
    expect(ours).toBeLessThan(builtin);
  });
});

describe('validateThreadExport', () => {
  it('names the expected format for foreign data', () => {
    expect(() => validateThreadExport(42)).toThrow(CheckpointImportError);
    expect(() => validateThreadExport({ format: 'langgraph' })).toThrow(
      'Not a thread file: expected an Agent Playground thread export (format "agent-playground/thread"), found format "langgraph".',
    );
  });
});
