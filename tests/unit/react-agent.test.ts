/**
 * The ReAct agent on our graph engine, the tool node, the eval records and the
 * `eval:micro` command.
 *
 * Mechanics are pinned with a scripted ChatModel (it replays fixed outputs), so they
 * hold whatever the micro model says. The same graph then runs on the real micro model
 * (static-models/micro-agent, ONNX on CPU, greedy) when it is present; without it those
 * tests are skipped with a message, never passed silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createReactAgent,
  DEFAULT_WRAP_UP_PROMPT,
  runEvalTask,
  runToolCalls,
  summarizeEval,
} from '../../src/lib/agents/index.js';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import type { Message } from '../../src/lib/graph/index.js';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers.js';
import {
  ToolCallParseError,
  type ChatChunk,
  type ChatModel,
  type ChatOptions,
  type ChatResult,
  type ToolCall,
} from '../../src/lib/llm/types.js';
import {
  builtinTools,
  calculate,
  createWeatherTool,
  parsePassagesJsonl,
} from '../../src/lib/tools/index.js';
import { oneTokenUsage } from './scripted-model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STATIC_MODELS = join(ROOT, 'static-models/');
const CORPUS = join(STATIC_MODELS, 'corpus/passages.jsonl');
const SAMPLE_TASKS = join(ROOT, 'tests/fixtures/eval/sample.jsonl');
const haveMicroModel = existsSync(join(STATIC_MODELS, 'micro-agent/onnx/model.onnx'));
// The book's task needs a model that copies observations into its answers. The recipe's
// held-out evaluation (eval.json, committed with the weights) says whether the shipped
// weights do: the content test runs once their final-answer accuracy reaches the issue's
// 85 % target, and says loudly that it was skipped until then.
const EVAL = join(STATIC_MODELS, 'recipes/micro_agent/eval.json');
const finalAnswerAccuracy = existsSync(EVAL)
  ? Number(JSON.parse(readFileSync(EVAL, 'utf8'))?.summary?.overall?.final_answer ?? 0)
  : 0;
const haveTrainedModel = haveMicroModel && finalAnswerAccuracy >= 85;
if (haveMicroModel && !haveTrainedModel) {
  console.warn(
    'react-agent: content assertions on the micro model SKIPPED: its held-out final-answer ' +
      `accuracy is ${finalAnswerAccuracy} % (recipes/micro_agent/eval.json), below the 85 % target`,
  );
}
if (!haveMicroModel) {
  console.warn(
    'react-agent: real-model tests SKIPPED, static-models/micro-agent/onnx/model.onnx is missing ' +
      '(train it with static-models/recipes/micro_agent)',
  );
}

const passages = parsePassagesJsonl(readFileSync(CORPUS, 'utf8'));
const tools = builtinTools({ passages });

// ------------------------------------------------------------------ a scripted model

interface ScriptedTurn {
  content?: string;
  calls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  errors?: ToolCallParseError[];
}

/** Replays `turns` in order (repeating the last), recording what each call was given. */
class ScriptedChatModel implements ChatModel {
  readonly info = { engine: 'transformers' as const, model: 'scripted' };
  readonly calls: Array<{ messages: Message[]; options: ChatOptions }> = [];

  constructor(private readonly turns: ScriptedTurn[]) {}

  async invoke(messages: readonly Message[], options: ChatOptions = {}): Promise<ChatResult> {
    let final: ChatResult | undefined;
    for await (const chunk of this.stream(messages, options)) {
      if (chunk.type === 'final') final = chunk;
    }
    return final!;
  }

