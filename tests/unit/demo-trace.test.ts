import { describe, expect, it } from 'vitest';
import {
  Annotation,
  END,
  START,
  StateGraph,
  messagesReducer,
  type Message,
} from '../../src/lib/graph/index.js';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import {
  applyEvent,
  emptyTrace,
  pathTaken,
  runningTasks,
  stepsTaken,
} from '../../src/lib/ui/demo/trace.js';
import { reactTranscript } from '../../src/lib/ui/demo/react-transcript.js';

const State = Annotation.Root({
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
});

/** agent streams a tool call, tools answers it, agent streams an answer: a real run of the engine. */
function toolGraph() {
  let turn = 0;
  return new StateGraph(State)
    .addNode('agent', (_state, runtime) => {
      turn++;
      const id = `m${turn}`;
      if (turn === 1) {
        runtime.writeMessage({ id, role: 'assistant', reasoning: 'Need the sum.' });
        runtime.writeMessage({
          id,
          role: 'assistant',
          tool_call_chunks: [{ index: 0, id: 'c1', name: 'calc', args: '{"e":' }],
        });
        runtime.writeMessage({
          id,
          role: 'assistant',
          tool_call_chunks: [{ index: 0, args: '"2+2"}' }],
        });
        return {
          messages: [
            {
              id,
              role: 'assistant',
              content: '',
              reasoning: 'Need the sum.',
              tool_calls: [
                {
                  id: 'c1',
                  type: 'function',
                  function: { name: 'calc', arguments: '{"e":"2+2"}' },
                },
              ],
              usage: { prompt_tokens: 10, completion_tokens: 5 },
            },
          ],
        };
      }
      runtime.writeMessage({ id, role: 'assistant', content: 'It is ' });
      runtime.writeMessage({ id, role: 'assistant', content: '4.' });
      return {
        messages: [
          {
            id,
            role: 'assistant',
            content: 'It is 4.',
            usage: { prompt_tokens: 20, completion_tokens: 3 },
          },
        ],
      };
    })
    .addNode('tools', () => ({
      messages: [{ role: 'tool', tool_call_id: 'c1', content: '4', id: 't1' }],
    }))
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', (s) => (s.messages.at(-1)?.tool_calls?.length ? 'tools' : END), [
      'tools',
      END,
    ])
    .addEdge('tools', 'agent')
    .compile({ checkpointer: new MemorySaver() });
}

describe('trace builder', () => {
  it('folds a real run into one row per superstep with tokens, tool calls, results and usage', async () => {
    const trace = emptyTrace();
    const seen: number[] = [];
    for await (const event of toolGraph().stream(
      { messages: [{ role: 'user', content: '2+2?' }] },
      { configurable: { thread_id: 't' }, streamMode: ['debug', 'messages', 'values'] },
    )) {
      applyEvent(trace, event);
      seen.push(trace.steps.length);
    }
    expect(trace.steps.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(pathTaken(trace)).toEqual(['agent', 'tools', 'agent']);
    expect(stepsTaken(trace)).toEqual([['agent'], ['tools'], ['agent']]);
    expect(runningTasks(trace)).toEqual([]);
    const [first, second, third] = trace.steps;
    expect(first.keysUpdated).toEqual(['messages']);
    expect(first.checkpointId).toBeTruthy();
    const call = first.tasks[0].messages[0];
    expect(call.reasoning).toBe('Need the sum.');
    expect(call.toolCalls).toEqual([
      { id: 'c1', name: 'calc', arguments: '{"e":"2+2"}', result: '4' },
    ]);
    expect(second.tasks[0].name).toBe('tools');
    expect(third.tasks[0].messages[0].content).toBe('It is 4.');
    expect(trace.usage).toEqual({ prompt_tokens: 30, completion_tokens: 8 });
    for (const s of trace.steps)
      for (const t of s.tasks) expect(t.endedAt).toBeGreaterThanOrEqual(t.startedAt);
  });

  it('shows a task as running until its result arrives, and ignores what it does not know', () => {
    const trace = emptyTrace();
    applyEvent(trace, [
      'debug',
      {
        type: 'task',
        step: 0,
        timestamp: new Date(0).toISOString(),
        payload: { id: 'a', name: 'agent', input: {} },
      },
    ]);
    expect(runningTasks(trace)).toEqual(['agent']);
    applyEvent(trace, ['custom', { anything: true }]);
    applyEvent(trace, 'not an event');
    applyEvent(trace, [
      'messages',
      [{ id: 'x', content: 'orphan' }, { langgraph_task_id: 'unknown' }],
    ]);
    expect(trace.steps).toHaveLength(1);
    expect(trace.steps[0].tasks[0].messages).toEqual([]);
  });
});

describe('ReAct transcript', () => {
  it('labels reasoning, calls, results and the answer as the paper does', () => {
    const lines = reactTranscript([
      { role: 'user', content: 'What is 2+2?' },
      {
        role: 'assistant',
        content: '',
        reasoning: 'Use the calculator.',
        tool_calls: [{ function: { name: 'calculator', arguments: '{"expression":"2+2"}' } }],
      },
      { role: 'tool', content: '4' },
      { role: 'assistant', content: 'It is 4.' },
    ]);
    expect(lines).toEqual([
      { kind: 'Question', text: 'What is 2+2?' },
      { kind: 'Thought', text: 'Use the calculator.' },
      { kind: 'Action', text: 'calculator({"expression":"2+2"})' },
      { kind: 'Observation', text: '4' },
      { kind: 'Final Answer', text: 'It is 4.' },
    ]);
  });
});

describe('trace usage', () => {
  it('counts a usage chunk once, even when the stored message carries the same usage', () => {
    const trace = emptyTrace();
    const at = new Date(0).toISOString();
    const meta = { langgraph_task_id: 'a' };
    const usage = { prompt_tokens: 7, completion_tokens: 2 };
    applyEvent(trace, [
      'debug',
      { type: 'task', step: 0, timestamp: at, payload: { id: 'a', name: 'llm' } },
    ]);
    applyEvent(trace, ['messages', [{ id: 'm', content: 'Hi' }, meta]]);
    applyEvent(trace, ['messages', [{ id: 'm', usage }, meta]]);
    applyEvent(trace, [
      'debug',
      {
        type: 'task_result',
        step: 0,
        timestamp: at,
        payload: {
          id: 'a',
          name: 'llm',
          result: [['messages', [{ id: 'm', role: 'assistant', content: 'Hi', usage }]]],
        },
      },
    ]);
    expect(trace.usage).toEqual(usage);
  });
});
