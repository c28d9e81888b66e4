/**
 * A local stand-in for the web services the demos call, for the e2e tests (the test
 * machine has no internet). It replays the response formats of the real services:
 *
 * - Open-Meteo geocoding, `GET /v1/search?name=…&count=1&language=en&format=json`:
 *   `{"results": [{id, name, latitude, longitude, elevation, feature_code, country_code,
 *   admin1_id, timezone, population, country_id, country, admin1}], "generationtime_ms"}`;
 *   an unknown name answers `{"generationtime_ms": …}` without `results`, as the real API
 *   does. Matching is case-insensitive on the start of the name (`par` finds Paris).
 * - Open-Meteo forecast, `GET /v1/forecast?latitude=…&longitude=…&current=temperature_2m
 *   &temperature_unit=celsius|fahrenheit`: `{latitude, longitude, generationtime_ms,
 *   utc_offset_seconds, timezone, timezone_abbreviation, elevation, current_units,
 *   current: {time, interval, temperature_2m}}`, with a fixed temperature per city (the
 *   nearest city to the coordinates). Missing coordinates answer 400
 *   `{"error": true, "reason": …}`.
 * - httpbin's `POST /post`: echoes `{args, data, files, form, headers, json, origin, url}`
 *   and counts the hit.
 *
 * - Wikipedia's MediaWiki API, `GET /w/api.php?action=query&generator=search&gsrsearch=…
 *   &gsrlimit=n&prop=extracts&exintro=1&explaintext=1&format=json&formatversion=2&origin=*`
 *   (what the search tool sends): `{"batchcomplete": true, "continue": {"gsroffset", "continue"},
 *   "query": {"pages": [{pageid, ns, title, index, extract}]}}`, pages in pageid order with
 *   `index` the search rank, as the real API answers; no match answers `{"batchcomplete":
 *   true}` without `query`. Also `list=search&srsearch=…` (`query.searchinfo.totalhits`,
 *   `query.search[]` with `snippet` marked up by `<span class="searchmatch">`). Articles are
 *   the fixed `REPLAY_ARTICLES`, ranked by query words found in title and text.
 * - A scrape proxy, `GET /scrape?url=<page>`: the page from `REPLAY_PAGES` with its own
 *   status and content type (HTML with navigation, scripts and styles around the article,
 *   a JSON file, a 404), and 502 for an address it does not know. The same pages are
 *   served directly at `/pages/<name>`; `/pages/no-cors.html` comes without CORS headers,
 *   so a browser refuses to let a page read it.
 *
 * Control endpoints for the tests: `GET /__hits` → `{"post": n, "search": n, "forecast": n}`,
 * `GET /__requests` → every request served so far (method, path, query, body),
 * `POST /__reset` → forget both.
 *
 * Every response carries CORS headers for any origin and `Cross-Origin-Resource-Policy:
 * cross-origin`, so the app's cross-origin isolated pages (COEP) may read it; preflights
 * (`OPTIONS`, sent for the JSON POST) answer 204.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReplayCity {
  id: number;
  name: string;
  latitude: number;
  longitude: number;
  elevation: number;
  feature_code: string;
  country_code: string;
  admin1_id: number;
  timezone: string;
  population: number;
  country_id: number;
  country: string;
  admin1: string;
  /** What the forecast reports as the current `temperature_2m`, in °C. */
  celsius: number;
}