  async *stream(messages: readonly Message[], options: ChatOptions = {}): AsyncIterable<ChatChunk> {
    this.calls.push({ messages: [...messages], options });
    const turn = this.turns[Math.min(this.calls.length - 1, this.turns.length - 1)];
    const content = turn.content ?? '';
    for (const word of content.split(/(?<= )/)) if (word) yield { type: 'token', text: word };
    const toolCalls: ToolCall[] = (turn.calls ?? []).map((call, i) => ({
      id: `call_${this.calls.length}_${i}`,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    for (const [index, call] of toolCalls.entries()) {
      yield {
        type: 'tool_call_delta',
        index,
        id: call.id,
        name: call.function.name,
        argumentsDelta: call.function.arguments,
      };
    }
    yield {
      type: 'final',
      message: {
        role: 'assistant',
        content,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      },
      finishReason: toolCalls.length ? 'tool_calls' : 'stop',
      ...(turn.errors?.length ? { toolCallErrors: turn.errors } : {}),
      usage: { ...oneTokenUsage(), promptTokens: 10, completionTokens: 5 },
    };
  }
}

const user = (content: string): Message => ({ role: 'user', content });

describe('ReAct agent mechanics (scripted model)', () => {
  it('runs temperature-then-square: two tool rounds, observations, final answer', async () => {
    const paris = JSON.parse(await createWeatherTool().run({ location: 'Paris' })).temperature;
    const square = calculate(`${paris} * ${paris}`);
    const model = new ScriptedChatModel([
      { calls: [{ name: 'get_current_temperature', arguments: { location: 'Paris' } }] },
      { calls: [{ name: 'calculator', arguments: { expression: `${paris} * ${paris}` } }] },
      { content: `Current temperature: ${paris} °C\nSquare of current temperature: ${square}` },
    ]);
    const agent = createReactAgent({ model, tools, maxSteps: 4, systemPrompt: 'Be brief.' });
    const { messages } = await agent.invoke({
      messages: [user('What is the current temperature in Paris? Then square it.')],
    });

    expect(messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(messages[2]).toMatchObject({
      role: 'tool',
      name: 'get_current_temperature',
      tool_call_id: messages[1].tool_calls![0].id,
      content: `{"location": "Paris", "temperature": ${paris}, "unit": "celsius"}`,
    });
    expect(messages[4]).toMatchObject({ name: 'calculator', content: square });
    expect(messages[5].content).toContain(String(square));
    for (const m of messages) expect(typeof m.id).toBe('string');
    // The system prompt is sent, not stored; the tool specs are offered on every turn.
    expect(model.calls[0].messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(messages.some((m) => m.role === 'system')).toBe(false);
    expect(model.calls[0].options.tools!.map((t) => t.function.name)).toEqual([
      'calculator',
      'get_current_temperature',
      'convert_units',
      'search',
    ]);
  });

  it('feeds malformed calls back as observations so the model can retry', async () => {
    const bad = new ToolCallParseError('invalid_json', 'Your tool call is not valid JSON.', {
      raw: '{"name": "calculator", "arguments": {"expression": "2+"',
      index: 0,
      toolName: 'calculator',
    });
    const model = new ScriptedChatModel([
      { errors: [bad] },
      { calls: [{ name: 'calculator', arguments: { expression: '2 + 2' } }] },
      { content: '2 + 2 = 4' },
    ]);
    const agent = createReactAgent({ model, tools, maxSteps: 4 });
    const { messages } = await agent.invoke({ messages: [user('What is 2 + 2?')] });
    expect(messages[1].tool_call_errors).toEqual([bad.toJSON()]);
    expect(messages[2]).toMatchObject({
      role: 'tool',
      tool_call_id: 'invalid_call_0',
      name: 'calculator',
      content: 'Your tool call is not valid JSON.',
    });
    // The retry saw the error observation.
    expect(model.calls[1].messages.at(-1)!.content).toBe('Your tool call is not valid JSON.');
    expect(messages.at(-1)!.content).toBe('2 + 2 = 4');
  });

  it('ends a runaway loop at maxSteps with a forced wrap-up turn without tools', async () => {
    const model = new ScriptedChatModel([
      { calls: [{ name: 'calculator', arguments: { expression: '1 + 1' } }] },
      { calls: [{ name: 'calculator', arguments: { expression: '1 + 1' } }] },
      { calls: [{ name: 'calculator', arguments: { expression: '1 + 1' } }] },
      { content: 'The answer is 2.', calls: [{ name: 'calculator', arguments: {} }] },
    ]);
    const agent = createReactAgent({ model, tools, maxSteps: 3 });
    const { messages } = await agent.invoke({ messages: [user('1 + 1?')] });
    expect(model.calls).toHaveLength(4); // three tool turns, then the wrap-up
    const wrapUp = model.calls[3];
    expect(wrapUp.options.toolChoice).toBe('none');
    expect(wrapUp.options.tools).toBeUndefined();
    expect(wrapUp.messages.at(-1)).toEqual({ role: 'user', content: DEFAULT_WRAP_UP_PROMPT });
    const final = messages.at(-1)!;
    expect(final).toMatchObject({ role: 'assistant', content: 'The answer is 2.', wrap_up: true });
    expect(final.tool_calls).toBeUndefined();
    expect(messages.filter((m) => m.role === 'tool')).toHaveLength(3);
  });

  it('answers in the wrap-up even when the model says nothing', async () => {
    const model = new ScriptedChatModel([
      { calls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }] },
      { content: '' },
    ]);
    const agent = createReactAgent({ model, tools, maxSteps: 1 });
    const { messages } = await agent.invoke({ messages: [user('6 * 7?')] });
    expect(messages.at(-1)!.content).toBe(
      'I stopped after 1 steps without a final answer. The last tool result was: 42',
    );
  });

  it('streams tokens and tool-call deltas under the id of the stored message', async () => {
    const model = new ScriptedChatModel([
      {
        content: 'Let me compute. ',
        calls: [{ name: 'calculator', arguments: { expression: '3 * 3' } }],
      },
      { content: 'It is 9.' },
    ]);
    const agent = createReactAgent({ model, tools });
    const chunks: Array<{ id: string; content?: string; tool_call_chunks?: unknown }> = [];
    let finalMessages: Message[] = [];
    for await (const event of agent.stream(
      { messages: [user('3 * 3?')] },
      { streamMode: ['messages', 'values'] },
    )) {
      const [mode, payload] = event as [string, unknown];
      if (mode === 'messages') {
        const [chunk, metadata] = payload as [
          { id: string; content?: string; tool_call_chunks?: unknown },
          { langgraph_node: string },
        ];
        if (metadata.langgraph_node === 'agent' && !('role' in chunk && chunk.role === 'tool')) {
          chunks.push(chunk);
        }
      } else finalMessages = (payload as { messages: Message[] }).messages;
    }
    const firstAnswer = finalMessages[1];
    const streamed = chunks.filter((c) => c.id === firstAnswer.id);
    expect(streamed.map((c) => c.content ?? '').join('')).toContain('Let me compute.');
    expect(streamed.some((c) => Array.isArray(c.tool_call_chunks))).toBe(true);
    expect(finalMessages.at(-1)!.content).toBe('It is 9.');
  });

  it('gives each user turn of a checkpointed thread a fresh step budget', async () => {
    const model = new ScriptedChatModel([
      { calls: [{ name: 'get_current_temperature', arguments: { location: 'Oslo' } }] },
      { content: 'Noted.' },
      { calls: [{ name: 'calculator', arguments: { expression: '2 * 2' } }] },
      { content: 'Done.' },
    ]);
    const agent = createReactAgent({ model, tools, maxSteps: 1, checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'react-memory' } };
    await agent.invoke({ messages: [user('Temperature in Oslo?')] }, config);
    const { messages } = await agent.invoke({ messages: [user('Now 2 * 2.')] }, config);
    // Turn 2 still got its tool round: the budget counts from the last user message.
    expect(messages.filter((m) => m.role === 'tool').map((m) => m.name)).toEqual([
      'get_current_temperature',
      'calculator',
    ]);
    expect(model.calls[3].messages.length).toBeGreaterThan(model.calls[1].messages.length);
  });

  it('rejects a bad maxSteps and duplicate tool names when built', () => {
    const model = new ScriptedChatModel([{ content: '' }]);
    expect(() => createReactAgent({ model, tools, maxSteps: 0 })).toThrow(/maxSteps/);
    expect(() => createReactAgent({ model, tools: [...tools, tools[0]] })).toThrow(/unique/);
  });
});

describe('tool node', () => {
  it('answers unknown tools, bad JSON and throwing tools with observations', async () => {
    const throwing = {
      spec: { type: 'function' as const, function: { name: 'boom' } },
      run: async () => {
        throw new Error('kaput');
      },
    };
    const call = (id: string, name: string, args: string): ToolCall => ({
      id,
      type: 'function',
      function: { name, arguments: args },
    });
    const observations = await runToolCalls(
      [...tools, throwing],
      [
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            call('a', 'nope', '{}'),
            call('b', 'calculator', '{"expression": '),
            call('c', 'boom', '{}'),
          ],
        },
      ],
    );
    expect(observations.map((m) => m.content)).toEqual([
      'Error: unknown tool nope. Available tools: calculator, get_current_temperature, convert_units, search, boom.',
      'Error: the arguments of calculator are not valid JSON: {"expression": ',
      'Error: boom failed: kaput',
    ]);
    expect(observations.map((m) => m.tool_call_id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps the order of the blocks when valid and rejected calls mix', async () => {
    const observations = await runToolCalls(tools, [
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'x',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression": "1+1"}' },
          },
        ],
        tool_call_errors: [{ kind: 'invalid_json', message: 'bad block', raw: '{', index: 0 }],
      },
    ]);
    expect(observations.map((m) => [m.tool_call_id, m.content])).toEqual([
      ['invalid_call_0', 'bad block'],
      ['x', '2'],
    ]);
  });
});

