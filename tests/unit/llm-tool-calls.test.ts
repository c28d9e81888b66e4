import { describe, expect, it } from 'vitest';
import {
  AssistantOutputParser,
  ToolCallStreamParser,
  parseAssistantOutput,
  parseToolCalls,
  type AssistantOutputEvent,
  type ToolCallParseOptions,
  type ToolCallStreamEvent,
} from '../../src/lib/llm/tool-calls.js';
import { createRng } from '../../src/lib/llm/sampler.js';
import { ToolCallParseError, type ToolSpec } from '../../src/lib/llm/types.js';

const tools: ToolSpec[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'calculator',
      parameters: { type: 'object', properties: { expression: { type: 'string' } } },
    },
  },
];
const ids = { idFactory: (i: number) => `call_${i}` };

describe('parseToolCalls', () => {
  it('parses one call with text around it', () => {
    const r = parseToolCalls(
      'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n',
      { tools, ...ids },
    );
    expect(r.content).toBe('Let me check.');
    expect(r.errors).toEqual([]);
    expect(r.toolCalls).toEqual([
      {
        id: 'call_0',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ]);
  });

  it('parses several calls, arguments given as a JSON string, and no arguments', () => {
    const r = parseToolCalls(
      '<tool_call>{"name": "calculator", "arguments": "{\\"expression\\": \\"2+2\\"}"}</tool_call>' +
        'and<tool_call>{"name": "calculator"}</tool_call>' +
        '<tool_call>{"name":"get_weather","arguments":{"city":"Oslo"}}</tool_call>',
      { tools, ...ids },
    );
    expect(r.content).toBe('and');
    expect(r.errors).toEqual([]);
    expect(r.toolCalls.map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([
      ['call_0', 'calculator', '{"expression":"2+2"}'],
      ['call_1', 'calculator', '{}'],
      ['call_2', 'get_weather', '{"city":"Oslo"}'],
    ]);
  });

  it('keeps braces and tags inside JSON strings', () => {
    const r = parseToolCalls(
      '<tool_call>{"name": "calculator", "arguments": {"expression": "}{ </tool_call> \\" {"}}</tool_call>',
      ids,
    );
    expect(r.errors).toEqual([]);
    expect(JSON.parse(r.toolCalls[0].function.arguments)).toEqual({
      expression: '}{ </tool_call> " {',
    });
  });

  it('accepts "parameters" as a synonym of "arguments" and unicode everywhere', () => {
    const r = parseToolCalls(
      '日本<tool_call>{"name": "get_weather", "parameters": {"city": "Zürich 😀"}}</tool_call>',
      { tools, ...ids },
    );
    expect(r.content).toBe('日本');
    expect(r.toolCalls[0].function.arguments).toBe('{"city":"Zürich 😀"}');
  });

  it('returns plain text untouched when there are no calls', () => {
    expect(parseToolCalls('  Just an answer with <b>tags</b> and < signs.  ')).toEqual({
      content: 'Just an answer with <b>tags</b> and < signs.',
      toolCalls: [],
      errors: [],
    });
  });

  const errorCases: Array<[string, string, RegExp]> = [
    ['cut off <tool_call>{"name": "get_weather", "argu', 'unclosed_tag', /cut off/],
    ['<tool_call>{name: get_weather}</tool_call>', 'invalid_json', /not valid JSON/],
    ['<tool_call></tool_call>', 'invalid_json', /empty/],
    ['<tool_call>["get_weather"]</tool_call>', 'not_an_object', /not an array/],
    ['<tool_call>{"arguments": {}}</tool_call>', 'missing_name', /no "name"/],
    ['<tool_call>{"name": "", "arguments": {}}</tool_call>', 'missing_name', /no "name"/],
    [
      '<tool_call>{"name": "search_web", "arguments": {}}</tool_call>',
      'unknown_tool',
      /no tool named "search_web"\. Available tools: get_weather, calculator/,
    ],
    [
      '<tool_call>{"name": "get_weather", "arguments": {"city": 42}}</tool_call>',
      'invalid_arguments',
      /arguments\.city: expected a string, got the number 42/,
    ],
    [
      '<tool_call>{"name": "get_weather", "arguments": {}}</tool_call>',
      'invalid_arguments',
      /missing the required property "city"/,
    ],
    [
      '<tool_call>{"name": "get_weather", "arguments": "{city"}</tool_call>',
      'invalid_arguments',
      /string that is not valid JSON/,
    ],
    [
      '<tool_call>{"name": "get_weather", "arguments": [1]}</tool_call>',
      'invalid_arguments',
      /must be a JSON object, not an array/,
    ],
    ['oops </tool_call> done', 'unexpected_close_tag', /without a matching/],
  ];
  it.each(errorCases)('reports %j as %s', (text, kind, message) => {
    const r = parseToolCalls(text, { tools, ...ids });
    expect(r.toolCalls).toEqual([]);
    expect(r.errors).toHaveLength(1);
    const [error] = r.errors;
    expect(error).toBeInstanceOf(ToolCallParseError);
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(error.toJSON().kind).toBe(kind);
  });

  it('keeps good calls next to bad ones, with block indexes', () => {
    const r = parseToolCalls(
      '<tool_call>{"name": "nope"}</tool_call><tool_call>{"name": "calculator", "arguments": {"expression": "1"}}</tool_call>',
      { tools, ...ids },
    );
    expect(r.errors.map((e) => [e.kind, e.index, e.toolName])).toEqual([
      ['unknown_tool', 0, 'nope'],
    ]);
    expect(r.toolCalls.map((c) => c.id)).toEqual(['call_1']);
    expect(r.errors[0].raw).toBe('{"name": "nope"}');
  });

  it('recovers a call closed inside an unbalanced string, then parses what follows', () => {
    const r = parseToolCalls(
      '<tool_call>{"name": "calculator", "arguments": {"expression": "2}</tool_call> after',
      ids,
    );
    expect(r.errors.map((e) => e.kind)).toEqual(['invalid_json']);
    expect(r.content).toBe('after');
  });

  it('generates distinct OpenAI-style ids by default', () => {
    const r = parseToolCalls(
      '<tool_call>{"name": "a"}</tool_call><tool_call>{"name": "b"}</tool_call>',
    );
    expect(r.toolCalls[0].id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(r.toolCalls[0].id).not.toBe(r.toolCalls[1].id);
  });
});

const sample =
  'Sure.<tool_call>\n{"name": "get_weather", "arguments": {"city": "New {York} \\"</tool_call>\\""}}\n</tool_call>' +
  ' then <tool_call>{"name": "calculator", "arguments": {"expression": "(1+2)*3"}}</tool_call>' +
  ' and a bad one <tool_call>{"name": "calculator", "arguments": 5}</tool_call> end </tool_call> <tool_c';

function streamIn(
  chunks: string[],
  options: ToolCallParseOptions,
): { events: ToolCallStreamEvent[]; result: ReturnType<typeof parseToolCalls> } {
  const parser = new ToolCallStreamParser(options);
  const events = chunks.flatMap((c) => parser.push(c));
  const end = parser.finish();
  return { events: [...events, ...end.events], result: end.result };
}

function textOf(events: ToolCallStreamEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.text : '')).join('');
}

describe('ToolCallStreamParser', () => {
  const batch = parseToolCalls(sample, { tools, ...ids });

  it('the sample has calls, errors and text', () => {
    expect(batch.toolCalls).toHaveLength(2);
    expect(batch.errors.map((e) => e.kind)).toEqual(['invalid_arguments', 'unexpected_close_tag']);
    expect(batch.content).toBe('Sure. then  and a bad one  end  <tool_c');
  });

  it('gives the batch result for every split into two and three pieces', () => {
    for (let i = 0; i <= sample.length; i++) {
      const { events, result } = streamIn([sample.slice(0, i), sample.slice(i)], { tools, ...ids });
      expect(result).toEqual(batch);
      expect(textOf(events).trim()).toBe(batch.content);
    }
    for (let i = 0; i <= sample.length; i += 7) {
      for (let j = i; j <= sample.length; j += 5) {
        const pieces = [sample.slice(0, i), sample.slice(i, j), sample.slice(j)];
        expect(streamIn(pieces, { tools, ...ids }).result).toEqual(batch);
      }
    }
  });

  it('never shows partial tag text, even one character at a time', () => {
    const { events } = streamIn([...sample], { tools, ...ids });
    const texts = events.filter((e) => e.type === 'text').map((e) => e.text);
    // Only the dangling `<tool_c` at the very end (flushed by finish) may look like a tag.
    for (const t of texts.slice(0, -1)) {
      expect(t).not.toContain('<tool');
      expect(t).not.toContain('</tool');
    }
    expect(texts.at(-1)).toBe('<tool_c');
    expect(textOf(events).trim()).toBe(batch.content);
  });

  it('streams id, name and argument deltas that add up to the arguments', () => {
    const text = 'x<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>';
    const { events } = streamIn([...text], { tools, ...ids });
    const deltas = events.filter((e) => e.type === 'tool_call_delta');
    expect(deltas[0]).toEqual({ type: 'tool_call_delta', index: 0, id: 'call_0' });
    expect(deltas.filter((d) => d.name).map((d) => d.name)).toEqual(['get_weather']);
    const args = deltas.map((d) => d.argumentsDelta ?? '').join('');
    expect(args).toBe('{"city": "Paris"}');
    expect(deltas.length).toBeGreaterThan(5); // Arguments arrive live, not in one piece.
  });

  it('sends name and normalised arguments at the close for non-canonical key order', () => {
    const { events } = streamIn(
      ['<tool_call>{"arguments": {"expression": "1"},', ' "name": "calculator"}</tool_call>'],
      ids,
    );
    const deltas = events.filter((e) => e.type === 'tool_call_delta');
    expect(deltas.map((d) => [d.id, d.name, d.argumentsDelta])).toEqual([
      ['call_0', undefined, undefined],
      [undefined, 'calculator', undefined],
      [undefined, undefined, '{"expression":"1"}'],
    ]);
  });
});

describe('fuzz: parsing is total', () => {
  const alphabet = [
    '<tool_call>',
    '</tool_call>',
    '<tool_',
    '{',
    '}',
    '[',
    ']',
    '"',
    '\\',
    ':',
    ',',
    '"name"',
    '"arguments"',
    '"get_weather"',
    '"city"',
    ' ',
    '\n',
    'a',
    '1',
    'é',
    '😀',
    '\uD800',
    '<',
    '>',
    'null',
    '<think>',
    '</think>',
  ];

  it('never throws and streaming matches batch on 3000 random strings', () => {
    const rng = createRng(1234);
    for (let n = 0; n < 3000; n++) {
      const parts: string[] = [];
      const length = rng.nextUint32() % 30;
      for (let i = 0; i < length; i++) parts.push(alphabet[rng.nextUint32() % alphabet.length]);
      const text = parts.join('');
      const batch = parseToolCalls(text, { tools, ...ids });
      expect(typeof batch.content).toBe('string');
      const cut = rng.nextUint32() % (text.length + 1);
      const streamed = streamIn([text.slice(0, cut), text.slice(cut)], { tools, ...ids });
      expect(streamed.result).toEqual(batch);
      for (const call of batch.toolCalls)
        expect(() => JSON.parse(call.function.arguments)).not.toThrow();
      expect(() => parseAssistantOutput(text, { tools })).not.toThrow();
    }
  });

  it('never throws on every truncation of a valid call', () => {
    const text = 'ok <tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>';
    for (let i = 0; i <= text.length; i++) {
      const r = parseToolCalls(text.slice(0, i), { tools });
      expect(r.toolCalls.length + r.errors.length).toBeLessThanOrEqual(1);
    }
  });

  it('ignores non-string input to push', () => {
    const parser = new ToolCallStreamParser();
    expect(parser.push(undefined as unknown as string)).toEqual([]);
    expect(parser.finish().result.content).toBe('');
  });
});

describe('AssistantOutputParser (thinking + tool calls)', () => {
  const text =
    '<think>\nI need the weather. <tool_call> is how I call.\n</think>\n\nChecking.<tool_call>{"name": "get_weather", "arguments": {"city": "Lima"}}</tool_call>';

  it('splits reasoning, content and calls', () => {
    const r = parseAssistantOutput(text, { tools, ...ids });
    expect(r.reasoning).toBe('I need the weather. <tool_call> is how I call.');
    expect(r.content).toBe('Checking.');
    expect(r.toolCalls.map((c) => c.function.arguments)).toEqual(['{"city":"Lima"}']);
    expect(r.errors).toEqual([]);
    expect(r.reasoningUnclosed).toBe(false);
  });

  it('streams the same result for every split', () => {
    const batch = parseAssistantOutput(text, { tools, ...ids });
    for (let i = 0; i <= text.length; i++) {
      const parser = new AssistantOutputParser({ tools, ...ids });
      const events: AssistantOutputEvent[] = [
        ...parser.push(text.slice(0, i)),
        ...parser.push(text.slice(i)),
      ];
      const end = parser.finish();
      events.push(...end.events);
      expect(end.result).toEqual(batch);
      const reasoning = events.map((e) => (e.type === 'reasoning' ? e.text : '')).join('');
      expect(reasoning.trim()).toBe(batch.reasoning);
      const tokens = events.map((e) => (e.type === 'token' ? e.text : '')).join('');
      expect(tokens.trim()).toBe(batch.content);
    }
  });

  it('starts inside thinking when the template pre-filled <think>', () => {
    const r = parseAssistantOutput('plan it</think>Answer: 4', { startsInThinking: true });
    expect(r).toMatchObject({ reasoning: 'plan it', content: 'Answer: 4' });
  });
});