/** Fixed cities with fixed temperatures (coordinates and ids as GeoNames has them). */
export const REPLAY_CITIES: readonly ReplayCity[] = [
  {
    id: 2988507,
    name: 'Paris',
    latitude: 48.85341,
    longitude: 2.3488,
    elevation: 42,
    feature_code: 'PPLC',
    country_code: 'FR',
    admin1_id: 3012874,
    timezone: 'Europe/Paris',
    population: 2138551,
    country_id: 3017382,
    country: 'France',
    admin1: 'Île-de-France',
    celsius: 14.2,
  },
  {
    id: 3117735,
    name: 'Madrid',
    latitude: 40.4165,
    longitude: -3.70256,
    elevation: 667,
    feature_code: 'PPLC',
    country_code: 'ES',
    admin1_id: 3117732,
    timezone: 'Europe/Madrid',
    population: 3255944,
    country_id: 2510769,
    country: 'Spain',
    admin1: 'Madrid',
    celsius: 21.5,
  },
  {
    id: 3169070,
    name: 'Rome',
    latitude: 41.89193,
    longitude: 12.51133,
    elevation: 20,
    feature_code: 'PPLC',
    country_code: 'IT',
    admin1_id: 3174976,
    timezone: 'Europe/Rome',
    population: 2318895,
    country_id: 3175395,
    country: 'Italy',
    admin1: 'Lazio',
    celsius: 18.9,
  },
  {
    id: 3143244,
    name: 'Oslo',
    latitude: 59.91273,
    longitude: 10.74609,
    elevation: 26,
    feature_code: 'PPLC',
    country_code: 'NO',
    admin1_id: 6453366,
    timezone: 'Europe/Oslo',
    population: 580000,
    country_id: 3144096,
    country: 'Norway',
    admin1: 'Oslo',
    celsius: -3.4,
  },
  {
    id: 2267057,
    name: 'Lisbon',
    latitude: 38.71667,
    longitude: -9.13333,
    elevation: 45,
    feature_code: 'PPLC',
    country_code: 'PT',
    admin1_id: 2267056,
    timezone: 'Europe/Lisbon',
    population: 517802,
    country_id: 2264397,
    country: 'Portugal',
    admin1: 'Lisbon',
    celsius: 19.6,
  },
  {
    id: 2950159,
    name: 'Berlin',
    latitude: 52.52437,
    longitude: 13.41053,
    elevation: 74,
    feature_code: 'PPLC',
    country_code: 'DE',
    admin1_id: 2950157,
    timezone: 'Europe/Berlin',
    population: 3426354,
    country_id: 2921044,
    country: 'Germany',
    admin1: 'Land Berlin',
    celsius: 9.8,
  },
  {
    id: 2643743,
    name: 'London',
    latitude: 51.50853,
    longitude: -0.12574,
    elevation: 25,
    feature_code: 'PPLC',
    country_code: 'GB',
    admin1_id: 6269131,
    timezone: 'Europe/London',
    population: 8961989,
    country_id: 2635167,
    country: 'United Kingdom',
    admin1: 'England',
    celsius: 11.3,
  },
];

/** The temperature the forecast reports for a city, in the requested unit (one decimal, as Open-Meteo). */
export function replayTemperature(city: string, unit: 'celsius' | 'fahrenheit' = 'celsius') {
  const found = REPLAY_CITIES.find((c) => c.name.toLowerCase() === city.toLowerCase());
  if (!found) throw new Error(`No replay city '${city}'.`);
  return unit === 'celsius' ? found.celsius : Math.round((found.celsius * 1.8 + 32) * 10) / 10;
}

/** Encyclopedia articles the MediaWiki replay searches (text as TextExtracts' plain intro). */
export interface ReplayArticle {
  pageid: number;
  title: string;
  extract: string;
}

export const REPLAY_ARTICLES: readonly ReplayArticle[] = [
  {
    pageid: 5755,
    title: 'Jupiter',
    extract:
      'Jupiter is the fifth planet from the Sun and the largest in the Solar System. It is a gas giant with a mass more than 2.5 times that of all the other planets combined.',
  },
  {
    pageid: 16534,
    title: 'Moons of Jupiter',
    extract:
      'There are 95 moons of Jupiter with confirmed orbits. The four largest, the Galilean moons Io, Europa, Ganymede and Callisto, were discovered by Galileo Galilei in 1610.',
  },
  {
    pageid: 30011,
    title: 'Telephone',
    extract:
      'A telephone is a telecommunications device that permits two or more users to conduct a conversation when they are too far apart to be easily heard directly.',
  },
  {
    pageid: 1202,
    title: 'Alexander Graham Bell',
    extract:
      'Alexander Graham Bell was a Scottish-born inventor, scientist and engineer who is credited with patenting the first practical telephone in 1876.',
  },
  {
    pageid: 22989,
    title: 'Paris',
    extract:
      'Paris is the capital and largest city of France. Since the 17th century it has been one of the major centres of finance, diplomacy, commerce, culture and science in Europe.',
  },
  {
    pageid: 68291,
    title: 'History of Paris',
    extract:
      'The oldest traces of human occupation in Paris were discovered in 2008 near the Rue Henri-Farman. The Parisii, a Celtic tribe, settled on the Seine around 250 BC.',
  },
  {
    pageid: 71842,
    title: 'ReAct (prompting)',
    extract:
      'ReAct is a prompting method in which a language model interleaves reasoning traces with actions such as tool calls, and reads the observations they return before it answers.',
  },
  {
    pageid: 1164,
    title: 'Artificial intelligence',
    extract:
      'Artificial intelligence is the capability of computational systems to perform tasks typically associated with human intelligence, such as learning, reasoning and perception.',
  },
];

