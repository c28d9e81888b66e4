/**
 * `get_current_temperature(location, unit?)`.
 *
 * Offline (the default, used in tests and the eval): tools.py's deterministic fake, a
 * temperature in °C from the CRC-32 of the lower-cased location, so runs are reproducible
 * and match what the micro model saw in training. Online: the keyless, CORS-enabled
 * Open-Meteo APIs (geocoding, then the current `temperature_2m`).
 *
 * Both modes write the training observation format, Python `json.dumps` style:
 * `{"location": "Paris", "temperature": 12, "unit": "celsius"}`.
 */
import { TEMPERATURE_SPEC } from './specs.js';
import {
  PythonFloat,
  pythonJsonDumps,
  pythonRoundToInteger,
  type PythonJsonValue,
} from './python-format.js';
import { argumentsObject, type Tool, type ToolContext } from './types.js';

export type TemperatureUnit = 'celsius' | 'fahrenheit';

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's CRC-32 (as Python's `zlib.crc32`), unsigned. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** tools.py `weather_temp`: a deterministic fake temperature in °C, from -5 to 35. */
export function offlineTemperatureCelsius(location: string, seed = 0): number {
  return (crc32(new TextEncoder().encode(`${location.toLowerCase()}|${seed}`)) % 41) - 5;
}

/** tools.py `c_to_f`: rounded to a whole degree, ties to even like Python's `round`. */
export function celsiusToFahrenheit(celsius: number): number {
  return pythonRoundToInteger((celsius * 9) / 5 + 32);
}

export interface WeatherToolOptions {
  /** `offline` (default): the deterministic fake. `online`: Open-Meteo over the network. */
  mode?: 'offline' | 'online';
  /** Seed of the offline fake (tools.py's `seed`), to vary temperatures between runs. */
  seed?: number;
  /** Online only: the fetch to use (tests pass a stub; defaults to the global one). */
  fetch?: typeof fetch;
  /** Online only: API base URLs, so a local server can stand in for Open-Meteo. */
  geocodingUrl?: string;
  forecastUrl?: string;
}

const DEFAULT_GEOCODING_URL = 'https://geocoding-api.open-meteo.com/v1/search';
const DEFAULT_FORECAST_URL = 'https://api.open-meteo.com/v1/forecast';

function observation(location: string, temperature: number, unit: TemperatureUnit): string {
  // Whole temperatures print as ints (as in training); Open-Meteo's decimals as floats.
  const value: PythonJsonValue = Number.isInteger(temperature)
    ? temperature
    : new PythonFloat(temperature);
  return pythonJsonDumps({ location, temperature: value, unit });
}

function errorObservation(message: string): string {
  return pythonJsonDumps({ error: message });
}

async function fetchOnlineTemperature(
  location: string,
  unit: TemperatureUnit,
  options: WeatherToolOptions,
  ctx: ToolContext,
): Promise<string> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const geocodingUrl = new URL(options.geocodingUrl ?? DEFAULT_GEOCODING_URL);
  geocodingUrl.searchParams.set('name', location);
  geocodingUrl.searchParams.set('count', '1');
  geocodingUrl.searchParams.set('language', 'en');
  geocodingUrl.searchParams.set('format', 'json');
  try {
    const geocoding = await fetchFn(geocodingUrl, { signal: ctx.signal });
    if (!geocoding.ok) return errorObservation(`geocoding failed with HTTP ${geocoding.status}`);
    const places = (await geocoding.json()) as {
      results?: Array<{ latitude: number; longitude: number }>;
    };
    const place = places.results?.[0];
    if (!place) return errorObservation(`unknown location ${location}`);

    const forecastUrl = new URL(options.forecastUrl ?? DEFAULT_FORECAST_URL);
    forecastUrl.searchParams.set('latitude', String(place.latitude));
    forecastUrl.searchParams.set('longitude', String(place.longitude));
    forecastUrl.searchParams.set('current', 'temperature_2m');
    forecastUrl.searchParams.set('temperature_unit', unit);
    const forecast = await fetchFn(forecastUrl, { signal: ctx.signal });
    if (!forecast.ok) return errorObservation(`forecast failed with HTTP ${forecast.status}`);
    const current = ((await forecast.json()) as { current?: { temperature_2m?: unknown } }).current
      ?.temperature_2m;
    if (typeof current !== 'number') return errorObservation('no current temperature');
    return observation(location, current, unit);
  } catch (error) {
    // A cancelled run must stop, not turn into an observation the model reads.
    if (ctx.signal?.aborted) throw error;
    return errorObservation(`weather service unreachable: ${(error as Error)?.message ?? error}`);
  }
}

export function createWeatherTool(options: WeatherToolOptions = {}): Tool {
  const mode = options.mode ?? 'offline';
  return {
    spec: TEMPERATURE_SPEC,
    async run(args, ctx = {}) {
      const { location, unit = 'celsius' } = argumentsObject(args);
      if (typeof location !== 'string' || location.trim() === '') {
        return errorObservation('location must be a non-empty string');
      }
      if (unit !== 'celsius' && unit !== 'fahrenheit') {
        return errorObservation('unit must be celsius or fahrenheit');
      }
      if (mode === 'online') return fetchOnlineTemperature(location, unit, options, ctx);
      const celsius = offlineTemperatureCelsius(location, options.seed ?? 0);
      return observation(
        location,
        unit === 'celsius' ? celsius : celsiusToFahrenheit(celsius),
        unit,
      );
    },
  };
}
