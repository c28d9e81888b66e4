import { describe, expect, it } from 'vitest';
import * as llm from '../../src/lib/llm/index.js';
import {
  EngineUnavailableError,
  GenerationAbortedError,
  ModelLoadError,
  collectChatStream,
  throwIfAborted,
  toMessageChunk,
  type ChatChunk,
  type ChatModel,
  type ChatResult,
  type Usage,
} from '../../src/lib/llm/index.js';

const usage: Usage = {
  promptTokens: 10,
  completionTokens: 3,
  reasoningTokens: 0,
  cachedPromptTokens: 0,
  timeToFirstTokenMs: 5,
  prefillTokensPerSecond: 2000,
  decodeTokensPerSecond: 50,
  engine: 'transformers',
  model: 'micro-agent',
};

/** A scripted model: what an engine looks like from a graph node. */
function scriptedModel(chunks: ChatChunk[]): ChatModel {
  const model: ChatModel = {
    info: { engine: 'transformers', model: 'micro-agent', device: 'wasm', dtype: 'fp32' },
    async *stream() {
      yield* chunks;
    },
    invoke: (messages, options) => collectChatStream(model.stream(messages, options)),
  };
  return model;
}

describe('ChatModel contract helpers', () => {
  const final: ChatChunk = {
    type: 'final',
    message: { role: 'assistant', content: 'Hi there' },
    usage,
    finishReason: 'stop',
  };

  it('collectChatStream returns the final chunk as a result', async () => {
    const model = scriptedModel([
      { type: 'token', text: 'Hi', tokenId: 1, logprob: -0.1 },
      { type: 'token', text: ' there' },
      final,
    ]);
    const result: ChatResult = await model.invoke([{ role: 'user', content: 'hello' }]);
    expect(result).toEqual({
      message: { role: 'assistant', content: 'Hi there' },
      usage,
      finishReason: 'stop',
    });
  });

  it('collectChatStream rejects a stream without a final chunk', async () => {
    await expect(
      collectChatStream(scriptedModel([{ type: 'token', text: 'x' }]).stream([])),
    ).rejects.toThrow(/without a final chunk/);
  });

  it('toMessageChunk maps chunks to the graph messages stream mode', () => {
    expect(toMessageChunk({ type: 'token', text: 'a' }, 'm1')).toEqual({
      id: 'm1',
      role: 'assistant',
      content: 'a',
    });
    expect(toMessageChunk({ type: 'reasoning', text: 'r' }, 'm1')).toEqual({
      id: 'm1',
      role: 'assistant',
      reasoning: 'r',
    });
    expect(
      toMessageChunk(
        { type: 'tool_call_delta', index: 0, id: 'c', name: 'f', argumentsDelta: '{' },
        'm1',
      ),
    ).toEqual({
      id: 'm1',
      role: 'assistant',
      tool_call_chunks: [{ index: 0, id: 'c', name: 'f', args: '{' }],
    });
    expect(toMessageChunk(final, 'm1')).toBeUndefined();
  });
});

describe('errors', () => {
  it('GenerationAbortedError is an AbortError, raised by throwIfAborted', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    controller.abort('user cancelled');
    let caught: unknown;
    try {
      throwIfAborted(controller.signal);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GenerationAbortedError);
    expect((caught as Error).name).toBe('AbortError');
    expect((caught as Error).cause).toBe('user cancelled');
  });

  it('EngineUnavailableError explains and suggests alternatives', () => {
    const error = new EngineUnavailableError('webllm', 'this browser has no WebGPU adapter.', [
      { engine: 'transformers', device: 'wasm', reason: 'runs on the CPU, slower' },
      { engine: 'openai', reason: 'a local server such as Ollama' },
    ]);
    expect(error.message).toBe(
      'webllm is not available: this browser has no WebGPU adapter. Try instead: transformers on wasm ' +
        '(runs on the CPU, slower); openai (a local server such as Ollama).',
    );
    expect(error.alternatives).toHaveLength(2);
    expect(error.name).toBe('EngineUnavailableError');
  });

  it('ModelLoadError keeps engine, model and cause', () => {
    const cause = new Error('quota exceeded');
    const error = new ModelLoadError(
      'transformers',
      'onnx-community/Qwen3-0.6B-ONNX',
      'Download failed.',
      {
        cause,
      },
    );
    expect(error).toMatchObject({
      engine: 'transformers',
      model: 'onnx-community/Qwen3-0.6B-ONNX',
      cause,
    });
  });
});

describe('public index', () => {
  it('exports the core API', () => {
    for (const name of [
      'parseToolCalls',
      'ToolCallStreamParser',
      'AssistantOutputParser',
      'splitThinking',
      'ThinkingBudget',
      'sample',
      'createRng',
      'StopStringMatcher',
      'PrefixCache',
      'kvBytes',
      'validateJsonSchema',
      'ToolCallParseError',
    ]) {
      expect(llm).toHaveProperty(name);
    }
  });
});
