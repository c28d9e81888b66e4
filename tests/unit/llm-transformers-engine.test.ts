/**
 * The Transformers.js engine and our decode loop on the real micro model (ONNX through
 * onnxruntime-node): greedy output equals Transformers.js' own generate(), KV forking
 * reuses the prefill without changing results, sampling is seeded, logprobs are the
 * model's, stop strings and aborts work, and the OpenAI-compatible engine round-trips
 * through a loopback server serving the same model.
 */
import { fileURLToPath } from 'node:url';
import { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAICompatibleChatModel } from '../../src/lib/llm/engines/openai.js';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers.js';
import { startOpenAIServer, type RunningOpenAIServer } from '../../src/lib/llm/openai-server.js';
import { logSoftmax } from '../../src/lib/llm/sampler.js';
import type { Message, ToolSpec } from '../../src/lib/llm/types.js';

const MODELS = fileURLToPath(new URL('../../static-models/', import.meta.url));

const tools: ToolSpec[] = [
  {
    type: 'function',
    function: {
      name: 'calculator',
      description: 'Evaluate an arithmetic expression.',
      parameters: {
        type: 'object',
        properties: { expression: { type: 'string' } },
        required: ['expression'],
      },
    },
  },
];
const question: Message[] = [{ role: 'user', content: 'What is 12 times 7?' }];

let model: TransformersChatModel;

beforeAll(async () => {
  model = await TransformersChatModel.load({
    model: 'micro-agent',
    localModelPath: MODELS,
    allowRemoteModels: false,
    device: 'cpu',
  });
}, 60_000);