/** A page the scrape proxy (and `/pages/<name>`) serves. */
export interface ReplayPage {
  /** The address a tool asks the proxy for. */
  url: string;
  /** Served directly at `/pages/<name>` too. */
  name: string;
  status: number;
  contentType: string;
  body: string;
}

const JUPITER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jupiter - Wikipedia</title>
<style>body { font-family: sans-serif } .mw-nav { display: block }</style>
<script>window.trackingId = 'never read by the scraper';</script></head>
<body>
<header><a href="/">Wikipedia, the free encyclopedia</a><form role="search"><input name="search"></form></header>
<nav class="mw-nav"><ul><li><a href="/wiki/Main_Page">Main page</a></li><li><a href="/wiki/Special:Random">Random article</a></li></ul></nav>
<main id="content">
<h1>Jupiter</h1>
<p>Jupiter is the fifth planet from the Sun and the largest in the Solar System.</p>
<h2>Moons</h2>
<p>Jupiter has 95 moons with confirmed orbits; the four Galilean moons were found in 1610.</p>
<ul><li>Io</li><li>Europa</li><li>Ganymede</li><li>Callisto</li></ul>
<script>document.write('an ad');</script>
</main>
<aside>Donate today</aside>
<footer>Text is available under the Creative Commons Attribution-ShareAlike License.</footer>
</body></html>`;

export const REPLAY_PAGES: readonly ReplayPage[] = [
  {
    url: 'https://en.wikipedia.org/wiki/Jupiter',
    name: 'jupiter.html',
    status: 200,
    contentType: 'text/html; charset=UTF-8',
    body: JUPITER_HTML,
  },
  {
    url: 'https://example.com/data.json',
    name: 'data.json',
    status: 200,
    contentType: 'application/json',
    body: '{"planets": 8}',
  },
  {
    url: 'https://example.com/missing',
    name: 'missing.html',
    status: 404,
    contentType: 'text/html; charset=UTF-8',
    body: '<!doctype html><title>Not Found</title><h1>Not Found</h1>',
  },
  {
    url: 'https://example.com/no-cors',
    name: 'no-cors.html',
    status: 200,
    contentType: 'text/html; charset=UTF-8',
    body: '<!doctype html><title>Private</title><p>Only for this site.</p>',
  },
];

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** Words a full-text search does not rank on (enough of them for the replay's questions). */
const STOPWORDS = new Set(
  'a an and are about by find for from in is it of on or the then to was what when where which who why with write'.split(
    ' ',
  ),
);

/** Articles matching the query, best first: query words found in the title count twice. */
function rankArticles(query: string): ReplayArticle[] {
  const terms = [...new Set(words(query))].filter((t) => !STOPWORDS.has(t));
  return REPLAY_ARTICLES.map((article, position) => {
    const title = new Set(words(article.title));
    const text = new Set(words(article.extract));
    const score = terms.reduce((sum, t) => sum + (title.has(t) ? 2 : 0) + (text.has(t) ? 1 : 0), 0);
    return { article, position, score };
  })
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .map(({ article }) => article);
}

function mediaWiki(query: URLSearchParams): { status: number; body: unknown } {
  if (query.get('action') !== 'query' || query.get('format') !== 'json')
    return {
      status: 200,
      body: { error: { code: 'badvalue', info: 'Only action=query&format=json is replayed.' } },
    };
  if (query.get('generator') === 'search') {
    const limit = Math.max(1, Math.min(50, Number(query.get('gsrlimit') ?? 10) || 10));
    const ranked = rankArticles(query.get('gsrsearch') ?? '');
    const found = ranked.slice(0, limit);
    if (!found.length) return { status: 200, body: { batchcomplete: true } };
    const withExtracts = query.get('prop')?.split('|').includes('extracts') ?? false;
    const pages = found
      .map((article, i) => ({
        pageid: article.pageid,
        ns: 0,
        title: article.title,
        index: i + 1,
        ...(withExtracts ? { extract: article.extract } : {}),
      }))
      .sort((a, b) => a.pageid - b.pageid);
    return {
      status: 200,
      body: {
        batchcomplete: true,
        ...(ranked.length > limit
          ? { continue: { gsroffset: limit, continue: 'gsroffset||' } }
          : {}),
        query: { pages },
      },
    };
  }
  if (query.get('list') === 'search') {
    const search = query.get('srsearch') ?? '';
    const terms = new Set(words(search));
    const ranked = rankArticles(search);
    const limit = Math.max(1, Math.min(50, Number(query.get('srlimit') ?? 10) || 10));
    return {
      status: 200,
      body: {
        batchcomplete: true,
        query: {
          searchinfo: { totalhits: ranked.length },
          search: ranked.slice(0, limit).map((article) => ({
            ns: 0,
            title: article.title,
            pageid: article.pageid,
            size: article.extract.length * 12,
            wordcount: words(article.extract).length * 12,
            snippet: article.extract.replace(/[A-Za-z0-9]+/g, (w) =>
              terms.has(w.toLowerCase()) ? `<span class="searchmatch">${w}</span>` : w,
            ),
            timestamp: '2025-01-10T08:00:00Z',
          })),
        },
      },
    };
  }
  return {
    status: 200,
    body: {
      error: { code: 'badvalue', info: 'Only generator=search and list=search are replayed.' },
    },
  };
}

function sendPage(res: ServerResponse, page: ReplayPage): void {
  res.writeHead(page.status, {
    'Content-Type': page.contentType,
    'Content-Length': Buffer.byteLength(page.body),
  });
  res.end(page.body);
}

export interface ReplayRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
}

export interface ReplayHits {
  post: number;
  search: number;
  forecast: number;
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>`, no trailing slash: what the app's `?replay=` takes. */
  url: string;
  port: number;
  hits: ReplayHits;
  requests: ReplayRequest[];
  reset(): void;
  close(): Promise<void>;
}

