import { describe, expect, it } from 'vitest';
import { jsonEqual, validateJsonSchema, type JsonSchema } from '../../src/lib/llm/json-schema.js';

const weather: JsonSchema = {
  type: 'object',
  properties: {
    city: { type: 'string', minLength: 1 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    exact: { type: ['number', 'null'] },
  },
  required: ['city'],
  additionalProperties: false,
};

const messages = (value: unknown, schema: JsonSchema = weather) =>
  validateJsonSchema(value, schema, 'arguments').map((i) => `${i.path}: ${i.message}`);

describe('validateJsonSchema', () => {
  it('accepts a value that matches', () => {
    expect(messages({ city: 'Paris', unit: 'celsius', days: 3, tags: ['a'], exact: null })).toEqual(
      [],
    );
    expect(messages({ city: 'Paris', exact: 2.5 })).toEqual([]);
  });

  it('reports each kind of violation with a path', () => {
    expect(messages({})).toEqual(['arguments: is missing the required property "city"']);
    expect(messages({ city: 42 })).toEqual([
      'arguments.city: expected a string, got the number 42',
    ]);
    expect(messages({ city: 'P', unit: 'kelvin' })).toEqual([
      'arguments.unit: must be one of "celsius", "fahrenheit", got "kelvin"',
    ]);
    expect(messages({ city: 'P', days: 2.5 })).toEqual([
      'arguments.days: expected an integer, got number 2.5',
    ]);
    expect(messages({ city: 'P', days: 0 })).toEqual(['arguments.days: must be at least 1, got 0']);
    expect(messages({ city: 'P', days: 8 })).toEqual(['arguments.days: must be at most 7, got 8']);
    expect(messages({ city: 'P', tags: ['a', 2] })).toEqual([
      'arguments.tags[1]: expected a string, got the number 2',
    ]);
    expect(messages({ city: 'P', tags: ['a', 'b', 'c'] })).toEqual([
      'arguments.tags: must have at most 2 items',
    ]);
    expect(messages({ city: 'P', country: 'FR' })[0]).toMatch(
      /^arguments: has an unexpected property "country" \(allowed: city, unit, days/,
    );
    expect(messages({ city: '' })).toEqual(['arguments.city: must have at least 1 characters']);
    expect(messages('Paris')).toEqual(['arguments: expected an object, got string "Paris"']);
    expect(messages([1])).toEqual(['arguments: expected an object, got an array']);
    expect(messages(null)).toEqual(['arguments: expected an object, got null']);
  });

  it('handles the remaining keywords', () => {
    expect(messages(3, { const: 3 })).toEqual([]);
    expect(messages(4, { const: 3 })).toHaveLength(1);
    expect(messages(true, { type: 'boolean' })).toEqual([]);
    expect(messages(null, { type: 'null' })).toEqual([]);
    expect(messages(5, { exclusiveMinimum: 5 })).toHaveLength(1);
    expect(messages(5, { exclusiveMaximum: 5 })).toHaveLength(1);
    expect(messages('x', { anyOf: [{ type: 'number' }, { type: 'string' }] })).toEqual([]);
    expect(messages(true, { anyOf: [{ type: 'number' }, { type: 'string' }] })).toHaveLength(1);
    expect(messages({ a: 1, b: 'x' }, { additionalProperties: { type: 'number' } })).toEqual([
      'arguments.b: expected a number, got string "x"',
    ]);
    expect(messages('anything', true)).toEqual([]);
    expect(messages('anything', false)).toHaveLength(1);
    // Unknown keywords and type names are ignored, not rejected.
    expect(messages('x', { type: 'string', format: 'email' })).toEqual([]);
    expect(messages('ab', { type: 'string', pattern: '^[a-z]+$' })).toEqual([]);
    expect(messages('a1', { type: 'string', pattern: '^[a-z]+$' })).toEqual([
      'arguments: must match the pattern ^[a-z]+$',
    ]);
    // A pattern the engine cannot compile is skipped, not held against the value.
    expect(messages('x', { type: 'string', pattern: '(' })).toEqual([]);
    expect(messages(1, { type: 'uuid' as never })).toEqual([]);
    // Code points, not UTF-16 units.
    expect(messages('😀', { type: 'string', maxLength: 1 })).toEqual([]);
  });

  it('checks unions, allOf and not the way the interrupt forms do', () => {
    const action: JsonSchema = {
      oneOf: [
        { type: 'object', properties: { type: { const: 'accept' } }, required: ['type'] },
        {
          type: 'object',
          properties: { type: { const: 'edit' }, args: { type: 'object' } },
          required: ['type', 'args'],
        },
      ],
    };
    expect(messages({ type: 'accept' }, action)).toEqual([]);
    expect(messages({ type: 'edit' }, action)).toEqual([
      'arguments: is missing the required property "args"',
    ]);
    expect(messages({ type: 'reject' }, action)).toEqual([
      'arguments: "type" must be one of "accept", "edit"',
    ]);
    expect(messages('b', { oneOf: [{ const: 'a' }, { const: 'c' }] })).toEqual([
      'arguments: must be one of "a", "c", got "b"',
    ]);
    expect(messages(3, { oneOf: [{ type: 'number' }, { type: 'integer' }] })).toEqual([
      'arguments: matches more than one of the allowed shapes (exactly one is allowed)',
    ]);
    expect(messages(3, { allOf: [{ minimum: 1 }, { maximum: 2 }] })).toEqual([
      'arguments: must be at most 2, got 3',
    ]);
    expect(messages(1, { not: {} })).toEqual(['arguments: no value is allowed here']);
  });

  it('never throws on odd schemas', () => {
    const odd = [
      null,
      1,
      'x',
      [],
      { properties: 3 },
      { required: 'x' },
      { enum: 'a' },
    ] as unknown[];
    for (const schema of odd) {
      expect(() => validateJsonSchema({ a: 1 }, schema as JsonSchema)).not.toThrow();
    }
  });
});

describe('jsonEqual', () => {
  it('compares structurally, ignoring key order', () => {
    expect(jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
