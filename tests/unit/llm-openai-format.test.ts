/**
 * The OpenAI wire format both ways, server-sent events, prompt-based tools for engines
 * without a tool-aware template, and the catalog's device-dependent choices.
 */
import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  catalogEntry,
  transformersPlacement,
  webllmModelId,
} from '../../src/lib/llm/catalog.js';
import type { WebGpuReport } from '../../src/lib/llm/device.js';
import { OpenAIStreamAccumulator, toOpenAIRequest } from '../../src/lib/llm/openai-format.js';
import { renderToolInstructions, withPromptTools } from '../../src/lib/llm/prompt-tools.js';
import { readServerSentEvents } from '../../src/lib/llm/server-sent-events.js';
import { parseToolCalls } from '../../src/lib/llm/tool-calls.js';
import type { ChatChunk, Message, ToolSpec } from '../../src/lib/llm/types.js';

const weather: ToolSpec = {
  type: 'function',
  function: {
    name: 'get_current_temperature',
    description: 'Current temperature in a city, in °C.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
      additionalProperties: false,
    },
  },
};

describe('toOpenAIRequest', () => {
  it('maps messages, tools and options to the chat-completions body', () => {
    const messages: Message[] = [
      { role: 'user', content: 'temperature in Paris?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'get_current_temperature', arguments: '{"location":"Paris"}' },
          },
        ],
        reasoning: 'I should call the tool',
      },
      { role: 'tool', content: '21', tool_call_id: 'c1' },
    ];
    const body = toOpenAIRequest(
      'm',
      messages,
      {
        tools: [weather],
        toolChoice: { name: 'get_current_temperature' },
        responseFormat: { type: 'json_schema', schema: { type: 'object' } },
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 64,
        stop: ['\n\n'],
        seed: 3,
        logprobs: 2,
        thinking: { enabled: false },
      },
      true,
    );
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: 'get_current_temperature', arguments: '{"location":"Paris"}' },
        },
      ],
    });
    expect(body.messages[2]).toEqual({ role: 'tool', content: '21', tool_call_id: 'c1' });
    expect(body.tool_choice).toEqual({
      type: 'function',
      function: { name: 'get_current_temperature' },
    });
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'object' }, strict: true },
    });
    expect(body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      stop: ['\n\n'],
      seed: 3,
      logprobs: true,
      top_logprobs: 2,
      chat_template_kwargs: { enable_thinking: false },
    });
  });
});

describe('OpenAIStreamAccumulator', () => {
  const run = (chunks: object[], tools?: ToolSpec[]) => {
    const acc = new OpenAIStreamAccumulator(tools);
    const events: ChatChunk[] = [];
    for (const c of chunks) events.push(...acc.push(c));
    const end = acc.finish();
    return { events: [...events, ...end.events], choices: end.choices, counts: acc.tokenCounts() };
  };

  it('assembles native tool calls split across chunks and validates them', () => {
    const { events, choices, counts } = run(
      [
        { choices: [{ index: 0, delta: { reasoning_content: 'need weather' } }] },
        {
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  {
                    index: 0,
                    id: 'call_a',
                    function: { name: 'get_current_temperature', arguments: '{"loca' },
                  },
                ],
              },
            },
          ],
        },
        {
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: 'tion": "Oslo"}' } }] },
            },
          ],
        },
        { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
        { choices: [], usage: { prompt_tokens: 30, completion_tokens: 12 } },
      ],
      [weather],
    );
    expect(events.map((e) => e.type)).toEqual(['reasoning', 'tool_call_delta', 'tool_call_delta']);
    expect(choices[0].message).toEqual({
      role: 'assistant',
      content: '',
      reasoning: 'need weather',
      tool_calls: [
        {
          id: 'call_a',
          type: 'function',
          function: { name: 'get_current_temperature', arguments: '{"location":"Oslo"}' },
        },
      ],
    });
    expect(choices[0].finishReason).toBe('tool_calls');
    expect(counts).toMatchObject({ promptTokens: 30, completionTokens: 12 });
  });

  it('parses tool calls and thinking written as text by servers without parsers', () => {
    const text =
      '<think>call it</think>Let me check.<tool_call>{"name": "get_current_temperature", "arguments": {"location": "Rome"}}</tool_call>';
    const pieces = text.match(/.{1,7}/gs) ?? [];
    const { events, choices } = run(
      pieces.map((p) => ({ choices: [{ delta: { content: p } }] })),
      [weather],
    );
    expect(events.some((e) => e.type === 'token' && e.text.includes('<tool_call'))).toBe(false);
    expect(choices[0].message.reasoning).toBe('call it');
    expect(choices[0].message.content).toBe('Let me check.');
    expect(JSON.parse(choices[0].message.tool_calls?.[0].function.arguments ?? '')).toEqual({
      location: 'Rome',
    });
  });

  it('turns bad native calls into typed errors, not crashes', () => {
    const { choices } = run(
      [
        {
          choices: [
            {
              delta: {
                tool_calls: [
                  {
                    index: 0,
                    function: { name: 'get_current_temperature', arguments: '{"city": 3}' },
                  },
                ],
              },
            },
          ],
        },
        {
          choices: [
            {
              delta: {
                tool_calls: [{ index: 1, function: { name: 'launch_rocket', arguments: '{}' } }],
              },
            },
          ],
        },
        {
          choices: [
            {
              delta: {
                tool_calls: [
                  {
                    index: 2,
                    function: { name: 'get_current_temperature', arguments: '{not json' },
                  },
                ],
              },
            },
          ],
        },
      ],
      [weather],
    );
    const kinds = choices[0].toolCallErrors?.map((e) => e.kind);
    expect(kinds).toEqual(['invalid_arguments', 'unknown_tool', 'invalid_arguments']);
    expect(choices[0].toolCallErrors?.[0].message).toMatch(/do not match its schema/);
    expect(choices[0].message.tool_calls).toBeUndefined();
  });

  it('keeps several choices apart', () => {
    const { choices } = run([
      {
        choices: [
          { index: 0, delta: { content: 'a' } },
          { index: 1, delta: { content: 'b' } },
        ],
      },
      { choices: [{ index: 1, delta: { content: 'B' }, finish_reason: 'length' }] },
    ]);
    expect(choices.map((c) => [c.message.content, c.finishReason])).toEqual([
      ['a', 'stop'],
      ['bB', 'length'],
    ]);
  });
});

