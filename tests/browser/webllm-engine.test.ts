/**
 * WebLLM needs WebGPU. In a browser without a usable adapter (this Chromium runs without
 * the WebGPU flags), loading explains why and offers engines that work, instead of
 * throwing WebLLM's own error.
 */
import { expect, it } from 'vitest';
import { detectWebGpu } from '../../src/lib/llm/device';
import { WebLLMChatModel } from '../../src/lib/llm/engines/webllm';
import { EngineUnavailableError } from '../../src/lib/llm/types';

it('explains a missing WebGPU and offers the other engines', async () => {
  const webgpu = await detectWebGpu();
  expect(webgpu.available).toBe(false);
  const error = await WebLLMChatModel.load({ model: 'qwen3-0.6b' }).catch((e) => e);
  expect(error).toBeInstanceOf(EngineUnavailableError);
  expect(error.explanation).toBe(webgpu.reason);
  expect(error.alternatives.map((a: { engine: string }) => a.engine)).toEqual([
    'transformers',
    'openai',
  ]);
  expect(error.message).toMatch(/Try instead: transformers on wasm/);
});