describe('eval records', () => {
  it('records calls, observations, answer, steps and tokens; bad lines become error records', async () => {
    const model = new ScriptedChatModel([
      {
        calls: [
          { name: 'convert_units', arguments: { value: 10, from_unit: 'km', to_unit: 'mi' } },
        ],
      },
      { content: '10 km = 6.214 mi' },
    ]);
    const agent = createReactAgent({ model, tools, maxSteps: 3 });
    const ok = await runEvalTask(agent, '{"prompt": "Convert 10 km to mi.", "id": 7}', 1, {
      maxSteps: 3,
    });
    expect(ok).toEqual({
      line: 1,
      prompt: 'Convert 10 km to mi.',
      tool_calls: [
        { name: 'convert_units', arguments: { value: 10, from_unit: 'km', to_unit: 'mi' } },
      ],
      invalid_tool_calls: [],
      observations: ['{"value": 6.214, "unit": "mi"}'],
      final_answer: '10 km = 6.214 mi',
      steps: 2,
      tokens: { prompt: 20, completion: 10 },
    });
    const notJson = await runEvalTask(agent, '{"prompt": ', 2, { maxSteps: 3 });
    expect(notJson.error).toMatch(/^bad task line: /);
    const noPrompt = await runEvalTask(agent, '{"question": "hi"}', 3, { maxSteps: 3 });
    expect(noPrompt.error).toBe('bad task line: the task has no "prompt" string');
    const summary = summarizeEval([ok, notJson, noPrompt], 1.5);
    expect(summary).toMatchObject({ tasks: 3, errors: 2, meanSteps: 2, toolCallValidity: 1 });
    expect(summarizeEval([notJson], 0).toolCallValidity).toBeNull();
  });
});

