import { describe, expect, it } from 'vitest';
import {
  chooseOption,
  chosenOption,
  defaultValue,
  escapePointer,
  findDiscriminator,
  humanize,
  interruptRequestOf,
  linesToText,
  parseJsonText,
  placeErrors,
  readPointer,
  schemaToFields,
  textToLines,
  textToNumber,
  validateAgainstSchema,
  writePointer,
  type FormField,
  type FormSchema,
} from '../../src/lib/ui/interrupts/schema-form';

/** The accept / edit / respond answer a tool-call review interrupt asks for. */
const toolReview: FormSchema = {
  title: 'Decision',
  oneOf: [
    {
      type: 'object',
      title: 'Accept',
      properties: { type: { const: 'accept' } },
      required: ['type'],
    },
    {
      type: 'object',
      title: 'Edit arguments',
      properties: {
        type: { const: 'edit' },
        args: {
          type: 'object',
          title: 'Arguments',
          properties: {
            city: { type: 'string', minLength: 1 },
            days: { type: 'integer', minimum: 1, maximum: 7, default: 3 },
          },
          required: ['city'],
        },
      },
      required: ['type', 'args'],
    },
    {
      type: 'object',
      title: 'Respond instead',
      description: 'Skip the tool and answer the model yourself.',
      properties: { type: { const: 'respond' }, text: { type: 'string', format: 'textarea' } },
      required: ['type', 'text'],
    },
  ],
};

function field(fields: FormField[], path: string): FormField {
  const found = fields.find((f) => f.path === path);
  if (!found) throw new Error(`no field at ${path}: ${fields.map((f) => f.path).join(', ')}`);
  return found;
}

