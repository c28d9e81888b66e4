/**
 * The chapter-3 demo graphs with a scripted model, in Node: the paths they take, the tool
 * choice of each analyst turn (the first must run code), the step bound and wrap-up, and
 * the single-step branch that never sees a tool. There is no browser here, so the sandbox
 * cannot start: the tool answers with that error as its observation, which is also what
 * shows that a failed sandbox step never crashes a run.
 */
import { describe, expect, it } from 'vitest';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import type { Message } from '../../src/lib/graph/index.js';
import type { ChatChunk, ChatModel, ChatOptions } from '../../src/lib/llm/types.js';
import { cotAnalyst } from '../../src/lib/demos/ch3-cot-analyst.js';
import { singleVsReact } from '../../src/lib/demos/ch3-single-vs-react.js';
import { demoCards } from '../../src/lib/demos/catalog.js';
import { sandboxSteps } from '../../src/lib/tools/sandbox/index.js';
import { oneTokenUsage } from './scripted-model.js';

const USAGE = oneTokenUsage();

/** Calls run_javascript whenever tools are offered and `callsLeft` allows, else answers. */
class ScriptedAnalyst implements ChatModel {
  readonly calls: Array<{ messages: Message[]; options: ChatOptions }> = [];
  readonly info = { engine: 'transformers' as const, model: 'scripted' };
  constructor(private callsLeft: number) {}

  async invoke(): Promise<never> {
    throw new Error('the demos stream their calls');
  }

  async *stream(messages: readonly Message[], options: ChatOptions = {}): AsyncIterable<ChatChunk> {
    this.calls.push({ messages: [...messages], options });
    const callTool =
      options.tools?.length &&
      options.toolChoice !== 'none' &&
      (options.toolChoice === 'required' || this.callsLeft > 0);
    if (callTool) {
      this.callsLeft--;
      yield {
        type: 'final',
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: `call_${this.calls.length}`,
              type: 'function',
              function: {
                name: 'run_javascript',
                arguments: JSON.stringify({ code: "loadCSV('cafe-sales.csv').numRows()" }),
              },
            },
          ],
        },
        finishReason: 'tool_calls',
        usage: USAGE,
      };
      return;
    }
    yield { type: 'token', text: 'Campus sells the least.' };
    yield {
      type: 'final',
      message: { role: 'assistant', content: 'Campus sells the least.' },
      finishReason: 'stop',
      usage: USAGE,
    };
  }
}

const context = (model: ChatModel) => ({
  models: { agent: model },
  checkpointer: new MemorySaver(),
  endpoints: { weatherMode: 'offline' as const },
  seed: 3,
});

describe('chapter 3 demos', () => {
  it('are in the catalog as chapter 3', () => {
    const cards = demoCards().filter((d) => d.chapter === 3);
    const ids = cards.map((d) => d.id);
    // the reasoning demos lead the chapter, before the agent teams
    expect(ids.slice(0, 2)).toEqual(['single-step-vs-react', 'cot-data-analyst']);
  });

  it('cot analyst: the first turn must run code, later turns choose, the sandbox error is an observation', async () => {
    const model = new ScriptedAnalyst(2);
    const graph = cotAnalyst.build(context(model));
    const turn = cotAnalyst.turn('Which store sells most?', undefined);
    const values = (await graph.invoke(turn.input as never, {
      configurable: { thread_id: 'a' },
      recursionLimit: turn.recursionLimit,
    })) as { messages: Message[] };
    expect(model.calls.map((c) => c.options.toolChoice)).toEqual(['required', 'auto', 'auto']);
    expect(model.calls[0].messages[0]).toMatchObject({ role: 'system' });
    expect(model.calls[0].messages[0].content).toContain('Think step by step');
    expect(model.calls.every((c) => c.options.seed === 3)).toBe(true);
    expect(values.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    const steps = sandboxSteps(values.messages);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toMatchObject({
      index: 1,
      code: "loadCSV('cafe-sales.csv').numRows()",
      status: 'ran',
    });
    expect(steps[0].observation?.error).toMatch(/needs a browser page/);
    expect(cotAnalyst.answer?.(values)).toBe('Campus sells the least.');
  });

  it('cot analyst: a model that keeps calling the tool is wrapped up after the step bound', async () => {
    const model = new ScriptedAnalyst(100);
    const graph = cotAnalyst.build(context(model));
    const turn = cotAnalyst.turn('Go', undefined);
    const values = (await graph.invoke(turn.input as never, {
      configurable: { thread_id: 'b' },
      recursionLimit: turn.recursionLimit,
    })) as { messages: Message[] };
    expect(sandboxSteps(values.messages)).toHaveLength(4);
    expect(model.calls.at(-1)?.options.toolChoice).toBe('none');
    expect(values.messages.at(-1)).toMatchObject({ role: 'assistant', wrap_up: true });
  });

  it('single-step vs ReAct: two branches on the same question, only ReAct gets the tool', async () => {
    const model = new ScriptedAnalyst(0);
    const graph = singleVsReact.build(context(model));
    const turn = singleVsReact.turn('Summarize the data.', undefined);
    const values = (await graph.invoke(turn.input as never, {
      configurable: { thread_id: 'c' },
      recursionLimit: turn.recursionLimit,
    })) as { messages: Message[]; single_messages: Message[] };
    expect(values.single_messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(values.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    const singleCall = model.calls.find((c) => c.messages[0].content.includes('without tools'));
    expect(singleCall?.options.tools).toBeUndefined();
    expect(singleCall?.messages[0].content).toContain('day,store,drink,cups,price,temp_c');
    expect(singleVsReact.answer?.(values)).toBe(
      'Single step: Campus sells the least.\nReAct: Campus sells the least.',
    );
  });
});
