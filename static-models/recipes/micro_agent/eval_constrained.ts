/**
 * Tool-call validity of the shipped ONNX model through our Transformers.js engine, with and
 * without grammar-constrained decoding (XGrammar), on the held-out conversations' first
 * turns (data/test.jsonl from data.py). Greedy. Prints one JSON summary.
 *
 *   node --import tsx static-models/recipes/micro_agent/eval_constrained.ts [--limit N]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TransformersChatModel } from '../../../src/lib/llm/engines/transformers.js';
import type { Message, ToolSpec } from '../../../src/lib/llm/types.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const limitAt = process.argv.indexOf('--limit');
const limit = limitAt > 0 ? Number(process.argv[limitAt + 1]) : Infinity;

interface Conversation {
  task: string;
  tools?: ToolSpec[];
  messages: Array<Message & { tool_calls?: unknown[] }>;
}

const conversations = readFileSync(here('./data/test.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Conversation)
  .filter((c) => c.tools?.length && c.messages[1]?.tool_calls?.length)
  .slice(0, limit);

const model = await TransformersChatModel.load({
  model: 'micro-agent',
  localModelPath: here('../../'),
  allowRemoteModels: false,
  device: 'cpu',
});

const summary: Record<string, { calls: number; valid: number; turns: number }> = {};
for (const constrained of [false, true]) {
  const key = constrained ? 'constrained' : 'unconstrained';
  const s = (summary[key] = { calls: 0, valid: 0, turns: 0 });
  for (const c of conversations) {
    const result = await model.invoke(c.messages.slice(0, 1), {
      tools: c.tools,
      constrainedDecoding: constrained,
      maxTokens: 160,
    });
    s.turns++;
    const attempted = (result.message.tool_calls?.length ?? 0) + (result.toolCallErrors?.length ?? 0);
    s.calls += attempted;
    s.valid += result.message.tool_calls?.length ?? 0;
  }
}
const rate = (s: { calls: number; valid: number }) => (s.calls ? (100 * s.valid) / s.calls : 0);
console.log(
  JSON.stringify({
    turns: conversations.length,
    unconstrained: { ...summary.unconstrained, valid_percent: rate(summary.unconstrained) },
    constrained: { ...summary.constrained, valid_percent: rate(summary.constrained) },
  }),
);
