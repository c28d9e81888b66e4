// Renders conversations (JSONL: {tools, messages, enable_thinking, ...}) with the chat
// template through @huggingface/jinja, the engine Transformers.js uses, so training text is
// byte-identical to what apply_chat_template produces in the app.
// Output JSONL: {text, spans: [[start, end], ...]} (character offsets of trained assistant text).
// Usage: node render.mjs IN.jsonl OUT.jsonl
import { Template } from '@huggingface/jinja';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tpl = new Template(readFileSync(join(here, 'chat_template.jinja'), 'utf8'));
const special = { bos_token: '<|bos|>', eos_token: '<|im_end|>', pad_token: '<|pad|>' };
const render = (messages, tools, add_generation_prompt, enable_thinking) =>
	tpl.render({ ...special, messages, tools, add_generation_prompt, enable_thinking });

const [inPath, outPath] = process.argv.slice(2);
const out = [];
for (const line of readFileSync(inPath, 'utf8').split('\n')) {
	if (!line.trim()) continue;
	const c = JSON.parse(line);
	const tools = c.tools ?? undefined;
	const full = render(c.messages, tools, false, c.enable_thinking);
	const spans = [];
	c.messages.forEach((m, i) => {
		if (m.role !== 'assistant' || m.train === false) return;
		const prefix = render(c.messages.slice(0, i), tools, true, c.enable_thinking);
		const upto = render(c.messages.slice(0, i + 1), tools, false, c.enable_thinking);
		if (!full.startsWith(prefix) || !full.startsWith(upto)) throw new Error(`template not prefix-stable: ${line}`);
		// train on the generated text including <|im_end|>, not the template's newline after it
		spans.push([prefix.length, upto.length - 1]);
	});
	out.push(JSON.stringify({ text: full, spans }));
}
writeFileSync(outPath, out.join('\n') + '\n');
console.log(`rendered ${out.length} conversations`);
