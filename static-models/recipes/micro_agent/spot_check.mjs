// Spot check: greedy generate() through Transformers.js + the exported ONNX must reproduce the
// PyTorch greedy completions that eval.py wrote to data/spot.jsonl.
// Usage: node spot_check.mjs [MODEL_DIR]
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, '..', '..', 'micro-agent'));
env.localModelPath = dirname(dir) + '/';
env.allowRemoteModels = false;
const tok = await AutoTokenizer.from_pretrained(basename(dir), { local_files_only: true });
const model = await AutoModelForCausalLM.from_pretrained(basename(dir), { local_files_only: true, dtype: 'fp32' });
let same = 0, n = 0;
for (const line of readFileSync(join(here, 'data', 'spot.jsonl'), 'utf8').split('\n')) {
	if (!line.trim()) continue;
	const { task, prompt, completion } = JSON.parse(line);
	const inputs = tok(prompt, { add_special_tokens: false });
	const out = await model.generate({ ...inputs, max_new_tokens: 96, do_sample: false });
	const got = tok.decode(out.slice(null, [inputs.input_ids.dims[1], null]), { skip_special_tokens: false });
	const ok = got === completion;
	same += ok ? 1 : 0;
	n++;
	console.log(`${ok ? 'same' : 'DIFF'} ${task}: ${JSON.stringify(got)}${ok ? '' : ` vs torch ${JSON.stringify(completion)}`}`);
}
console.log(`spot check: ${same}/${n} completions identical to PyTorch greedy`);
if (same !== n) process.exit(1);
