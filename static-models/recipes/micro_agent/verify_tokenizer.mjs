// Checks that Transformers.js tokenizes exactly like tokenizer.py.
// Usage: node verify_tokenizer.mjs MODEL_DIR IDS.jsonl   (IDS.jsonl: {text, ids} lines from tokenizer.py)
import { AutoTokenizer, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { dirname, basename, resolve } from 'node:path';

const [dir, idsPath] = process.argv.slice(2);
env.localModelPath = dirname(resolve(dir)) + '/';
env.allowRemoteModels = false;
const tok = await AutoTokenizer.from_pretrained(basename(resolve(dir)), { local_files_only: true });
let n = 0, idMismatch = 0, rtMismatch = 0;
for (const line of readFileSync(idsPath, 'utf8').split('\n')) {
	if (!line.trim()) continue;
	const { text, ids } = JSON.parse(line);
	const got = tok.encode(text, { add_special_tokens: false });
	if (JSON.stringify(got) !== JSON.stringify(ids)) {
		if (idMismatch < 3) {
			const i = got.findIndex((x, k) => x !== ids[k]);
			console.log('id mismatch at', i, JSON.stringify(text.slice(0, 200)), got.slice(Math.max(0, i - 3), i + 5), ids.slice(Math.max(0, i - 3), i + 5));
		}
		idMismatch++;
	}
	const dec = tok.decode(got, { skip_special_tokens: false });
	if (dec !== text) {
		if (rtMismatch < 3) console.log('round-trip mismatch', JSON.stringify(text.slice(0, 120)), JSON.stringify(dec.slice(0, 120)));
		rtMismatch++;
	}
	n++;
}
const sample = '<|im_start|>assistant\n<think>\nok\n</think>\n\n<tool_call>{"name": "calculator", "arguments": {"expression": "21 * 21"}}</tool_call><|im_end|>';
const skip = tok.decode(tok.encode(sample, { add_special_tokens: false }), { skip_special_tokens: true });
console.log(JSON.stringify({ texts: n, idMismatch, roundTripMismatch: rtMismatch, skipSpecialDecode: skip }));
if (idMismatch || rtMismatch) process.exit(1);
