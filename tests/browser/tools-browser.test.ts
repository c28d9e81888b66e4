/**
 * The web and document tools where they run: in the browser. Scraping parses HTML with
 * the page's DOMParser, against the replay server (started in Node by
 * replay.global-setup.ts): through its proxy, directly with CORS, a page without CORS, a
 * JSON file, a 404, a closed port. Documents live in this origin's real OPFS; storage
 * failures (no OPFS, a full quota) are simulated with stand-in handles.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  createDocumentTools,
  createScrapeTool,
  DocumentError,
  DocumentStore,
  extractReadableText,
  type DocumentInfo,
} from '../../src/lib/tools/index.js';

const replayUrl = inject('replayUrl');
const JUPITER = 'https://en.wikipedia.org/wiki/Jupiter';

describe('scrape', () => {
  const viaProxy = createScrapeTool({ proxyUrl: `${replayUrl}/scrape` });

  it('extracts headings, paragraphs and list items, without scripts, styles or page chrome', async () => {
    const page = JSON.parse(await viaProxy.run({ url: JUPITER }));
    expect(page).toMatchObject({ url: JUPITER, title: 'Jupiter - Wikipedia', truncated: false });
    expect(page.text).toBe(
      [
        '# Jupiter',
        'Jupiter is the fifth planet from the Sun and the largest in the Solar System.',
        '## Moons',
        'Jupiter has 95 moons with confirmed orbits; the four Galilean moons were found in 1610.',
        '- Io',
        '- Europa',
        '- Ganymede',
        '- Callisto',
      ].join('\n\n'),
    );
    for (const noise of [
      'trackingId',
      'an ad',
      'Main page',
      'Donate',
      'Creative Commons',
      'font-family',
    ])
      expect(page.text).not.toContain(noise);
  });

  it('fetches a page directly when its site allows CORS', async () => {
    const direct = createScrapeTool();
    const page = JSON.parse(await direct.run({ url: `${replayUrl}/pages/jupiter.html` }));
    expect(page.title).toBe('Jupiter - Wikipedia');
  });

  it('says clearly what went wrong: CORS, network, not HTML, HTTP status, bad address, offline', async () => {
    const direct = createScrapeTool();
    const cors = JSON.parse(await direct.run({ url: `${replayUrl}/pages/no-cors.html` }));
    expect(cors.error).toMatch(/does not allow web pages to read .* \(CORS\)/);
    const dead = JSON.parse(await direct.run({ url: 'http://127.0.0.1:9/' }));
    expect(dead.error).toMatch(/could not reach http:\/\/127\.0\.0\.1:9\/: .*\(network failure\)/);
    const json = JSON.parse(await viaProxy.run({ url: 'https://example.com/data.json' }));
    expect(json.error).toBe(
      'https://example.com/data.json is not an HTML page (content type application/json); only web pages can be scraped',
    );
    const missing = JSON.parse(await viaProxy.run({ url: 'https://example.com/missing' }));
    expect(missing.error).toMatch(/^https:\/\/example\.com\/missing answered HTTP 404/);
    expect(JSON.parse(await direct.run({ url: 'su' })).error).toBe('not a web address: su');
    expect(JSON.parse(await direct.run({ url: 'file:///etc/passwd' })).error).toMatch(
      /only http and https/,
    );
    const offline = createScrapeTool({ mode: 'offline' });
    expect(JSON.parse(await offline.run({ url: JUPITER })).error).toMatch(/offline/);
  });

  it('caps long pages at a block boundary and marks them truncated', () => {
    const html = `<title>Long</title>${Array.from({ length: 50 }, (_, i) => `<p>Paragraph ${i} ${'word '.repeat(10)}</p>`).join('')}`;
    const page = extractReadableText(html, { maxChars: 500 });
    expect(page.truncated).toBe(true);
    expect(page.text.length).toBeLessThanOrEqual(502);
    expect(page.text.endsWith(' …')).toBe(true);
    expect(page.text).not.toMatch(/Paragraph \d+ (word )*wo …$/); // not cut inside a word run
    // A page of bare text still reads.
    expect(extractReadableText('<body>just text</body>').text).toBe('just text');
  });
});

describe('documents in OPFS', () => {
  const folder = `test-${Date.now().toString(36)}`;
  const written: DocumentInfo[] = [];
  const tools = Object.fromEntries(
    createDocumentTools({ folder, onWrite: (info) => written.push(info) }).map((tool) => [
      tool.spec.function.name,
      tool,
    ]),
  );

  afterAll(async () => {
    const root = await navigator.storage.getDirectory();
    const documents = await root.getDirectoryHandle('documents');
    await documents.removeEntry(folder, { recursive: true }).catch(() => undefined);
  });

  it('outline, write, read with line numbers, edit by line range and by string', async () => {
    expect(
      await tools.create_outline.run({ points: ['Intro', 'Moons'], file_name: 'outline' }),
    ).toBe(`Outline saved to ${folder}/outline.md (2 points).`);
    expect(
      await tools.write_document.run({
        content: 'Title\nJupiter is big.\nIt has moons.',
        file_name: 'report.md',
      }),
    ).toBe(`Document saved to ${folder}/report.md (3 lines).`);
    expect(await tools.read_document.run({ file_name: 'report.md' })).toBe(
      '1 | Title\n2 | Jupiter is big.\n3 | It has moons.',
    );
    expect(
      await tools.read_document.run({ file_name: 'report.md', start_line: 2, end_line: 2 }),
    ).toBe('2 | Jupiter is big.');
    expect(
      await tools.edit_document.run({
        file_name: 'report.md',
        start_line: 1,
        end_line: 1,
        new_text: '# Jupiter',
      }),
    ).toBe(`Edited ${folder}/report.md; it now has 3 lines.`);
    await tools.edit_document.run({
      file_name: 'report.md',
      old_text: 'big',
      new_text: 'the largest planet',
    });

    const store = await DocumentStore.open();
    expect(await store.read(`${folder}/report.md`)).toBe(
      '# Jupiter\nJupiter is the largest planet.\nIt has moons.\n',
    );
    expect(await store.read(`${folder}/outline.md`)).toBe('1. Intro\n2. Moons\n');
    expect(written.map((w) => w.path)).toEqual([
      `${folder}/outline.md`,
      `${folder}/report.md`,
      `${folder}/report.md`,
      `${folder}/report.md`,
    ]);

    const listed = (await store.list()).filter((d) => d.folder === folder);
    expect(listed.map((d) => d.name).sort()).toEqual(['outline.md', 'report.md']);
    const report = listed.find((d) => d.name === 'report.md')!;
    expect(report.size).toBe(
      new TextEncoder().encode('# Jupiter\nJupiter is the largest planet.\nIt has moons.\n').length,
    );
    expect(Date.now() - report.lastModified).toBeLessThan(60_000);
  });

  it('answers mistakes with observations: unknown file, range past the end, missing or repeated text', async () => {
    await tools.write_document.run({ content: 'a a\nb', file_name: 'edits.md' });
    const error = async (args: Record<string, unknown>, tool = 'edit_document') =>
      JSON.parse(await tools[tool].run(args)).error as string;
    expect(await error({ file_name: 'nope.md' }, 'read_document')).toBe(
      `There is no document ${folder}/nope.md.`,
    );
    expect(await error({ file_name: 'edits.md', start_line: 2, end_line: 5, new_text: 'x' })).toBe(
      'The document has 2 lines; the range 2–5 goes past its end.',
    );
    expect(await error({ file_name: 'edits.md', old_text: 'zzz', new_text: 'x' })).toBe(
      'The text "zzz" is not in the document.',
    );
    expect(await error({ file_name: 'edits.md', old_text: 'a', new_text: 'x' })).toMatch(
      /more than once/,
    );
    expect(await error({ file_name: 'edits.md', new_text: 'x' })).toMatch(
      /Give old_text to replace/,
    );
    expect(await error({ file_name: 'edits.md', start_line: 9 }, 'read_document')).toMatch(
      /past its end/,
    );
    expect(await error({ points: [], file_name: 'o' }, 'create_outline')).toMatch(
      /at least one point/,
    );
  });

  it('deletes, and reports a missing document as not_found', async () => {
    const store = await DocumentStore.open();
    await store.write(`${folder}/gone.md`, 'x');
    expect(await store.exists(`${folder}/gone.md`)).toBe(true);
    await store.remove(`${folder}/gone.md`);
    expect(await store.exists(`${folder}/gone.md`)).toBe(false);
    await expect(store.remove(`${folder}/gone.md`)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(store.read('../x')).rejects.toMatchObject({ kind: 'invalid_name' });
  });

  it('says plainly when the browser has no OPFS, and when the quota is full', async () => {
    await expect(DocumentStore.open({} as StorageManager)).rejects.toMatchObject({
      kind: 'unsupported',
    });
    const refusing = {
      getDirectory: async () => Promise.reject(new DOMException('denied', 'SecurityError')),
    };
    await expect(DocumentStore.open(refusing as unknown as StorageManager)).rejects.toMatchObject({
      kind: 'unsupported',
    });

    // A file system whose writes hit the quota.
    const fullFile = {
      kind: 'file',
      createWritable: async () => ({
        write: async () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
        close: async () => undefined,
        abort: async () => undefined,
      }),
      getFile: async () => new File([''], 'x.md'),
    };
    const dir = {
      kind: 'directory',
      getDirectoryHandle: async () => dir,
      getFileHandle: async () => fullFile,
    };
    const full = { getDirectory: async () => dir } as unknown as StorageManager;
    const store = await DocumentStore.open(full);
    const failure = await store.write('x.md', 'text').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DocumentError);
    expect(failure).toMatchObject({ kind: 'quota' });
    expect((failure as Error).message).toMatch(/storage for this site is full/);
    const tool = createDocumentTools({ store: () => DocumentStore.open(full) }).find(
      (t) => t.spec.function.name === 'write_document',
    )!;
    expect(JSON.parse(await tool.run({ content: 'x', file_name: 'x' })).error).toMatch(/is full/);
  });
});