describe('schemaToFields', () => {
  it('gives one field per property, labelled by title or the humanized key', () => {
    const fields = schemaToFields({
      type: 'object',
      properties: {
        name: { type: 'string', title: 'Your name', description: 'As it should appear' },
        max_tokens: { type: 'integer', minimum: 1, maximum: 4096 },
        temperature: { type: 'number' },
        stream: { type: 'boolean' },
      },
      required: ['name'],
    });
    expect(fields.map((f) => [f.path, f.kind, f.label, f.required])).toEqual([
      ['/name', 'text', 'Your name', true],
      ['/max_tokens', 'number', 'Max tokens', false],
      ['/temperature', 'number', 'Temperature', false],
      ['/stream', 'checkbox', 'Stream', false],
    ]);
    expect(fields[0].description).toBe('As it should appear');
    expect(fields[1]).toMatchObject({ integer: true, minimum: 1, maximum: 4096 });
    expect(fields[2]).toMatchObject({ integer: false });
  });

  it('picks a text box, a textarea or an input type from format and maxLength', () => {
    const fields = schemaToFields({
      type: 'object',
      properties: {
        short: { type: 'string', maxLength: 80 },
        long: { type: 'string', maxLength: 2000 },
        notes: { type: 'string', format: 'textarea' },
        email: { type: 'string', format: 'email' },
        site: { type: 'string', format: 'uri' },
        day: { type: 'string', format: 'date' },
      },
    });
    expect(fields.map((f) => (f.kind === 'text' ? f.inputType : f.kind))).toEqual([
      'text',
      'textarea',
      'textarea',
      'email',
      'url',
      'date',
    ]);
    expect(field(fields, '/short')).toMatchObject({ maxLength: 80 });
  });

  it('turns an enum into a radio group, with titles from a oneOf of constants', () => {
    const [decision, units] = schemaToFields({
      type: 'object',
      properties: {
        decision: { type: 'string', enum: ['approve', 'revise'] },
        units: {
          oneOf: [
            { const: 'c', title: 'Celsius' },
            { const: 'f', title: 'Fahrenheit', description: 'US' },
          ],
        },
      },
    });
    expect(decision).toMatchObject({
      kind: 'radio',
      options: [
        { value: 'approve', label: 'Approve' },
        { value: 'revise', label: 'Revise' },
      ],
    });
    expect(units).toMatchObject({
      kind: 'radio',
      options: [
        { value: 'c', label: 'Celsius' },
        { value: 'f', label: 'Fahrenheit', description: 'US' },
      ],
    });
  });

  it('nests object properties in a group and edits string lists one per line', () => {
    const fields = schemaToFields({
      type: 'object',
      properties: {
        plan: {
          type: 'object',
          properties: {
            goal: { type: 'string' },
            steps: { type: 'array', items: { type: 'string' } },
          },
          required: ['goal'],
        },
      },
    });
    const plan = field(fields, '/plan');
    expect(plan.kind).toBe('group');
    if (plan.kind !== 'group') return;
    expect(plan.fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      ['/plan/goal', 'text', true],
      ['/plan/steps', 'lines', false],
    ]);
  });

  it('turns a union tagged by a const property into a choice with each branch’s fields', () => {
    const [choice] = schemaToFields(toolReview);
    expect(choice).toMatchObject({
      kind: 'choice',
      path: '',
      label: 'Decision',
      discriminator: 'type',
    });
    if (choice.kind !== 'choice') return;
    expect(choice.options.map((o) => [o.value, o.label])).toEqual([
      ['accept', 'Accept'],
      ['edit', 'Edit arguments'],
      ['respond', 'Respond instead'],
    ]);
    expect(choice.options[0].fields).toEqual([]); // the tag itself is not a field
    const [args] = choice.options[1].fields;
    expect(args).toMatchObject({
      kind: 'group',
      path: '/args',
      label: 'Arguments',
      required: true,
    });
    expect(choice.options[2].fields.map((f) => [f.path, f.kind])).toEqual([['/text', 'textarea']]);
    expect(choice.options[2].description).toBe('Skip the tool and answer the model yourself.');
  });

  it('finds a choice nested under a property, with paths below it', () => {
    const fields = schemaToFields({ type: 'object', properties: { review: toolReview } });
    const review = field(fields, '/review');
    if (review.kind !== 'choice') throw new Error(review.kind);
    expect(review.options[1].fields[0].path).toBe('/review/args');
  });

  it('falls back to a JSON box for what it cannot draw', () => {
    const fields = schemaToFields({
      type: 'object',
      properties: {
        rows: { type: 'array', items: { type: 'object', properties: { a: { type: 'number' } } } },
        either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        anything: {},
        map: { type: 'object', additionalProperties: { type: 'number' } },
      },
    });
    expect(fields.map((f) => f.kind)).toEqual(['json', 'json', 'json', 'json']);
  });

  it('gives a non-object schema one field for the whole answer', () => {
    expect(
      schemaToFields({ type: 'string', title: 'Edited text', format: 'textarea' }),
    ).toMatchObject([{ path: '', kind: 'textarea', label: 'Edited text', required: true }]);
    expect(schemaToFields(true)).toMatchObject([{ path: '', kind: 'json', label: 'Answer' }]);
  });

  it('reads a type list with null as the other type, marked nullable', () => {
    const [note] = schemaToFields({
      type: 'object',
      properties: { note: { type: ['string', 'null'] } },
      required: ['note'],
    });
    expect(note).toMatchObject({ kind: 'text', nullable: true, required: true });
  });

  it('escapes keys in paths as JSON Pointer says', () => {
    const [odd] = schemaToFields({ type: 'object', properties: { 'a/b~c': { type: 'string' } } });
    expect(odd.path).toBe('/a~1b~0c');
    expect(escapePointer('x/y')).toBe('x~1y');
  });

  it('humanizes keys', () => {
    expect(humanize('tool_call_id')).toBe('Tool call id');
    expect(humanize('maxTokens')).toBe('Max tokens');
    expect(humanize('city')).toBe('City');
  });
});

describe('findDiscriminator', () => {
  it('needs a property every branch pins to a different constant', () => {
    expect(
      findDiscriminator([
        { properties: { kind: { enum: ['a'] }, x: { type: 'string' } } },
        { properties: { kind: { const: 'b' } } },
      ]),
    ).toBe('kind');
    expect(
      findDiscriminator([
        { properties: { kind: { const: 'a' } } },
        { properties: { kind: { const: 'a' } } },
      ]),
    ).toBeNull();
    expect(
      findDiscriminator([{ properties: { kind: { const: 'a' } } }, { properties: {} }]),
    ).toBeNull();
  });
});

