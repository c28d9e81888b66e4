/**
 * In the browser, on the micro model: our decode loop against Transformers.js'
 * generate() for the same prompt and token count, then 8 continuations of a 256-token
 * shared prefix with KV forking against re-prefilling each.
 */
import { Tensor } from '@huggingface/transformers';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers';

const params = new URLSearchParams(location.search);
const device = (params.get('device') ?? 'wasm') as 'wasm' | 'webgpu';
const NEW_TOKENS = Number(params.get('tokens') ?? 64);
const ROUNDS = Number(params.get('rounds') ?? 5);
const PREFIX_TOKENS = 256;
const CONTINUATIONS = 8;
const CONTINUATION_TOKENS = Number(params.get('continuationTokens') ?? 16);
const FORK_ROUNDS = Number(params.get('forkRounds') ?? 3);
const t0 = performance.now();
const log = (what: string) =>
  console.log(`[bench ${device}] ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function run() {
  const model = await TransformersChatModel.load({
    model: 'micro-agent',
    localModelPath: '/static-models/',
    allowRemoteModels: false,
    wasmPaths: '/ort/',
    device,
  });
  const lm = model.lm;
  log('loaded');
  const prompt = lm.encode(model.renderPrompt([{ role: 'user', content: 'What is 12 times 7?' }]));

  const ours = async () => {
    model.loop.cache.clear();
    const t0 = performance.now();
    const r = await model.loop.generate(prompt, { maxTokens: NEW_TOKENS, minTokens: NEW_TOKENS });
    if (r.tokenIds.length !== NEW_TOKENS) throw new Error(`ours made ${r.tokenIds.length} tokens`);
    return performance.now() - t0;
  };
  const theirs = async () => {
    const input_ids = new Tensor(
      'int64',
      BigInt64Array.from(prompt, (t) => BigInt(t)),
      [1, prompt.length],
    );
    const attention_mask = new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [
      1,
      prompt.length,
    ]);
    const t0 = performance.now();
    await lm.model.generate({
      input_ids,
      attention_mask,
      max_new_tokens: NEW_TOKENS,
      min_new_tokens: NEW_TOKENS,
      do_sample: false,
    } as never);
    return performance.now() - t0;
  };
  await ours();
  await theirs();
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    oursMs.push(await ours());
    theirsMs.push(await theirs());
  }

  // A 256-token prefix: the rendered prompt padded with a long system message.
  const filler = lm.encode(' agents plan act and observe.'.repeat(200));
  const prefix = [...prompt, ...filler].slice(0, PREFIX_TOKENS);
  const continuations = async (fork: boolean) => {
    model.loop.cache.clear();
    let prefilled = 0;
    const t0 = performance.now();
    for (let i = 0; i < CONTINUATIONS; i++) {
      if (!fork) model.loop.cache.clear();
      const r = await model.loop.generate(prefix, {
        maxTokens: CONTINUATION_TOKENS,
        minTokens: CONTINUATION_TOKENS,
        temperature: 1,
        seed: i,
      });
      prefilled += r.promptTokens - r.cachedPromptTokens;
    }
    return { ms: performance.now() - t0, prefilled };
  };
  await continuations(true);
  const forked: number[] = [];
  const refilled: number[] = [];
  let forkedTokens = 0;
  let refilledTokens = 0;
  log('decode measured');
  for (let i = 0; i < FORK_ROUNDS; i++) {
    const a = await continuations(true);
    const b = await continuations(false);
    forked.push(a.ms);
    refilled.push(b.ms);
    forkedTokens = a.prefilled;
    refilledTokens = b.prefilled;
  }
  (window as unknown as { __bench: unknown }).__bench = {
    device,
    newTokens: NEW_TOKENS,
    oursMs: median(oursMs),
    generateMs: median(theirsMs),
    forkMs: median(forked),
    refillMs: median(refilled),
    forkPrefilledTokens: forkedTokens,
    refillPrefilledTokens: refilledTokens,
  };
  document.getElementById('status')!.textContent = 'done';
}

run().catch((error) => {
  (window as unknown as { __bench: unknown }).__bench = { error: String(error?.stack ?? error) };
});