describe('readServerSentEvents', () => {
  it('splits events across arbitrary network chunks, CRLF and comments', async () => {
    const wire = ': keep-alive\r\ndata: {"a":1}\r\n\r\ndata: {"b":\ndata: 2}\n\ndata: [DONE]\n\n';
    const encoder = new TextEncoder();
    for (const size of [1, 3, 7, wire.length]) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < wire.length; i += size)
        parts.push(encoder.encode(wire.slice(i, i + size)));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const p of parts) controller.enqueue(p);
          controller.close();
        },
      });
      const events: string[] = [];
      for await (const e of readServerSentEvents(body)) events.push(e);
      expect(events).toEqual(['{"a":1}', '{"b":\n2}', '[DONE]']);
    }
  });
});

describe('prompt-based tools', () => {
  it('renders the tool list and writes calls and results back as tagged text the parser reads', () => {
    const instructions = renderToolInstructions([weather]);
    expect(instructions).toContain('<tools>');
    expect(instructions).toContain('"get_current_temperature"');
    const out = withPromptTools(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Oslo?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: 'c',
              type: 'function',
              function: { name: 'get_current_temperature', arguments: '{"location":"Oslo"}' },
            },
          ],
        },
        { role: 'tool', content: '-3', tool_call_id: 'c' },
      ],
      [weather],
    );
    expect(out[0].content.startsWith('Be brief.\n\n# Tools')).toBe(true);
    expect(out[3]).toEqual({ role: 'user', content: '<tool_response>\n-3\n</tool_response>' });
    const reparsed = parseToolCalls(out[2].content, { tools: [weather] });
    expect(reparsed.toolCalls[0].function).toEqual({
      name: 'get_current_temperature',
      arguments: '{"location":"Oslo"}',
    });
  });
});

describe('catalog', () => {
  const gpu = (shaderF16: boolean, available = true): WebGpuReport => ({
    available,
    features: shaderF16 ? ['shader-f16'] : [],
    shaderF16,
    limits: {},
    software: false,
  });

  it('picks q4f32 WebLLM builds when the adapter lacks shader-f16', () => {
    const qwen = catalogEntry('qwen3-0.6b');
    expect(qwen && webllmModelId(qwen, { webgpu: gpu(true) })).toBe('Qwen3-0.6B-q4f16_1-MLC');
    expect(qwen && webllmModelId(qwen, { webgpu: gpu(false) })).toBe('Qwen3-0.6B-q4f32_1-MLC');
  });

  it('places Transformers.js models on WebGPU only when their dtype can run there', () => {
    const onnx = catalogEntry('qwen3-0.6b-onnx');
    expect(onnx && transformersPlacement(onnx, { webgpu: gpu(true) })).toEqual({
      device: 'webgpu',
      dtype: 'q4f16',
    });
    expect(onnx && transformersPlacement(onnx, { webgpu: gpu(false) })).toEqual({
      device: 'wasm',
      dtype: 'q4',
    });
    expect(onnx && transformersPlacement(onnx, { webgpu: gpu(false, false) })).toEqual({
      device: 'wasm',
      dtype: 'q4',
    });
  });

  it('has unique ids and a bundled model that needs no download', () => {
    expect(new Set(CATALOG.map((e) => e.id)).size).toBe(CATALOG.length);
    expect(CATALOG.filter((e) => e.bundled).every((e) => e.downloadBytes === 0)).toBe(true);
  });
});
