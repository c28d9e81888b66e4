/**
 * The built-in tools on their own: the calculator's grammar, extensions and error
 * messages, the weather tool in both modes (online against a stub fetch: the real API is
 * never called in tests), unit conversion, corpus search and the tool list.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  builtinTools,
  calculate,
  convertUnits,
  createCorpusSearchTool,
  createWeatherTool,
  distractorTools,
  fmtNum,
  formatFixed,
  parsePassagesJsonl,
  pythonJsonDumps,
  UNAVAILABLE_OFFLINE,
} from '../../src/lib/tools/index.js';

const CORPUS = fileURLToPath(new URL('../../static-models/corpus/passages.jsonl', import.meta.url));
const passages = parsePassagesJsonl(readFileSync(CORPUS, 'utf8'));

describe('calculator', () => {
  it.each([
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['2 ^ 3 ^ 2', '512'],
    ['2 ** 10', '1024'],
    ['-2 ^ 2', '-4'],
    ['2 ^ -1', '0.5'],
    ['7 % 3', '1'],
    ['-7 % 3', '2'],
    ['10 / 4', '2.5'],
    ['1.5e3 + 1', '1501'],
    ['pi', '3.1416'],
    ['2 * e', '5.4366'],
    ['sqrt(2)', '1.4142'],
    ['abs(-4.5)', '4.5'],
    ['sin(0) + cos(0)', '1'],
    ['tan(pi / 4)', '1'],
    ['log(1000)', '3'],
    ['log(8, 2)', '3'],
    ['ln(e)', '1'],
    ['exp(0)', '1'],
    ['round(2.5) + round(3.5)', '6'],
    ['round(3.14159, 2)', '3.14'],
    ['floor(-2.5)', '-3'],
    ['ceil(2.1)', '3'],
    ['min(3, 1, 2)', '1'],
    ['max(3, 1.5, 2)', '3'],
    ['23 * 23', '529'],
  ])('%s = %s', (expression, expected) => {
    expect(calculate(expression)).toBe(expected);
  });

  it.each([
    ['1 / 0', 'Error: division by zero'],
    ['1 / (2 - 2)', 'Error: division by zero'],
    ['5 % 0', 'Error: modulo by zero'],
    ['foo(3)', 'Error: unknown function foo'],
    ['(1 + 2))', "Error: unexpected ')' at 7"],
    ['1 +', 'Error: unexpected end of expression'],
    ['(1 + 2', 'Error: unexpected end of expression'],
    ['2 $ 3', "Error: unexpected character '$' at 2"],
    ['x + 1', 'Error: unknown name x'],
    ['sqrt', 'Error: function sqrt needs arguments in parentheses'],
    ['sqrt(-1)', 'Error: math domain error'],
    ['sqrt(1, 2)', 'Error: sqrt() takes 1 argument, got 2'],
    ['', 'Error: empty expression'],
    ['9 ^ 9 ^ 9', 'Error: result too large'],
    ['constructor(1)', 'Error: unknown function constructor'],
  ])('%s → %s', (expression, expected) => {
    expect(calculate(expression)).toBe(expected);
  });

  it('never evaluates code', () => {
    expect(calculate('process.exit(1)')).toMatch(/^Error: /);
    expect(calculate('globalThis')).toBe('Error: unknown name globalThis');
  });

  it('returns an observation, not an exception, for missing arguments', async () => {
    const [calculator] = builtinTools({ passages });
    expect(await calculator.run({})).toBe('Error: missing argument expression');
    expect(await calculator.run(null)).toBe('Error: missing argument expression');
    expect(await calculator.run({ expression: '6 * 7' })).toBe('42');
  });
});

describe('Python formatting', () => {
  it('rounds ties to even on the exact binary value, like Python', () => {
    expect(formatFixed(0.03125, 4)).toBe('0.0312');
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(-0.00001, 4)).toBe('-0.0000');
    expect(fmtNum(1e20)).toBe('100000000000000000000');
    expect(fmtNum(-0)).toBe('0');
    expect(fmtNum(Infinity)).toBe('inf');
  });

  it('writes JSON with Python separators and escapes', () => {
    expect(pythonJsonDumps({ a: [1, 2.5], b: 'é' })).toBe('{"a": [1, 2.5], "b": "\\u00e9"}');
    expect(pythonJsonDumps({ b: 'é' }, { ensureAscii: false })).toBe('{"b": "é"}');
  });
});

describe('get_current_temperature', () => {
  it('offline: deterministic, case-insensitive, °F from the same °C', async () => {
    const tool = createWeatherTool();
    const paris = JSON.parse(await tool.run({ location: 'Paris' }));
    expect(paris).toEqual({ location: 'Paris', temperature: expect.any(Number), unit: 'celsius' });
    expect(paris.temperature).toBeGreaterThanOrEqual(-5);
    expect(paris.temperature).toBeLessThanOrEqual(35);
    expect(JSON.parse(await tool.run({ location: 'PARIS' })).temperature).toBe(paris.temperature);
    const fahrenheit = JSON.parse(await tool.run({ location: 'Paris', unit: 'fahrenheit' }));
    expect(fahrenheit.temperature).toBe(Math.round((paris.temperature * 9) / 5 + 32));
  });

  it('reports bad arguments as observations', async () => {
    const tool = createWeatherTool();
    expect(await tool.run({})).toBe('{"error": "location must be a non-empty string"}');
    expect(await tool.run({ location: 'Oslo', unit: 'kelvin' })).toBe(
      '{"error": "unit must be celsius or fahrenheit"}',
    );
  });

  it('online: geocodes, then reads current.temperature_2m (stub fetch)', async () => {
    const requested: string[] = [];
    const stubFetch = (async (url: URL | string) => {
      requested.push(String(url));
      const body = String(url).includes('geocoding')
        ? { results: [{ name: 'Berlin', latitude: 52.52, longitude: 13.41 }] }
        : { current: { time: '2025-01-01T12:00', temperature_2m: 3.4 } };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch;
    const tool = createWeatherTool({ mode: 'online', fetch: stubFetch });
    expect(await tool.run({ location: 'Berlin', unit: 'fahrenheit' })).toBe(
      '{"location": "Berlin", "temperature": 3.4, "unit": "fahrenheit"}',
    );
    expect(requested[0]).toMatch(
      /^https:\/\/geocoding-api\.open-meteo\.com\/v1\/search\?name=Berlin/,
    );
    expect(requested[1]).toMatch(/^https:\/\/api\.open-meteo\.com\/v1\/forecast\?latitude=52\.52/);
    expect(requested[1]).toContain('current=temperature_2m');
    expect(requested[1]).toContain('temperature_unit=fahrenheit');
  });

  it('online: an unknown place and a network failure become observations', async () => {
    const noResults = (async () => new Response('{}', { status: 200 })) as typeof fetch;
    expect(
      await createWeatherTool({ mode: 'online', fetch: noResults }).run({ location: 'Nowhere' }),
    ).toBe('{"error": "unknown location Nowhere"}');
    const offline = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    expect(
      await createWeatherTool({ mode: 'online', fetch: offline }).run({ location: 'Oslo' }),
    ).toBe('{"error": "weather service unreachable: fetch failed"}');
  });
});

describe('convert_units', () => {
  it.each([
    [10, 'km', 'mi', '{"value": 6.214, "unit": "mi"}'],
    [100, 'C', 'F', '{"value": 212, "unit": "F"}'],
    [98.6, 'F', 'C', '{"value": 37, "unit": "C"}'],
    [1, 'gal', 'L', '{"value": 3.785, "unit": "L"}'],
    [5, 'kg', 'mi', '{"error": "cannot convert kg to mi"}'],
    ['x', 'kg', 'lb', '{"error": "value must be a number"}'],
  ])('%s %s → %s', (value, from, to, expected) => {
    expect(convertUnits(value, from, to)).toBe(expected);
  });
});

describe('search', () => {
  it('returns the two best passages with the title counted twice', async () => {
    const tool = createCorpusSearchTool({ passages });
    const react = JSON.parse(await tool.run({ query: 'ReAct' })) as Array<{ id: string }>;
    expect(react.map((hit) => hit.id)).toEqual(['c000']); // only one passage has the word
    const hits = JSON.parse(await tool.run({ query: 'tool calling' })) as Array<{ id: string }>;
    expect(hits).toHaveLength(2);
    expect(hits[0].id).toBe('c001');
    expect(await tool.run({ query: 'zzzz' })).toBe('[]');
  });
});

describe('builtinTools', () => {
  it('returns the four core tools, and the distractors on request', async () => {
    expect(builtinTools({ passages }).map((t) => t.spec.function.name)).toEqual([
      'calculator',
      'get_current_temperature',
      'convert_units',
      'search',
    ]);
    const all = builtinTools({ passages, includeDistractors: true });
    expect(all).toHaveLength(9);
    for (const tool of distractorTools()) {
      expect(await tool.run({})).toBe(UNAVAILABLE_OFFLINE);
    }
  });
});
