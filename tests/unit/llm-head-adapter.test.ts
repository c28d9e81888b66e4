/**
 * The decode loop with a head adapter and recorded steps, on the bundled micro model in
 * Node: what the RL trainer samples and trains on must agree with what the loop did.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers.js';
import { countdownPrompt } from '../../src/lib/rl/countdown-search.js';
import { createLoraHead, headAdapterOf, sequenceLogProbs } from '../../src/lib/rl/lora-head.js';

const MODELS = fileURLToPath(new URL('../../static-models/', import.meta.url));
let model: TransformersChatModel;
let prompt: number[];

beforeAll(async () => {
  model = await TransformersChatModel.load({
    model: 'micro-agent',
    localModelPath: MODELS,
    allowRemoteModels: false,
    device: 'cpu',
  });
  const text = model.renderPrompt(
    [{ role: 'user', content: countdownPrompt({ nums: [3, 5, 7], target: 22 }) }],
    {},
  );
  prompt = model.lm.encode(text);
}, 60_000);

afterAll(() => model?.dispose());

describe('head adapters in the decode loop', () => {
  it('records every sampled token with its hidden state and base logits', async () => {
    const result = await model.loop.generate(prompt, { maxTokens: 24, recordSteps: true });
    const steps = result.steps!;
    expect(steps.length).toBeGreaterThan(0);
    // the sampled tokens, plus the stop token when generation ended on it
    expect(steps.map((s) => s.tokenId).slice(0, result.tokenIds.length)).toEqual(
      result.tokenIds.slice(0, steps.length),
    );
    for (const step of steps) {
      expect(step.hidden).toHaveLength(256);
      expect(step.baseLogits).toHaveLength(2048);
      // greedy: the token is the argmax of the logits it was drawn from
      let best = 0;
      for (let i = 1; i < step.baseLogits.length; i++)
        if (step.baseLogits[i] > step.baseLogits[best]) best = i;
      expect(step.tokenId).toBe(best);
    }
  });

  it('a fresh LoRA head (B = 0) changes nothing', async () => {
    const plain = await model.loop.generate(prompt, { maxTokens: 24 });
    const adapted = await model.loop.generate(prompt, {
      maxTokens: 24,
      headAdapter: headAdapterOf(createLoraHead({ vocab: 2048, dim: 256, rank: 4, seed: 1 })),
    });
    expect(adapted.tokenIds).toEqual(plain.tokenIds);
  });

  it("samples from the adapted policy, and the trainer's log-probabilities match the loop's", async () => {
    const head = createLoraHead({ vocab: 2048, dim: 256, rank: 4, seed: 2 });
    for (let i = 0; i < head.B.length; i++) head.B[i] = Math.sin(i) * 3; // large enough to move a confident model
    const plain = await model.loop.generate(prompt, { maxTokens: 16, temperature: 1, seed: 3 });
    const result = await model.loop.generate(prompt, {
      maxTokens: 16,
      temperature: 1,
      seed: 3,
      logprobs: true,
      recordSteps: true,
      headAdapter: headAdapterOf(head),
    });
    expect(result.tokenIds).not.toEqual(plain.tokenIds);
    // the loop's recorded steps are the trainer's input as they are
    const [trainerLogp] = sequenceLogProbs(head, [result.steps!]);
    const loopLogp = result.logprobs!.map((l) => l.logprob);
    for (let t = 0; t < loopLogp.length; t++) expect(trainerLogp[t]).toBeCloseTo(loopLogp[t], 3);
  });
});