// ------------------------------------------------------------------ the real micro model

describe.skipIf(!haveMicroModel)('ReAct agent on the real micro model', () => {
  let model: TransformersChatModel;
  beforeAll(async () => {
    model = await TransformersChatModel.load({
      model: 'micro-agent',
      localModelPath: STATIC_MODELS,
      allowRemoteModels: false,
      device: 'cpu',
    });
  }, 60_000);
  afterAll(async () => {
    await model?.dispose();
  });

  it('terminates within maxSteps with well-formed messages, whatever the model says', async () => {
    const maxSteps = 2;
    const agent = createReactAgent({
      model,
      tools,
      maxSteps,
      modelOptions: { temperature: 0, maxTokens: 64 },
    });
    const { messages } = await agent.invoke({
      messages: [user('What is the current temperature in Paris? Then compute its square.')],
    });
    const assistants = messages.filter((m) => m.role === 'assistant');
    expect(assistants.length).toBeGreaterThanOrEqual(1);
    expect(assistants.length).toBeLessThanOrEqual(maxSteps + 1);
    expect(messages.at(-1)!.role).toBe('assistant');
    for (const m of messages) {
      expect(typeof m.content).toBe('string');
      if (m.role === 'tool') expect(typeof m.tool_call_id).toBe('string');
    }
  }, 60_000);

  // Content assertions: the trained model solves the book's task. If this fails on a
  // freshly exported checkpoint, the model (not the graph) regressed.
  it.skipIf(!haveTrainedModel)(
    'temperature then square: two tool calls and both numbers in the answer',
    async () => {
      const agent = createReactAgent({
        model,
        tools,
        maxSteps: 4,
        modelOptions: { temperature: 0, maxTokens: 96, thinking: { enabled: false } },
      });
      const { messages } = await agent.invoke({
        messages: [user('What is the current temperature in Paris? Then compute its square.')],
      });
      const calls = messages.flatMap((m) => m.tool_calls ?? []);
      expect(calls.map((c) => c.function.name)).toEqual(['get_current_temperature', 'calculator']);
      const paris = JSON.parse(await createWeatherTool().run({ location: 'Paris' })).temperature;
      const final = messages.at(-1)!.content;
      expect(final).toContain(String(paris));
      expect(final).toContain(calculate(`${paris} * ${paris}`));
    },
    60_000,
  );
});

