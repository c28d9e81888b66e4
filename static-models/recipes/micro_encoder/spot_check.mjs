// Spot check: Transformers.js + the exported ONNX must reproduce what PyTorch computed in export.py
// (data/spot.json): the same token ids, the same mean-pooled embeddings (to 1e-4), the same top
// fill-mask prediction through the `fill-mask` pipeline.
// Usage: node spot_check.mjs [MODEL_DIR]
import { AutoModel, AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, '..', '..', 'micro-encoder'));
env.localModelPath = dirname(dir) + '/';
env.allowRemoteModels = false;
const spot = JSON.parse(readFileSync(join(here, 'data', 'spot.json'), 'utf8'));
const opts = { local_files_only: true, dtype: 'fp32' };
const tok = await AutoTokenizer.from_pretrained(basename(dir), opts);
const model = await AutoModel.from_pretrained(basename(dir), opts);
let failures = 0;

spot.texts.forEach((text, i) => {
	const ids = Array.from(tok(text).input_ids.data, Number);
	const same = JSON.stringify(ids) === JSON.stringify(spot.ids[i]);
	if (!same) failures++;
	console.log(`${same ? 'same' : 'DIFF'} ids: ${JSON.stringify(text)}`);
});

const inputs = tok(spot.texts, { padding: true });
const { last_hidden_state: h } = await model(inputs);
const [B, T, D] = h.dims;
const mask = inputs.attention_mask.data;
let maxDiff = 0;
for (let b = 0; b < B; b++) {
	const pooled = new Float64Array(D);
	let n = 0;
	for (let t = 0; t < T; t++) {
		if (!Number(mask[b * T + t])) continue;
		n++;
		for (let d = 0; d < D; d++) pooled[d] += h.data[(b * T + t) * D + d];
	}
	const norm = Math.hypot(...pooled.map((v) => v / n));
	for (let d = 0; d < D; d++)
		maxDiff = Math.max(maxDiff, Math.abs(pooled[d] / n / norm - spot.embeddings[b][d]));
}
console.log(`embeddings: max |difference| ${maxDiff.toExponential(2)}`);
if (!(maxDiff < 1e-4)) failures++;

const maskedIds = Array.from(tok(spot.masked).input_ids.data, Number);
if (JSON.stringify(maskedIds) !== JSON.stringify(spot.masked_ids)) {
	failures++;
	console.log(`DIFF masked ids ${JSON.stringify(maskedIds)} vs ${JSON.stringify(spot.masked_ids)}`);
}
const fill = await pipeline('fill-mask', basename(dir), opts);
const [best] = await fill(spot.masked, { top_k: 3 });
const same = best.token_str.trim() === spot.mask_top3[0].trim();
if (!same) failures++;
console.log(`${same ? 'same' : 'DIFF'} fill-mask top-1: ${JSON.stringify(best.token_str)} (PyTorch ${JSON.stringify(spot.mask_top3[0])})`);
console.log(failures ? `spot check: ${failures} failure(s)` : 'spot check: all identical');
process.exit(failures ? 1 : 0);
