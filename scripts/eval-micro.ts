/**
 * Evaluates a model on your own tasks with the built-in tools (offline mode) in a ReAct
 * loop, in Node:
 *
 *   npm run eval:micro -- --tasks FILE.jsonl [--out FILE] [--max-steps N]
 *                         [--model micro-agent] [--max-tokens N] [--no-thinking]
 *
 * Each input line is `{"prompt": "...", ...anything}`. Each output line (stdout, or
 * --out) is `{line, prompt, tool_calls, invalid_tool_calls, observations, final_answer,
 * steps, tokens: {prompt, completion}, error?}`. A summary goes to stderr. A malformed
 * input line yields an error record for that line; the run goes on.
 */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createReactAgent } from '../src/lib/agents/react-agent.js';
import { formatEvalSummary, runEvalTask, summarizeEval } from '../src/lib/agents/task-eval.js';
import { TransformersChatModel } from '../src/lib/llm/engines/transformers.js';
import { builtinTools, parsePassagesJsonl } from '../src/lib/tools/index.js';

const STATIC_MODELS = fileURLToPath(new URL('../static-models/', import.meta.url));
const CORPUS = resolve(STATIC_MODELS, 'corpus/passages.jsonl');

const USAGE =
  'usage: npm run eval:micro -- --tasks FILE.jsonl [--out FILE] [--max-steps N] ' +
  '[--model micro-agent] [--max-tokens N] [--no-thinking]';

function fail(message: string): never {
  process.stderr.write(`eval:micro: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a positive integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        tasks: { type: 'string' },
        out: { type: 'string' },
        'max-steps': { type: 'string' },
        'max-tokens': { type: 'string' },
        model: { type: 'string', default: 'micro-agent' },
        'no-thinking': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.tasks) fail('--tasks is required');
  if (!existsSync(values.tasks)) fail(`no such task file: ${values.tasks}`);
  const maxSteps = positiveInteger(values['max-steps'], '--max-steps', 6);
  const maxTokens = positiveInteger(values['max-tokens'], '--max-tokens', 256);
  const model = values.model!;
  if (!existsSync(resolve(STATIC_MODELS, model, 'onnx', 'model.onnx'))) {
    fail(
      `model ${model} is not in ${STATIC_MODELS} (expected ${model}/onnx/model.onnx); ` +
        'train it with its recipe in static-models/recipes/',
    );
  }

  const started = performance.now();
  const chatModel = await TransformersChatModel.load({
    model,
    localModelPath: STATIC_MODELS,
    allowRemoteModels: false,
    device: 'cpu',
  });
  const tools = builtinTools({
    passages: parsePassagesJsonl(readFileSync(CORPUS, 'utf8')),
    weatherMode: 'offline',
  });
  const agent = createReactAgent({
    model: chatModel,
    tools,
    maxSteps,
    // Greedy, so an eval is reproducible.
    modelOptions: {
      temperature: 0,
      maxTokens,
      ...(values['no-thinking'] ? { thinking: { enabled: false } } : {}),
    },
  });

  const out = values.out ? createWriteStream(values.out) : process.stdout;
  const lines = readFileSync(values.tasks, 'utf8').split('\n');
  const records = [];
  for (const [i, text] of lines.entries()) {
    if (text.trim() === '') continue;
    const record = await runEvalTask(agent, text, i + 1, { maxSteps });
    records.push(record);
    out.write(JSON.stringify(record) + '\n');
  }
  if (out !== process.stdout) await new Promise<void>((done) => out.end(done));
  await chatModel.dispose();
  const summary = summarizeEval(records, (performance.now() - started) / 1000);
  process.stderr.write(`eval:micro: ${formatEvalSummary(summary)}\n`);
}

await main();
