/**
 * The micro model in real Chromium on WASM, through the inference worker: it loads from
 * the files the app serves (no network), streams chunks while the page stays responsive,
 * gives the same completion as running the engine on the page, and aborts promptly.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers';
import type { Message } from '../../src/lib/llm/types';
import { InferenceWorker, type WorkerChatModel } from '../../src/lib/llm/worker/worker-chat-model';

const LOCAL = {
  model: 'micro-agent',
  localModelPath: '/static-models/',
  allowRemoteModels: false,
  wasmPaths: '/ort/',
  device: 'wasm' as const,
};
const question: Message[] = [
  { role: 'user', content: 'What is the temperature in Paris, squared?' },
];

let host: InferenceWorker;
let model: WorkerChatModel;
const progress: string[] = [];

beforeAll(async () => {
  host = InferenceWorker.create();
  model = await host.load(LOCAL, (p) => progress.push(p.status));
}, 120_000);

afterAll(() => host?.terminate());

it('loads the bundled model in the worker and reports progress', () => {
  expect(model.info).toMatchObject({
    engine: 'transformers',
    model: 'micro-agent',
    device: 'wasm',
  });
  expect(progress).toContain('done');
});

it('streams from the worker while the page stays responsive, matching the in-page engine', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const kinds: string[] = [];
  let final;
  const t0 = performance.now();
  for await (const chunk of model.stream(question, { maxTokens: 48, minTokens: 48 } as never)) {
    if (chunk.type === 'final') final = chunk;
    else kinds.push(chunk.type);
  }
  const elapsed = performance.now() - t0;
  clearInterval(timer);
  expect(final?.usage.completionTokens).toBeGreaterThan(0);
  // The main thread kept running its timers while the worker decoded.
  expect(ticks).toBeGreaterThan(Math.floor(elapsed / 5) * 0.5);

  const direct = await TransformersChatModel.load(LOCAL);
  const same = await direct.invoke(question, { maxTokens: 48 });
  const viaWorker = await model.invoke(question, { maxTokens: 48 });
  expect(viaWorker.message.content).toBe(same.message.content);
  expect(viaWorker.usage.completionTokens).toBe(same.usage.completionTokens);
}, 120_000);

it('aborts generation in the worker promptly', async () => {
  const controller = new AbortController();
  let chunks = 0;
  let abortedAt = 0;
  const run = (async () => {
    for await (const chunk of model.stream(question, {
      maxTokens: 2000,
      signal: controller.signal,
    })) {
      if (chunk.type !== 'final' && ++chunks === 3) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
  })();
  await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  // From abort() to the rejection: the worker stopped within a few decode steps.
  expect(performance.now() - abortedAt).toBeLessThan(500);
}, 60_000);

it('constrains a forced tool call with XGrammar in the browser worker', async () => {
  const result = await model.invoke(question, {
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_current_temperature',
          parameters: {
            type: 'object',
            properties: { location: { type: 'string', enum: ['Paris', 'Oslo'] } },
            required: ['location'],
          },
        },
      },
    ],
    toolChoice: { name: 'get_current_temperature' },
    temperature: 1,
    seed: 5,
    maxTokens: 64,
  });
  expect(result.toolCallErrors).toBeUndefined();
  expect(result.message.tool_calls?.[0].function.name).toBe('get_current_temperature');
  expect(['Paris', 'Oslo']).toContain(
    JSON.parse(result.message.tool_calls?.[0].function.arguments ?? '{}').location,
  );
}, 60_000);

it('answers a KV snapshot: the prompts it prefilled as a prefix tree with bytes and reuse', async () => {
  const before = await model.kvSnapshot();
  const first = await model.invoke(question, { maxTokens: 4 });
  const followUp: Message[] = [
    ...question,
    first.message,
    { role: 'user', content: 'And in Rome?' },
  ];
  await model.invoke(followUp, { maxTokens: 4 });
  const { root, totals } = await model.kvSnapshot();
  expect(totals.prefills - before.totals.prefills).toBe(2);
  // the follow-up's prompt extends the first prompt, whose KV is already cached
  expect(totals.reusedTokens).toBeGreaterThan(before.totals.reusedTokens);
  expect(totals.hitRatio).toBeGreaterThan(0);
  expect(totals.bytesInUse).toBeGreaterThan(0);
  expect(totals.evictions).toBe(0);
  expect(root.entries).toBe(totals.entries);
  const texts = JSON.stringify(root);
  expect(texts).toContain('And in Rome?');
});
