/**
 * The TypeScript tools against the Python ones the micro model was trained with
 * (`static-models/recipes/micro_agent/tools.py`): for a seeded sample of inputs both must
 * write the same observation text, byte for byte, and the specs must be identical.
 * Needs Debian's `/usr/bin/python3` (standard library only); skipped with a message
 * without it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  Bm25Index,
  calculate,
  CALCULATOR_SPEC,
  CONVERT_UNITS_SPEC,
  convertUnits,
  createWeatherTool,
  DISTRACTOR_SPECS,
  parsePassagesJsonl,
  SEARCH_SPEC,
  searchResponse,
  TEMPERATURE_SPEC,
} from '../../src/lib/tools/index.js';

const PYTHON = '/usr/bin/python3';
const RECIPE_DIR = fileURLToPath(
  new URL('../../static-models/recipes/micro_agent/', import.meta.url),
);
const CORPUS = fileURLToPath(new URL('../../static-models/corpus/passages.jsonl', import.meta.url));
const havePython = existsSync(PYTHON);
if (!havePython) {
  console.warn(`tools-python-parity: SKIPPED, ${PYTHON} is missing (apt-get install python3)`);
}

/** Runs tools.py on the inputs in one Python process and returns its outputs. */
function runPython(inputs: unknown): Record<string, unknown> {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(RECIPE_DIR)})
import tools as T
inp = json.load(sys.stdin)
bm25 = T.BM25(T.load_corpus())
def weather(loc, unit):
    t = T.weather_temp(loc)
    return json.dumps({"location": loc, "temperature": t if unit == "celsius" else T.c_to_f(t), "unit": unit})