describe('defaultValue', () => {
  it('uses defaults, consts and false for booleans, and leaves the rest unset', () => {
    expect(
      defaultValue({
        type: 'object',
        properties: {
          text: { type: 'string', default: 'draft' },
          version: { const: 2 },
          notify: { type: 'boolean' },
          name: { type: 'string' },
          count: { type: 'number' },
          tags: { type: 'array', items: { type: 'string' } },
          needed: { type: 'array', items: { type: 'string' } },
          nested: { type: 'object', properties: { deep: { type: 'integer', default: 1 } } },
          none: { type: 'null' },
        },
        required: ['needed'],
      }),
    ).toEqual({
      text: 'draft',
      version: 2,
      notify: false,
      needed: [],
      nested: { deep: 1 },
      none: null,
    });
  });

  it('returns a copy of a default, not the schema’s own object', () => {
    const schema: FormSchema = { type: 'object', default: { args: { city: 'Paris' } } };
    const value = defaultValue(schema) as { args: { city: string } };
    value.args.city = 'Lyon';
    expect(schema.default).toEqual({ args: { city: 'Paris' } });
  });

  it('leaves a union and an enum unchosen unless a default chooses', () => {
    expect(defaultValue(toolReview)).toBeUndefined();
    expect(defaultValue({ ...toolReview, default: { type: 'accept' } })).toEqual({
      type: 'accept',
    });
    expect(defaultValue({ type: 'object', properties: { d: { enum: ['a', 'b'] } } })).toEqual({});
  });
});

describe('choosing an option', () => {
  const [choice] = schemaToFields(toolReview);
  if (choice.kind !== 'choice') throw new Error('expected a choice');

  it('starts the branch from its defaults with the tag set', () => {
    expect(chooseOption(choice, choice.options[1], undefined)).toEqual({
      type: 'edit',
      args: { days: 3 },
    });
    expect(chooseOption(choice, choice.options[0], { type: 'respond', text: 'hi' })).toEqual({
      type: 'accept',
    });
  });

  it('keeps a shared field that still fits the new branch', () => {
    const schema: FormSchema = {
      oneOf: [
        { properties: { action: { const: 'approve' }, note: { type: 'string' } } },
        { properties: { action: { const: 'revise' }, note: { type: 'string', minLength: 1 } } },
      ],
    };
    const [decision] = schemaToFields(schema);
    if (decision.kind !== 'choice') throw new Error(decision.kind);
    expect(
      chooseOption(decision, decision.options[1], { action: 'approve', note: 'tighten it' }),
    ).toEqual({
      action: 'revise',
      note: 'tighten it',
    });
    expect(chooseOption(decision, decision.options[1], { action: 'approve', note: '' })).toEqual({
      action: 'revise',
    });
  });

  it('recognises the chosen option by its tag', () => {
    expect(chosenOption(choice, { type: 'respond' })?.label).toBe('Respond instead');
    expect(chosenOption(choice, { type: 'other' })).toBeUndefined();
    expect(chosenOption(choice, undefined)).toBeUndefined();
  });
});