describe('decode loop on the micro model', () => {
  it('greedy decoding matches Transformers.js generate() token for token', async () => {
    const prompt = model.renderPrompt(question, { tools });
    const ids = model.lm.encode(prompt);
    const ours = await model.loop.generate(ids, { maxTokens: 24, temperature: 0 });
    const input_ids = new Tensor(
      'int64',
      BigInt64Array.from(ids, (t) => BigInt(t)),
      [1, ids.length],
    );
    const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [
      1,
      ids.length,
    ]);
    const output = (await model.lm.model.generate({
      input_ids,
      attention_mask,
      max_new_tokens: ours.tokenIds.length,
      do_sample: false,
    } as never)) as Tensor;
    const theirs = Array.from(output.data as BigInt64Array, Number).slice(ids.length);
    // generate() includes a final stop token; ours ends before it.
    expect(theirs.slice(0, ours.tokenIds.length)).toEqual(ours.tokenIds);
  }, 60_000);

  it('n continuations of one prompt prefill it once and match uncached generation', async () => {
    model.loop.cache.clear();
    const grouped = await model.invoke(question, {
      tools,
      n: 4,
      temperature: 0.9,
      seed: 7,
      maxTokens: 16,
    });
    const promptTokens = grouped.usage.promptTokens / 4;
    expect(grouped.usage.cachedPromptTokens).toBe(3 * promptTokens);
    expect(grouped.choices).toHaveLength(4);
    model.loop.cache.clear();
    for (let i = 0; i < 4; i++) {
      model.loop.cache.clear();
      const single = await model.invoke(question, {
        tools,
        temperature: 0.9,
        seed: 7 + i,
        maxTokens: 16,
      });
      expect(single.usage.cachedPromptTokens).toBe(0);
      expect(single.message.content).toBe(grouped.choices?.[i].message.content);
    }
  }, 120_000);

  it('reuses a shared prefix of a different prompt by slicing the cached KV', async () => {
    model.loop.cache.clear();
    const long = model.lm.encode(model.renderPrompt(question, { tools }));
    const first = await model.loop.generate(long, { maxTokens: 4 });
    const branch = [
      ...long.slice(0, long.length - 3),
      ...model.lm.encode(' Please answer briefly.'),
    ];
    const cachedRun = await model.loop.generate(branch, { maxTokens: 8 });
    expect(first.cachedPromptTokens).toBe(0);
    expect(cachedRun.cachedPromptTokens).toBe(long.length - 3);
    model.loop.cache.clear();
    const fresh = await model.loop.generate(branch, { maxTokens: 8 });
    expect(fresh.cachedPromptTokens).toBe(0);
    expect(cachedRun.tokenIds).toEqual(fresh.tokenIds);
  }, 60_000);

  it('snapshots the cache as a prefix tree: a child prompt extends its parent, the prefix is reused', async () => {
    model.loop.cache.clear();
    const before = (await model.kvSnapshot()).totals;
    const parent = model.lm.encode(model.renderPrompt(question));
    const child = [...parent, ...model.lm.encode('Answer with one number.')];
    const sibling = [...parent, ...model.lm.encode('Show the product.')];
    for (const prompt of [parent, child, sibling])
      await model.loop.generate(prompt, { maxTokens: 2 });
    const { root, totals } = await model.kvSnapshot();
    // root → parent span (cached) → two branches (cached)
    expect(root.length).toBe(0);
    expect(root.children).toHaveLength(1);
    const shared = root.children[0];
    expect(shared).toMatchObject({ start: 0, length: parent.length, cached: true, entries: 3 });
    expect(shared.children.map((c) => c.start)).toEqual([parent.length, parent.length]);
    expect(shared.text).toBe(model.lm.decode(parent));
    expect(shared.entryBytes).toBeGreaterThan(0);
    expect(shared.bytes).toBe(shared.entryBytes);
    expect(totals.entries).toBe(3);
    // each entry holds its whole sequence; stored once, the shared prefix would count once
    expect(totals.bytesInUse).toBe(
      shared.entryBytes + shared.children.reduce((s, c) => s + c.entryBytes, 0),
    );
    expect(totals.sharedBytes).toBeLessThan(totals.bytesInUse);
    expect(totals.prefills - before.prefills).toBe(3);
    expect(totals.reusedTokens - before.reusedTokens).toBe(2 * parent.length);
    expect(totals.promptTokens - before.promptTokens).toBe(
      parent.length + child.length + sibling.length,
    );
    expect(totals.hitRatio).toBeGreaterThan(0);
  }, 60_000);

  it('samples reproducibly from a seed and reports the model’s logprobs', async () => {
    const a = await model.invoke(question, {
      temperature: 1,
      seed: 42,
      maxTokens: 12,
      logprobs: 3,
    });
    const b = await model.invoke(question, {
      temperature: 1,
      seed: 42,
      maxTokens: 12,
      logprobs: 3,
    });
    expect(a.logprobs?.map((l) => l.tokenId)).toEqual(b.logprobs?.map((l) => l.tokenId));
    // The first token's logprob equals log-softmax of a fresh forward pass at that position.
    const ids = model.lm.encode(model.renderPrompt(question));
    const { logits } = await model.lm.forward(ids, null);
    const first = a.logprobs?.[0];
    expect(first).toBeDefined();
    expect(first?.logprob).toBeCloseTo(logSoftmax(logits)[first?.tokenId as number], 4);
    expect(first?.topLogprobs).toHaveLength(3);
  }, 60_000);

  it('stops at a stop string without showing it, and aborts promptly', async () => {
    const free = await model.invoke(question, { maxTokens: 20 });
    const text = free.message.content + (free.message.reasoning ?? '');
    if (text.length > 4) {
      const stopAt = free.message.content.slice(2, 4) || text.slice(2, 4);
      const stopped = await model.invoke(question, { maxTokens: 20, stop: [stopAt] });
      expect(stopped.finishReason).toBe('stop');
      expect(stopped.message.content).not.toContain(stopAt);
    }
    const controller = new AbortController();
    const chunks: string[] = [];
    const run = (async () => {
      for await (const chunk of model.stream(question, {
        maxTokens: 200,
        signal: controller.signal,
      })) {
        if (chunk.type !== 'final') chunks.push(chunk.type);
        if (chunks.length === 2) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  }, 60_000);
});

describe('OpenAI-compatible engine against a loopback server serving the micro model', () => {
  let server: RunningOpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ model });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams the same completion as the local engine', async () => {
    const remote = new OpenAICompatibleChatModel({ baseUrl: server.url, model: 'micro-agent' });
    const local = await model.invoke(question, { tools, maxTokens: 24 });
    const chunks: string[] = [];
    let final;
    for await (const chunk of remote.stream(question, { tools, maxTokens: 24 })) {
      if (chunk.type === 'final') final = chunk;
      else chunks.push(chunk.type);
    }
    expect(final?.message.content).toBe(local.message.content);
    expect(final?.message.tool_calls?.map((c) => c.function)).toEqual(
      local.message.tool_calls?.map((c) => c.function),
    );
    expect(final?.usage.completionTokens).toBe(local.usage.completionTokens);
    expect(final?.usage.engine).toBe('openai');
  }, 60_000);

  it('turns HTTP errors and unreachable servers into clear errors', async () => {
    const wrongModel = new OpenAICompatibleChatModel({ baseUrl: server.url, model: 'nope' });
    await expect(wrongModel.invoke(question)).rejects.toThrow(/404: Unknown model "nope"/);
    const nowhere = new OpenAICompatibleChatModel({ baseUrl: 'http://127.0.0.1:9/v1', model: 'x' });
    await expect(nowhere.invoke(question)).rejects.toThrow(/Could not reach/);
  });
});
