/**
 * Starts the loopback hub for `downloads.test.ts` in Node (Vitest runs `globalSetup` in
 * the Node process, not in the browser) and hands its address to the tests through
 * `provide` / `inject('hubUrl')`. The tests set faults and read the request log over HTTP.
 */
import type { TestProject } from 'vitest/node';
import { fakeBytes, startLoopbackHub, type LoopbackHub } from '../e2e/fixtures/loopback-hub';

declare module 'vitest' {
  export interface ProvidedContext {
    hubUrl: string;
  }
}

export const TINY_REPO = 'test-org/tiny-model';
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

let hub: LoopbackHub | undefined;

export async function setup(project: TestProject): Promise<void> {
  hub = await startLoopbackHub({
    [TINY_REPO]: {
      'config.json': json({ model_type: 'llama', vocab_size: 32 }),
      'generation_config.json': json({ eos_token_id: 2 }),
      'tokenizer.json': json({ model: { type: 'BPE', vocab: {} } }),
      'tokenizer_config.json': json({ eos_token: '</s>' }),
      'onnx/model.onnx': fakeBytes(1_000_000, 7),
      'onnx/model_q4.onnx': fakeBytes(300_000, 9),
    },
    'test-org/external-data': {
      'config.json': json({
        model_type: 'llama',
        'transformers.js_config': { use_external_data_format: { 'model_q4f16.onnx': 2 } },
      }),
      'tokenizer.json': json({}),
      'tokenizer_config.json': json({}),
      'onnx/model_q4f16.onnx': fakeBytes(1000, 3),
      'onnx/model_q4f16.onnx_data': fakeBytes(5000, 4),
      'onnx/model_q4f16.onnx_data_1': fakeBytes(7000, 5),
    },
  });
  project.provide('hubUrl', hub.url);
}

export async function teardown(): Promise<void> {
  await hub?.close();
}