function cors(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
  res.setHeader('Access-Control-Max-Age', '600');
  // The app's pages are cross-origin isolated; COEP require-corp needs this to read the body.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** Open-Meteo's timings are sub-millisecond floats; a fixed one keeps the replay deterministic. */
const GENERATION_TIME_MS = 0.5849599838256836;

function geocoding(query: URLSearchParams): unknown {
  const name = (query.get('name') ?? '').trim().toLowerCase();
  const count = Math.max(1, Math.min(100, Number(query.get('count') ?? 10) || 10));
  // Like the real service: fewer than 2 characters find nothing.
  const matches =
    name.length < 2 ? [] : REPLAY_CITIES.filter((c) => c.name.toLowerCase().startsWith(name));
  if (!matches.length) return { generationtime_ms: GENERATION_TIME_MS };
  return {
    results: matches.slice(0, count).map((city) => {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { celsius, ...place } = city;
      return place;
    }),
    generationtime_ms: GENERATION_TIME_MS,
  };
}

function nearestCity(latitude: number, longitude: number): ReplayCity {
  let best = REPLAY_CITIES[0];
  let bestDistance = Infinity;
  for (const city of REPLAY_CITIES) {
    const d = (city.latitude - latitude) ** 2 + (city.longitude - longitude) ** 2;
    if (d < bestDistance) [best, bestDistance] = [city, d];
  }
  return best;
}

function forecast(query: URLSearchParams): { status: number; body: unknown } {
  const latitude = Number(query.get('latitude'));
  const longitude = Number(query.get('longitude'));
  if (!query.get('latitude') || !query.get('longitude') || isNaN(latitude) || isNaN(longitude))
    return {
      status: 400,
      body: {
        error: true,
        reason: "Parameter 'latitude' and 'longitude' must have the same number of elements",
      },
    };
  const unit = query.get('temperature_unit') === 'fahrenheit' ? 'fahrenheit' : 'celsius';
  const city = nearestCity(latitude, longitude);
  const current = (query.get('current') ?? '').split(',').filter(Boolean);
  const units: Record<string, string> = { time: 'iso8601', interval: 'seconds' };
  const values: Record<string, unknown> = { time: '2025-01-15T12:00', interval: 900 };
  if (current.includes('temperature_2m')) {
    units.temperature_2m = unit === 'celsius' ? '°C' : '°F';
    values.temperature_2m = replayTemperature(city.name, unit);
  }
  return {
    status: 200,
    body: {
      // Open-Meteo snaps the coordinates to its grid; the city's own are close enough here.
      latitude: Math.round(latitude * 1000) / 1000,
      longitude: Math.round(longitude * 1000) / 1000,
      generationtime_ms: GENERATION_TIME_MS / 10,
      utc_offset_seconds: 0,
      timezone: 'GMT',
      timezone_abbreviation: 'GMT',
      elevation: city.elevation,
      current_units: units,
      current: values,
    },
  };
}

/** Starts the replay server on 127.0.0.1 (`port` 0: a free port). */
export async function startReplayServer(port = 0): Promise<ReplayServer> {
  const hits: ReplayHits = { post: 0, search: 0, forecast: 0 };
  const requests: ReplayRequest[] = [];
  const sockets = new Set<Socket>();
  let origin = '';

  const server = createServer(async (req, res) => {
    cors(res);
    const url = new URL(req.url ?? '/', origin || 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const body = method === 'POST' ? await readBody(req) : '';
    const path = url.pathname;

    if (path === '/__hits' && method === 'GET') return json(res, 200, hits);
    if (path === '/__requests' && method === 'GET') return json(res, 200, requests);
    if (path === '/__reset' && method === 'POST') {
      reset();
      return json(res, 200, hits);
    }

    requests.push({ method, path, query: Object.fromEntries(url.searchParams), body });
    if (path === '/v1/search' && method === 'GET') {
      hits.search++;
      return json(res, 200, geocoding(url.searchParams));
    }
    if (path === '/v1/forecast' && method === 'GET') {
      hits.forecast++;
      const { status, body: answer } = forecast(url.searchParams);
      return json(res, status, answer);
    }
    if (path === '/w/api.php' && method === 'GET') {
      const { status, body: answer } = mediaWiki(url.searchParams);
      return json(res, status, answer);
    }
    if (path === '/scrape' && method === 'GET') {
      const target = url.searchParams.get('url') ?? '';
      const page = REPLAY_PAGES.find((p) => p.url === target);
      if (!page) return json(res, 502, { error: `The replay proxy does not know ${target}.` });
      return sendPage(res, page);
    }
    if (path.startsWith('/pages/') && method === 'GET') {
      const page = REPLAY_PAGES.find((p) => `/pages/${p.name}` === path);
      if (!page) return json(res, 404, { error: `Not found: ${path}` });
      // This one stands for a site that does not let other origins read it.
      if (page.name === 'no-cors.html') res.removeHeader('Access-Control-Allow-Origin');
      return sendPage(res, page);
    }
    if (path === '/post') {
      if (method !== 'POST') return json(res, 405, { error: 'Method Not Allowed' });
      hits.post++;
      let parsed: unknown;
      try {
        parsed = body ? JSON.parse(body) : null;
      } catch {
        parsed = null; // httpbin's `json` is null for a body that is not JSON
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers))
        if (typeof value === 'string')
          headers[key.replace(/(^|-)([a-z])/g, (_, dash, c: string) => dash + c.toUpperCase())] =
            value;
      return json(res, 200, {
        args: Object.fromEntries(url.searchParams),
        data: body,
        files: {},
        form: {},
        headers,
        json: parsed,
        origin: req.socket.remoteAddress ?? '',
        url: url.href,
      });
    }
    json(res, 404, { error: `Not found: ${method} ${path}` });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function reset(): void {
    hits.post = 0;
    hits.search = 0;
    hits.forecast = 0;
    requests.length = 0;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${actual}`;
  return {
    url: origin,
    port: actual,
    hits,
    requests,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