describe('validateAgainstSchema', () => {
  const form: FormSchema = {
    type: 'object',
    properties: {
      title: { type: 'string', minLength: 3, maxLength: 10 },
      count: { type: 'integer', minimum: 1, maximum: 5 },
      ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      code: { type: 'string', pattern: '^[A-Z]{3}$' },
      level: { enum: ['low', 'high'] },
      tags: { type: 'array', items: { type: 'string', maxLength: 3 }, minItems: 1, maxItems: 2 },
      agree: { type: 'boolean' },
    },
    required: ['title', 'level'],
  };

  it('accepts a valid answer', () => {
    expect(
      validateAgainstSchema(form, {
        title: 'Plan',
        count: 2,
        ratio: 0.5,
        code: 'ABC',
        level: 'low',
        tags: ['a'],
        agree: true,
      }),
    ).toEqual([]);
  });

  it('reports each problem at the path of its field', () => {
    expect(
      validateAgainstSchema(form, {
        title: 'Hi',
        count: 2.5,
        ratio: 1,
        code: 'abc',
        tags: ['abcd', 'b', 'c'],
        agree: 'yes',
      }),
    ).toEqual([
      { path: '/level', message: 'Choose one of the options' },
      { path: '/title', message: 'Needs at least 3 characters' },
      { path: '/count', message: 'Must be a whole number' },
      { path: '/ratio', message: 'Must be less than 1' },
      { path: '/code', message: 'Must match the pattern ^[A-Z]{3}$' },
      { path: '/tags', message: 'Allows at most 2 items' },
      { path: '/tags/0', message: 'Allows at most 3 characters (now 4)' },
      { path: '/agree', message: 'Must be true or false' },
    ]);
    expect(validateAgainstSchema(form, { title: 'x'.repeat(11), level: 'mid', count: 0 })).toEqual([
      { path: '/title', message: 'Allows at most 10 characters (now 11)' },
      { path: '/count', message: 'Must be at least 1' },
      { path: '/level', message: 'Choose one of: Low, High' },
    ]);
  });

  it('counts an empty required string as missing, and an empty optional one as fine', () => {
    expect(validateAgainstSchema(form, { title: '', level: 'low' })).toEqual([
      { path: '/title', message: 'Required' },
    ]);
    const optional: FormSchema = {
      type: 'object',
      properties: { note: { type: 'string', minLength: 2 } },
    };
    expect(validateAgainstSchema(optional, {})).toEqual([]);
  });

  it('validates the chosen branch of a tagged union, or asks for a choice', () => {
    expect(validateAgainstSchema(toolReview, undefined)).toEqual([
      { path: '', message: 'Choose one of the options' },
    ]);
    expect(validateAgainstSchema(toolReview, { type: 'nope' })).toEqual([
      { path: '', message: 'Choose one of the options' },
    ]);
    expect(validateAgainstSchema(toolReview, { type: 'accept' })).toEqual([]);
    expect(validateAgainstSchema(toolReview, { type: 'edit', args: { days: 9 } })).toEqual([
      { path: '/args/city', message: 'Required' },
      { path: '/args/days', message: 'Must be at most 7' },
    ]);
    expect(validateAgainstSchema(toolReview, { type: 'respond', text: '' })).toEqual([
      { path: '/text', message: 'Required' },
    ]);
    expect(validateAgainstSchema(toolReview, { type: 'respond', text: 'It is sunny.' })).toEqual(
      [],
    );
  });

  it('checks untagged unions: anyOf needs one match, oneOf exactly one', () => {
    const anyOf: FormSchema = { anyOf: [{ type: 'string' }, { type: 'number' }] };
    expect(validateAgainstSchema(anyOf, 3)).toEqual([]);
    expect(validateAgainstSchema(anyOf, true)).toEqual([
      { path: '', message: 'Does not match any of the allowed forms' },
    ]);
    const oneOf: FormSchema = { oneOf: [{ type: 'number' }, { type: 'integer' }] };
    expect(validateAgainstSchema(oneOf, 1.5)).toEqual([]);
    expect(validateAgainstSchema(oneOf, 2)).toEqual([
      { path: '', message: 'Matches more than one of the allowed forms' },
    ]);
  });

  it('rejects unknown fields only when additionalProperties is false', () => {
    const closed: FormSchema = {
      type: 'object',
      properties: { a: {} },
      additionalProperties: false,
    };
    expect(validateAgainstSchema(closed, { a: 1, b: 2 })).toEqual([
      { path: '/b', message: '"b" is not an allowed field' },
    ]);
    expect(validateAgainstSchema({ type: 'object', properties: {} }, { b: 2 })).toEqual([]);
    expect(
      validateAgainstSchema(
        { type: 'object', additionalProperties: { type: 'number' } },
        { b: 'x' },
      ),
    ).toEqual([{ path: '/b', message: 'Must be a number' }]);
  });

  it('handles nullable types, consts, allOf and boolean schemas', () => {
    expect(validateAgainstSchema({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(validateAgainstSchema({ type: 'string' }, null)).toEqual([
      { path: '', message: 'Must be text' },
    ]);
    expect(validateAgainstSchema({ const: 'yes' }, 'no')).toEqual([
      { path: '', message: 'Must be "yes"' },
    ]);
    expect(validateAgainstSchema({ allOf: [{ minimum: 2 }, { maximum: 4 }] }, 5)).toEqual([
      { path: '', message: 'Must be at most 4' },
    ]);
    expect(validateAgainstSchema(true, 'anything')).toEqual([]);
    // No answer is never an answer, whatever the schema allows.
    expect(validateAgainstSchema(true, undefined)).toEqual([{ path: '', message: 'Required' }]);
    expect(validateAgainstSchema(false, 1)).toEqual([
      { path: '', message: 'No value is allowed here' },
    ]);
    expect(validateAgainstSchema({ type: 'string' }, undefined)).toEqual([
      { path: '', message: 'Required' },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validateAgainstSchema({ type: 'string', maxLength: 2 }, '😀😀')).toEqual([]);
  });

  it('skips a pattern this engine cannot compile instead of throwing', () => {
    expect(validateAgainstSchema({ type: 'string', pattern: '(' }, 'x')).toEqual([]);
  });

  it('does not descend forever into absurdly deep schemas', () => {
    let schema: FormSchema = { type: 'string' };
    let value: unknown = 1; // wrong at the bottom, past the depth limit
    for (let i = 0; i < 100; i++) {
      schema = { type: 'object', properties: { x: schema } };
      value = { x: value };
    }
    expect(() => validateAgainstSchema(schema, value)).not.toThrow();
    expect(() => schemaToFields(schema)).not.toThrow();
  });
});

describe('pointers', () => {
  it('reads and writes parts of an answer without changing the original', () => {
    const answer = { type: 'edit', args: { city: 'Paris', tags: ['a', 'b'] } };
    expect(readPointer(answer, '/args/city')).toBe('Paris');
    expect(readPointer(answer, '/args/tags/1')).toBe('b');
    expect(readPointer(answer, '/missing/deeper')).toBeUndefined();
    expect(readPointer(answer, '')).toBe(answer);

    const edited = writePointer(answer, '/args/city', 'Lyon');
    expect(edited).toEqual({ type: 'edit', args: { city: 'Lyon', tags: ['a', 'b'] } });
    expect(answer.args.city).toBe('Paris');
    expect(writePointer(answer, '/args/tags/0', 'z')).toMatchObject({ args: { tags: ['z', 'b'] } });
    expect(writePointer(answer, '/args/city', undefined)).toEqual({
      type: 'edit',
      args: { tags: ['a', 'b'] },
    });
    expect(writePointer(undefined, '/a/b', 1)).toEqual({ a: { b: 1 } });
    expect(writePointer(answer, '', 'whole')).toBe('whole');
    expect(readPointer({ 'a/b': 1 }, '/a~1b')).toBe(1);
  });
});

describe('text boxes', () => {
  it('converts lists to lines and back, dropping blank lines', () => {
    expect(linesToText(['a', 'b'])).toBe('a\nb');
    expect(linesToText(undefined)).toBe('');
    expect(textToLines('a\n\n b \r\nc\n')).toEqual(['a', ' b ', 'c']);
    expect(textToLines('')).toEqual([]);
  });

  it('reads numbers and JSON, saying why JSON does not parse', () => {
    expect(textToNumber('2.5')).toBe(2.5);
    expect(textToNumber(' ')).toBeUndefined();
    expect(textToNumber('abc')).toBeUndefined();
    expect(parseJsonText('{"a": [1]}')).toEqual({ value: { a: [1] } });
    expect(parseJsonText('')).toEqual({ value: undefined });
    expect(parseJsonText('{"a":')).toMatchObject({
      error: expect.stringMatching(/^Not valid JSON/),
    });
  });
});

describe('placeErrors', () => {
  it('puts each error on the deepest field on screen that contains it', () => {
    const fields = schemaToFields({
      type: 'object',
      properties: { review: toolReview, extra: {} },
    });
    const value = { review: { type: 'edit', args: {} }, extra: { deep: 1 } };
    const { byPath, unplaced } = placeErrors(fields, value, [
      { path: '/review/args/city', message: 'Required' },
      { path: '/review', message: 'Choose one of the options' },
      { path: '/extra/deep', message: 'Bad' }, // inside a JSON field: that field shows it
      { path: '/elsewhere', message: 'Lost' },
    ]);
    expect(Object.fromEntries(byPath)).toEqual({
      '/review/args/city': ['Required'],
      '/review': ['Choose one of the options'],
      '/extra': ['Bad'],
    });
    expect(unplaced).toEqual([{ path: '/elsewhere', message: 'Lost' }]);
  });

  it('does not place errors on the fields of an option not chosen', () => {
    const fields = schemaToFields(toolReview);
    const { byPath } = placeErrors(fields, { type: 'respond' }, [
      { path: '/args/city', message: 'Required' },
    ]);
    expect(Object.fromEntries(byPath)).toEqual({ '': ['Required'] });
  });
});

describe('interruptRequestOf', () => {
  it('takes a value with a schema as it is', () => {
    const request = { question: 'Approve?', schema: toolReview, context: { name: 'get_weather' } };
    expect(interruptRequestOf(request)).toEqual(request);
    expect(interruptRequestOf({ schema: false })).toEqual({ schema: false });
  });

  it('gives any other interrupt a JSON answer box', () => {
    expect(interruptRequestOf('What temperature is it?')).toEqual({
      question: 'What temperature is it?',
      schema: true,
    });
    expect(interruptRequestOf({ question: 'Which city?', draft: 'Pari' })).toEqual({
      question: 'Which city?',
      schema: true,
      context: { draft: 'Pari' },
    });
    expect(interruptRequestOf(42)).toEqual({ schema: true, context: 42 });
    expect(interruptRequestOf({ question: 'Why?' })).toEqual({ question: 'Why?', schema: true });
  });
});
