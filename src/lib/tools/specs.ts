/**
 * The tool specs the micro model was trained with, copied from `TOOL_SPECS` in
 * `static-models/recipes/micro_agent/tools.py`. Names, descriptions and parameters must
 * stay identical: the chat template renders them into the prompt, and the model learned
 * that exact text. `tools-python-parity.test.ts` compares them with the Python file.
 */
import type { JsonSchemaType } from '../llm/json-schema.js';
import type { ToolSpec } from '../llm/types.js';

function functionSpec(
  name: string,
  description: string,
  properties: Record<string, { type: JsonSchemaType; enum?: string[] }>,
  required: string[],
): ToolSpec {
  return {
    type: 'function',
    function: { name, description, parameters: { type: 'object', properties, required } },
  };
}

export const CALCULATOR_SPEC = functionSpec(
  'calculator',
  'Evaluate an arithmetic expression with + - * / and parentheses.',
  { expression: { type: 'string' } },
  ['expression'],
);

export const TEMPERATURE_SPEC = functionSpec(
  'get_current_temperature',
  'Get the current temperature at a location.',
  { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  ['location'],
);

export const CONVERT_UNITS_SPEC = functionSpec(
  'convert_units',
  'Convert a value between units: km mi m ft cm in kg lb g oz L gal C F.',
  { value: { type: 'number' }, from_unit: { type: 'string' }, to_unit: { type: 'string' } },
  ['value', 'from_unit', 'to_unit'],
);

export const SEARCH_SPEC = functionSpec(
  'search',
  'Search the knowledge corpus and return the best passages.',
  { query: { type: 'string' } },
  ['query'],
);

/** Listed in training prompts but never needed: the model learned to leave them alone. */
export const DISTRACTOR_SPECS: readonly ToolSpec[] = [
  functionSpec(
    'get_time',
    'Get the current local time in a time zone.',
    { timezone: { type: 'string' } },
    ['timezone'],
  ),
  functionSpec(
    'send_email',
    'Send an email.',
    { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
    ['to', 'subject', 'body'],
  ),
  functionSpec(
    'translate',
    'Translate text into another language.',
    { text: { type: 'string' }, target_language: { type: 'string' } },
    ['text', 'target_language'],
  ),
  functionSpec(
    'get_stock_price',
    'Get the latest price of a stock by ticker symbol.',
    { symbol: { type: 'string' } },
    ['symbol'],
  ),
  functionSpec(
    'create_reminder',
    'Create a reminder at a given time.',
    { text: { type: 'string' }, time: { type: 'string' } },
    ['text', 'time'],
  ),
];