print(json.dumps({
    "specs": T.TOOL_SPECS,
    "calculator": [T.calculator(e) for e in inp["calculator"]],
    "weather": [weather(l, u) for l, u in inp["weather"]],
    "units": [T.convert_units(v, f, t) for v, f, t in inp["units"]],
    "search": [T.search_response(bm25, q) for q in inp["search"]],
}))
`;
  const result = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(inputs),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** A small seeded PRNG (mulberry32) so the sample is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random expressions in the grammar tools.py accepts: numbers, + - * /, signs, parentheses. */
function randomExpressions(count: number, random: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const number = (): string =>
    pick([
      () => String(Math.floor(random() * 1000)),
      () => String(Math.floor(random() * 100)),
      () => (random() * 100).toFixed(Math.floor(random() * 4) + 1),
      () => `${Math.floor(random() * 9) + 1}e${Math.floor(random() * 30) - 10}`,
      () => String(Math.floor(random() * 1e12) * 1e6),
      () => pick(['0', '0.0', '0.5', '.25', '3.', '1e308', '1e-320', '0.03125', '2.5']),
    ])();
  const expression = (depth: number): string => {
    if (depth <= 0 || random() < 0.3) return number();
    const roll = random();
    if (roll < 0.1) return `-${expression(depth - 1)}`;
    if (roll < 0.2) return `(${expression(depth - 1)})`;
    const space = random() < 0.5 ? ' ' : '';
    return `${expression(depth - 1)}${space}${pick(['+', '-', '*', '/'])}${space}${expression(depth - 1)}`;
  };
  return Array.from({ length: count }, () => expression(4));
}

const fixedExpressions = [
  '12 * 7',
  '(-3) * (-3)',
  '-7 * -7',
  '0.1 + 0.2',
  '10 / 4',
  '6 / 3',
  '1 / 3',
  '2 / 3 * 3',
  '7 / 0',
  '7 / 0.0',
  '0 / -5',
  '-0.0',
  '0.03125 * 1',
  '0.00005 + 0',
  '0.00015 + 0',
  '123456789 * 987654321',
  '99999999999999999999 * 99999999999999999999',
  '12345678901234567890 / 10',
  '2e15 + 0.5',
  '1e15 - 1',
  '1e308 * 10',
  '1e308 * 10 - 1e308 * 10',
  '1e999 / 1',
  '10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 * 10 / 7',
  '1_000 + 2',
  '0x1f + 1',
  '5.e3',
  '+-+4',
  '((((1))))',
];

const locations = [
  'Paris',
  'paris',
  'New York',
  'Reykjavik',
  'São Paulo',
  'Zürich',
  '東京',
  "St. John's",
  'a "quoted" place',
  'X',
];

const unitNames = [
  'km',
  'mi',
  'm',
  'ft',
  'cm',
  'in',
  'kg',
  'lb',
  'g',
  'oz',
  'L',
  'gal',
  'C',
  'F',
  'K',
  'l',
];

describe.skipIf(!havePython)('tools match tools.py (the micro model training tools)', () => {
  const random = seededRandom(20240601);
  const passages = parsePassagesJsonl(readFileSync(CORPUS, 'utf8'));
  const calculatorInputs = [...fixedExpressions, ...randomExpressions(400, random)];
  const weatherInputs = locations.flatMap((l) => [
    [l, 'celsius'],
    [l, 'fahrenheit'],
  ]);
  const values: unknown[] = [
    0,
    1,
    2.5,
    100,
    37.8,
    -40,
    0.0004,
    1234.5678,
    98.6,
    1e20,
    '12',
    ' 3.5 ',
  ];
  const unitInputs: Array<[unknown, string, string]> = [];
  for (const value of values) {
    for (const from of unitNames) {
      for (const to of unitNames) if (random() < 0.25) unitInputs.push([value, from, to]);
    }
  }
  unitInputs.push(['abc', 'km', 'mi'], [null, 'km', 'mi']);
  const searchInputs = [
    ...passages.map((p) => p.title),
    ...passages.slice(0, 40).map((p) => p.text.split(' ').slice(0, 5).join(' ')),
    '',
    'zzzz qqqq',
    'what is the the the ReAct pattern?',
    'Tool CALLING & agents!!',
  ];
  const python = runPython({
    calculator: calculatorInputs,
    weather: weatherInputs,
    units: unitInputs,
    search: searchInputs,
  });

  it('has the same tool specs', () => {
    const specs = python.specs as Record<string, unknown>;
    for (const spec of [
      CALCULATOR_SPEC,
      TEMPERATURE_SPEC,
      CONVERT_UNITS_SPEC,
      SEARCH_SPEC,
      ...DISTRACTOR_SPECS,
    ]) {
      expect(spec).toEqual(specs[spec.function.name]);
    }
    expect(Object.keys(specs)).toHaveLength(4 + DISTRACTOR_SPECS.length);
  });

  it(`calculator: ${calculatorInputs.length} expressions give the same observation`, () => {
    const ours = calculatorInputs.map((e) => calculate(e));
    const mismatches = calculatorInputs
      .map((e, i) => ({ expression: e, python: (python.calculator as string[])[i], ours: ours[i] }))
      .filter((row) => row.python !== row.ours);
    expect(mismatches).toEqual([]);
    // The sample must exercise errors, floats and ints, or it proves little.
    expect(ours.some((o) => o === 'Error: division by zero')).toBe(true);
    expect(ours.some((o) => o.includes('.'))).toBe(true);
  });

  it('get_current_temperature (offline) gives the same observation', async () => {
    const tool = createWeatherTool({ mode: 'offline' });
    const ours = await Promise.all(
      weatherInputs.map(([location, unit]) => tool.run({ location, unit })),
    );
    expect(ours).toEqual(python.weather);
  });

  it(`convert_units: ${unitInputs.length} conversions give the same observation`, () => {
    const ours = unitInputs.map(([value, from, to]) => convertUnits(value, from, to));
    expect(ours).toEqual(python.units);
    expect(ours.some((o) => o.includes('error'))).toBe(true);
  });

  it(`search: ${searchInputs.length} queries return the same passages in the same JSON`, () => {
    const index = new Bm25Index(passages);
    const ours = searchInputs.map((q) => searchResponse(index, q));
    expect(ours).toEqual(python.search);
  });
});
