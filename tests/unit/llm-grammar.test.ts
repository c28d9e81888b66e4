/**
 * Grammar-constrained decoding with XGrammar on the real micro model: sampling at
 * temperature 1, every forced tool call parses and matches its tool's schema, and every
 * `json_schema` response matches its schema.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers.js';
import { validateJsonSchema } from '../../src/lib/llm/json-schema.js';
import { parseJsonLenientControls } from '../../src/lib/llm/tool-calls.js';
import type { JsonSchema, ToolSpec } from '../../src/lib/llm/types.js';

const calculator: ToolSpec = {
  type: 'function',
  function: {
    name: 'calculator',
    description: 'Evaluate an arithmetic expression.',
    // A pattern keeps a sampled string short and ASCII even when the model rambles.
    parameters: {
      type: 'object',
      properties: { expression: { type: 'string', pattern: '^[0-9+*/(). -]{1,24}$' } },
      required: ['expression'],
    },
  },
};
const weather: ToolSpec = {
  type: 'function',
  function: {
    name: 'get_current_temperature',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', enum: ['Oslo', 'Paris', 'Rome'] },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location'],
    },
  },
};
const SEEDS = [1, 2, 3, 4, 5];

let model: TransformersChatModel;
beforeAll(async () => {
  model = await TransformersChatModel.load({
    model: 'micro-agent',
    localModelPath: fileURLToPath(new URL('../../static-models/', import.meta.url)),
    allowRemoteModels: false,
    device: 'cpu',
  });
}, 60_000);

describe('grammar-constrained decoding', () => {
  it('forces a valid call of the named tool at temperature 1', async () => {
    for (const seed of SEEDS) {
      const result = await model.invoke([{ role: 'user', content: 'What is 12 times 7?' }], {
        tools: [calculator, weather],
        toolChoice: { name: 'calculator' },
        temperature: 1,
        seed,
        maxTokens: 96,
      });
      expect(result.toolCallErrors).toBeUndefined();
      expect(result.finishReason).toBe('tool_calls');
      const call = result.message.tool_calls?.[0];
      expect(call?.function.name).toBe('calculator');
      const args = JSON.parse(call?.function.arguments ?? 'null');
      expect(validateJsonSchema(args, calculator.function.parameters as JsonSchema)).toEqual([]);
      // Our validator does not check `pattern`; the grammar enforced it.
      expect(args.expression).toMatch(/^[0-9+*/(). -]{1,24}$/);
    }
  }, 60_000);

  it("toolChoice 'required' yields a valid call of one of the tools", async () => {
    for (const seed of SEEDS) {
      const result = await model.invoke([{ role: 'user', content: 'Weather in Oslo?' }], {
        tools: [calculator, weather],
        toolChoice: 'required',
        temperature: 1,
        seed,
        maxTokens: 96,
      });
      expect(result.toolCallErrors).toBeUndefined();
      const call = result.message.tool_calls?.[0];
      const tool = [calculator, weather].find((t) => t.function.name === call?.function.name);
      expect(tool).toBeDefined();
      const args = JSON.parse(call?.function.arguments ?? 'null');
      expect(validateJsonSchema(args, tool?.function.parameters as JsonSchema)).toEqual([]);
    }
  }, 60_000);

  it('makes a json_schema response match its schema', async () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { next: { type: 'string', enum: ['researcher', 'writer', 'FINISH'] } },
      required: ['next'],
    };
    for (const seed of SEEDS) {
      const result = await model.invoke([{ role: 'user', content: 'Who should act next?' }], {
        responseFormat: { type: 'json_schema', schema },
        temperature: 1,
        seed,
        maxTokens: 32,
      });
      const value = parseJsonLenientControls(result.message.content);
      expect(validateJsonSchema(value, schema)).toEqual([]);
    }
  }, 60_000);

  it('can be switched off per call', async () => {
    const result = await model.invoke([{ role: 'user', content: 'Who should act next?' }], {
      responseFormat: { type: 'json_schema', schema: { type: 'object' } },
      constrainedDecoding: false,
      temperature: 0,
      maxTokens: 8,
    });
    // Whatever the model writes: no grammar forced it into an object.
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  }, 30_000);
});
