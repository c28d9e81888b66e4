// Smoke check of the bundled micro-agent model through Transformers.js in Node.
// Loads static-models/micro-agent offline, renders a chat with tools through the model's chat
// template, runs greedy generate() for the "current temperature, then its square" task as a
// small agent loop (fake weather tool, tiny calculator), prints every completion and tool call,
// then runs one forward pass and prints the output names and shapes.
// Usage: node scripts/check-micro-agent.mjs [--thinking]
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
env.localModelPath = join(root, 'static-models') + '/';
env.allowRemoteModels = false;
env.allowLocalModels = true;

const thinking = process.argv.includes('--thinking');
const tokenizer = await AutoTokenizer.from_pretrained('micro-agent', { local_files_only: true });
const model = await AutoModelForCausalLM.from_pretrained('micro-agent', {
  local_files_only: true,
  dtype: 'fp32',
});

const tools = [
  {
    type: 'function',
    function: {
      name: 'get_current_temperature',
      description: 'Get the current temperature at a location.',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['location'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'calculator',
      description: 'Evaluate an arithmetic expression with + - * / and parentheses.',
      parameters: {
        type: 'object',
        properties: { expression: { type: 'string' } },
        required: ['expression'],
      },
    },
  },
];

// Tiny arithmetic evaluator (no eval): numbers, + - * /, parentheses, unary minus.
function calculate(src) {
  const toks = src.match(/\d+(?:\.\d+)?|[-+*/()]/g) ?? [];
  let i = 0;
  const peek = () => toks[i];
  const factor = () => {
    const t = toks[i++];
    if (t === '-') return -factor();
    if (t === '(') {
      const v = expr();
      i++;
      return v;
    }
    const v = Number(t);
    if (Number.isNaN(v)) throw new Error(`bad token ${t}`);
    return v;
  };
  const term = () => {
    let v = factor();
    while (peek() === '*' || peek() === '/') v = toks[i++] === '*' ? v * factor() : v / factor();
    return v;
  };
  const expr = () => {
    let v = term();
    while (peek() === '+' || peek() === '-') v = toks[i++] === '+' ? v + term() : v - term();
    return v;
  };
  return String(expr());
}
// Observations in the format the app's tools return (and the model was trained on): JSON with
// a space after ':' and ',', as Python's json.dumps writes it.
const observation = (value) => JSON.stringify(value).replace(/":/g, '": ').replace(/,"/g, ', "');
function runTool(name, args) {
  if (name === 'get_current_temperature')
    return observation({ location: args.location, temperature: 21, unit: 'celsius' });
  if (name !== 'calculator') return observation({ error: `unknown tool ${name}` });
  // what the model wrote may not be arithmetic: the error is its observation, not a crash
  try {
    return calculate(String(args.expression));
  } catch (error) {
    return observation({
      error: `cannot evaluate ${JSON.stringify(args.expression)}: ${error.message}`,
    });
  }
}

const messages = [
  { role: 'user', content: 'What is the current temperature in Paris? Then compute its square.' },
];
const started = performance.now();
let prompt = '';
for (let step = 0; step < 4; step++) {
  prompt = tokenizer.apply_chat_template(messages, {
    tools,
    add_generation_prompt: true,
    enable_thinking: thinking,
    tokenize: false,
  });
  if (step === 0) console.log(`--- rendered prompt ---\n${prompt}\n-----------------------`);
  const inputs = tokenizer(prompt, { add_special_tokens: false });
  const out = await model.generate({ ...inputs, max_new_tokens: 96, do_sample: false });
  const completion = tokenizer.decode(out.slice(null, [inputs.input_ids.dims[1], null]), {
    skip_special_tokens: true,
  });
  console.log(`[step ${step}] completion: ${JSON.stringify(completion)}`);
  const reasoning = completion.match(/<think>\n?([\s\S]*?)\n?<\/think>/)?.[1] ?? '';
  const rest = completion.split('</think>').pop().replace(/^\n+/, '');
  const m = rest.match(/<tool_call>([\s\S]*?)<\/tool_call>/);
  if (!m) {
    console.log(`final answer: ${JSON.stringify(rest)}`);
    break;
  }
  const call = JSON.parse(m[1]);
  console.log(`tool call: ${call.name}(${JSON.stringify(call.arguments)})`);
  const result = runTool(call.name, call.arguments);
  console.log(`tool result: ${result}`);
  messages.push({
    role: 'assistant',
    content: '',
    reasoning_content: reasoning,
    tool_calls: [
      {
        id: `call_${step}`,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      },
    ],
  });
  messages.push({ role: 'tool', tool_call_id: `call_${step}`, content: result });
}
console.log(`agent loop took ${((performance.now() - started) / 1000).toFixed(2)} s`);

const inputs = tokenizer(prompt, { add_special_tokens: false });
const outputs = await model(inputs);
console.log(`--- forward pass on ${inputs.input_ids.dims[1]} tokens ---`);
for (const [name, t] of Object.entries(outputs))
  console.log(`${name} [${t.dims.join(', ')}] ${t.type}`);
