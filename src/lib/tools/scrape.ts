/**
 * `scrape(url)`: fetches a web page in the browser and returns its readable text.
 *
 * The HTML is parsed with `DOMParser` (never inserted into the page, so its scripts never
 * run); scripts, styles, navigation, forms and other chrome are dropped, headings and
 * paragraphs kept as plain text (`#` marks a heading's level, `-` a list item), and the
 * text is capped so one page cannot flood a small model's context.
 *
 * A browser may only read another site's page when that site allows it (CORS). Most do
 * not, so the tool can go through a proxy (`proxyUrl`, `?url=<page>`): the tests' replay
 * server plays that part. Failures come back as observations that say what went wrong:
 * not a web address, HTTP errors, a non-HTML answer, the network, or a CORS refusal
 * (told apart from a dead network by a second, opaque `no-cors` request).
 */
import { pythonJsonDumps } from './python-format.js';
import { argumentsObject, type Tool, type ToolContext, type ToolSpec } from './types.js';

export const SCRAPE_SPEC: ToolSpec = {
  type: 'function',
  function: {
    name: 'scrape',
    description: 'Fetch a web page and return its readable text.',
    parameters: {
      type: 'object',
      properties: { url: { type: 'string' } },
      required: ['url'],
    },
  },
};

export interface ReadablePage {
  title: string;
  text: string;
  /** Whether the text was cut at `maxChars`. */
  truncated: boolean;
}

/** Elements whose content is never readable text. */
const DROPPED =
  'script, style, noscript, template, iframe, object, embed, svg, canvas, nav, header, footer, aside, form, button, select, [hidden], [aria-hidden="true"]';
/** Blocks kept, each on its own line(s). */
const BLOCKS = 'h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, dt, dd, figcaption, td, th';

const squeeze = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The readable text of an HTML document: title, headings and paragraphs. `maxChars`
 * (default 4000) caps the text; cutting happens at a block boundary when one is near.
 */
export function extractReadableText(
  html: string,
  options: { maxChars?: number; parser?: DOMParser } = {},
): ReadablePage {
  const maxChars = options.maxChars ?? 4000;
  const parser = options.parser ?? new DOMParser();
  const doc = parser.parseFromString(html, 'text/html');
  const title = squeeze(doc.querySelector('title')?.textContent ?? '');
  for (const element of Array.from(doc.querySelectorAll(DROPPED))) element.remove();
  // The main content when the page marks it, else the whole body.
  const root = doc.querySelector('main, article, [role="main"]') ?? doc.body;
  const lines: string[] = [];
  if (root) {
    for (const block of Array.from(root.querySelectorAll(BLOCKS))) {
      // A block inside another kept block (a <p> in an <li>) is read with its parent.
      if (block.parentElement?.closest(BLOCKS)) continue;
      const text =
        block.tagName === 'PRE'
          ? (block.textContent ?? '').trim()
          : squeeze(block.textContent ?? '');
      if (!text) continue;
      const heading = /^H([1-6])$/.exec(block.tagName);
      if (heading) lines.push(`${'#'.repeat(Number(heading[1]))} ${text}`);
      else if (block.tagName === 'LI') lines.push(`- ${text}`);
      else lines.push(text);
    }
    // A page of bare text (no blocks at all) still has something to say.
    if (lines.length === 0) {
      const bare = squeeze(root.textContent ?? '');
      if (bare) lines.push(bare);
    }
  }
  const full = lines.join('\n\n');
  if (full.length <= maxChars) return { title, text: full, truncated: false };
  const cut = full.slice(0, maxChars);
  const boundary = cut.lastIndexOf('\n\n');
  const text = boundary > maxChars * 0.6 ? cut.slice(0, boundary) : cut;
  return { title, text: `${text.trimEnd()} …`, truncated: true };
}

export interface ScrapeToolOptions {
  /** `online` (default): fetch pages. `offline`: the tool says it needs the network. */
  mode?: 'online' | 'offline';
  /** Fetch pages through this proxy as `<proxyUrl>?url=<page>` (the tests' replay server). */
  proxyUrl?: string;
  /** Characters of text per observation (default 4000). */
  maxChars?: number;
  fetch?: typeof fetch;
  /** Defaults to the browser's DOMParser. */
  parser?: DOMParser;
}

const HTML_TYPES = ['text/html', 'application/xhtml+xml'];

function errorObservation(message: string): string {
  return pythonJsonDumps({ error: message }, { ensureAscii: false });
}

/** Checks that the model gave a web address; returns it parsed or an error message. */
export function parseWebAddress(value: unknown): URL | string {
  if (typeof value !== 'string' || value.trim() === '') return 'url must be a non-empty string';
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return `not a web address: ${value}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `only http and https pages can be scraped, not ${url.protocol}`;
  return url;
}

async function failureReason(
  fetchFn: typeof fetch,
  url: URL,
  error: unknown,
  signal: AbortSignal | undefined,
): Promise<string> {
  // A browser reports a CORS refusal and a dead network alike (a TypeError). An opaque
  // request is not subject to CORS: if it gets through, the server answered but refused.
  try {
    await fetchFn(url, { mode: 'no-cors', signal });
    return (
      `${url.origin} does not allow web pages to read ${url.href} (CORS). ` +
      'Try another page, or use a proxy that allows it.'
    );
  } catch {
    return `could not reach ${url.href}: ${(error as Error)?.message ?? error} (network failure)`;
  }
}

export async function scrapePage(
  target: URL,
  options: ScrapeToolOptions = {},
  ctx: ToolContext = {},
): Promise<string> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const requestUrl = options.proxyUrl ? new URL(options.proxyUrl) : target;
  if (options.proxyUrl) requestUrl.searchParams.set('url', target.href);
  let response: Response;
  try {
    response = await fetchFn(requestUrl, { signal: ctx.signal, mode: 'cors' });
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    if (options.proxyUrl)
      return errorObservation(
        `the proxy ${requestUrl.origin} is unreachable: ${(error as Error)?.message ?? error}`,
      );
    return errorObservation(await failureReason(fetchFn, target, error, ctx.signal));
  }
  if (!response.ok)
    return errorObservation(
      `${target.href} answered HTTP ${response.status} ${response.statusText}`.trim(),
    );
  const contentType = (response.headers.get('content-type') ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (!HTML_TYPES.includes(contentType))
    return errorObservation(
      `${target.href} is not an HTML page (content type ${contentType || 'unknown'}); only web pages can be scraped`,
    );
  const html = await response.text();
  if (!options.parser && typeof DOMParser === 'undefined')
    return errorObservation('scraping needs a browser (DOMParser is not available here)');
  const page = extractReadableText(html, { maxChars: options.maxChars, parser: options.parser });
  if (!page.text) return errorObservation(`${target.href} has no readable text`);
  return pythonJsonDumps(
    { url: target.href, title: page.title, text: page.text, truncated: page.truncated },
    { ensureAscii: false },
  );
}

export function createScrapeTool(options: ScrapeToolOptions = {}): Tool {
  return {
    spec: SCRAPE_SPEC,
    async run(args, ctx = {}) {
      const target = parseWebAddress(argumentsObject(args).url);
      if (typeof target === 'string') return errorObservation(target);
      if ((options.mode ?? 'online') === 'offline')
        return errorObservation('scraping needs the network; the web tools are offline');
      return scrapePage(target, options, ctx);
    },
  };
}