// ------------------------------------------------------------------ the eval command

function runEvalCommand(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval-micro.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 170_000,
  });
}

describe('npm run eval:micro', () => {
  it('explains a missing --tasks and exits with status 2', () => {
    const result = runEvalCommand([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--tasks is required');
  }, 30_000);

  it.skipIf(!haveMicroModel)(
    'writes one record per task line, an error record for a malformed line, and a summary',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'eval-micro-'));
      const tasks = join(dir, 'tasks.jsonl');
      const out = join(dir, 'out.jsonl');
      const sample = readFileSync(SAMPLE_TASKS, 'utf8').trim().split('\n');
      writeFileSync(tasks, [...sample.slice(0, 3), '{not json', ''].join('\n'));
      const result = runEvalCommand([
        '--tasks',
        tasks,
        '--out',
        out,
        '--max-steps',
        '3',
        '--max-tokens',
        '64',
        '--no-thinking',
      ]);
      expect(result.stderr).toMatch(/tasks 4, errors 1, mean steps [\d.]+, tool-call validity/);
      expect(result.status).toBe(0);
      const records = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records).toHaveLength(4);
      for (const record of records.slice(0, 3)) {
        expect(record).toEqual({
          line: expect.any(Number),
          prompt: expect.any(String),
          tool_calls: expect.any(Array),
          invalid_tool_calls: expect.any(Array),
          observations: expect.any(Array),
          final_answer: expect.any(String),
          steps: expect.any(Number),
          tokens: { prompt: expect.any(Number), completion: expect.any(Number) },
        });
        expect(record.steps).toBeGreaterThanOrEqual(1);
        expect(record.steps).toBeLessThanOrEqual(4);
        expect(record.tokens.prompt).toBeGreaterThan(0);
      }
      expect(records[3]).toMatchObject({
        line: 4,
        prompt: null,
        error: expect.stringMatching(/^bad task line/),
      });
    },
    180_000,
  );
});
