/**
 * The code sandbox in real Chromium: the agent's code cannot reach the app's IndexedDB or
 * the network, an infinite loop is stopped at the time limit while the page keeps ticking,
 * a runaway allocation hits the memory guard, and stdout, results, CSV data frames and
 * chart specs come back as plain data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CodeSandbox, createRunJavascriptTool, sandboxSteps } from '../../src/lib/tools/sandbox';

const sandbox = new CodeSandbox({ timeoutMs: 4000 });
afterAll(() => sandbox.dispose());

const CSV = 'store,units\nnorth,10\nnorth,14\nsouth,3\nsouth,5\nsouth,7\n';

describe('isolation', () => {
  it('runs in an iframe with allow-scripts only (an opaque origin)', async () => {
    const outcome = await sandbox.run('[self.origin, typeof document, typeof window]');
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual(['null', 'undefined', 'undefined']);
    expect(sandbox.element?.getAttribute('sandbox')).toBe('allow-scripts');
  });

  it("cannot open the app's IndexedDB", async () => {
    // A database the app really has, with a record in it.
    const dbName = `sandbox-secret-${Date.now()}`;
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(dbName, 1);
      request.onupgradeneeded = () =>
        request.result.createObjectStore('secrets').put('s3cret', 'k');
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    const outcome = await sandbox.run(`
      await new Promise((resolve, reject) => {
        const request = indexedDB.open(${JSON.stringify(dbName)});
        request.onsuccess = () => resolve(request.result.objectStoreNames.length);
        request.onerror = () => reject(request.error);
      });
    `);
    expect(outcome.error).toMatch(/SecurityError|denied|not allowed/i);
    expect(JSON.stringify(outcome)).not.toContain('s3cret');
    indexedDB.deleteDatabase(dbName);
  });

  it('has no cookies or localStorage of the app', async () => {
    localStorage.setItem('sandbox-probe', 'app-secret');
    const outcome = await sandbox.run(
      "[typeof localStorage, typeof document, typeof self.cookieStore === 'undefined' ? 'none' : 'present']",
    );
    expect(outcome.result).toEqual(['undefined', 'undefined', 'none']);
    localStorage.removeItem('sandbox-probe');
  });

  it('cannot fetch, even from the app itself', async () => {
    const outcome = await sandbox.run(`
      let violated = null;
      self.addEventListener('securitypolicyviolation', (e) => (violated = e.effectiveDirective));
      try { await fetch(${JSON.stringify(location.origin + '/')}); return 'fetched'; }
      catch (e) { await new Promise((r) => setTimeout(r, 20)); return [String(e), violated]; }
    `);
    expect(outcome.result).toEqual(['TypeError: Failed to fetch', 'connect-src']);
  });

  it('cannot use XHR, WebSocket or importScripts either, and the CSP is what blocks them', async () => {
    const wsUrl = `ws://${location.host}/`;
    const outcome = await sandbox.run(`
      const violations = [];
      self.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective + ' ' + e.blockedURI.split(':')[0]));
      const attempts = {};
      try { const x = new XMLHttpRequest(); x.open('GET', ${JSON.stringify(location.origin + '/')}, false); x.send(); attempts.xhr = x.status; } catch (e) { attempts.xhr = e.name; }
      attempts.ws = await new Promise((resolve) => {
        try {
          const socket = new WebSocket(${JSON.stringify(wsUrl)}, 'vite-hmr');
          socket.onopen = () => resolve('opened');
          socket.onerror = () => resolve('error');
        } catch (e) { resolve(e.name); }
      });
      try { importScripts(${JSON.stringify(location.origin + '/x.js')}); attempts.importScripts = 'loaded'; } catch (e) { attempts.importScripts = e.name; }
      await new Promise((resolve) => setTimeout(resolve, 50));
      attempts.violations = [...new Set(violations)].sort();
      return attempts;
    `);
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual({
      xhr: 'NetworkError',
      ws: 'error',
      importScripts: 'NetworkError',
      // each attempt was refused by the sandbox's CSP, not by a closed port or CORS
      violations: ['connect-src http', 'connect-src ws', 'script-src-elem http'],
    });
  });

  it('stops an infinite loop at the time limit while the page keeps ticking', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 50);
    const started = performance.now();
    const outcome = await sandbox.run('console.log("before"); while (true) {}', {
      timeoutMs: 1000,
    });
    const elapsed = performance.now() - started;
    clearInterval(interval);
    expect(outcome.errorKind).toBe('timeout');
    expect(outcome.error).toMatch(/Timed out/);
    expect(outcome.stdout).toBe('before\n');
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(2500);
    // ~20 ticks in a second if the page was never blocked; allow for a slow machine
    expect(ticks).toBeGreaterThanOrEqual(12);
    // and the sandbox still works afterwards
    expect((await sandbox.run('1 + 1')).result).toBe(2);
  });

  it('caps the output of a printing loop and still stops it', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 50);
    const outcome = await sandbox.run('for (let i = 0; ; i++) console.log(i)', {
      timeoutMs: 1000,
    });
    clearInterval(interval);
    expect(outcome.errorKind).toBe('timeout');
    expect(outcome.stdout.startsWith('0\n1\n2\n')).toBe(true);
    expect(outcome.stdout.endsWith('\n… [output truncated]')).toBe(true);
    expect(outcome.stdout.length).toBeLessThanOrEqual(sandbox.limits.maxStdoutChars + 30);
    expect(ticks).toBeGreaterThanOrEqual(12);
  });

  it('stops a runaway allocation with the memory guard', async () => {
    const outcome = await sandbox.run(
      'const chunks = []; while (true) chunks.push(new Array(1e6).fill(0));',
    );
    expect(outcome.error).toMatch(/Memory guard/);
    const text = await sandbox.run("'x'.repeat(1e8).length");
    expect(text.error).toMatch(/Memory guard/);
  });
});

describe('running code', () => {
  it('captures stdout and the value of the last expression', async () => {
    const outcome = await sandbox.run(
      'console.log("hello", 1 + 2); console.warn({a: 1}); const xs = [1, 2, 3]; xs.map((x) => x * 2)',
    );
    expect(outcome.stdout).toBe('hello 3\n[warn] {"a":1}\n');
    expect(outcome.result).toEqual([2, 4, 6]);
    expect(outcome.error).toBeNull();
    expect(outcome.ms).toBeGreaterThanOrEqual(0);
  });

  it('takes a top-level return or await as a function body', async () => {
    expect((await sandbox.run('const a = 2; return a * 21;')).result).toBe(42);
    expect((await sandbox.run('const v = await Promise.resolve(5); return v + 1;')).result).toBe(6);
    // with top-level await the code is a function body: no return, no result
    expect((await sandbox.run('await Promise.resolve(5)')).result).toBeUndefined();
  });

  it('reports exceptions and syntax errors', async () => {
    const thrown = await sandbox.run('const x = 1;\nnull.foo;');
    expect(thrown.errorKind).toBe('exception');
    expect(thrown.error).toMatch(/^TypeError: Cannot read properties of null/);
    const syntax = await sandbox.run('function (');
    expect(syntax.error).toMatch(/^SyntaxError/);
  });

  it('gives every run a fresh realm', async () => {
    await sandbox.run('globalThis.leftover = 1');
    expect((await sandbox.run('typeof leftover')).result).toBe('undefined');
  });

  it('loads a CSV file into an arquero data frame', async () => {
    const outcome = await sandbox.run(
      `const t = loadCSV('sales.csv');
       const means = t.groupby('store').rollup({ mean_units: aq.op.mean('units') }).orderby('store');
       means.print();
       means.objects()`,
      { files: { 'sales.csv': CSV } },
    );
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual([
      { store: 'north', mean_units: 12 },
      { store: 'south', mean_units: 5 },
    ]);
    expect(outcome.stdout).toContain('|north|12|');
    const missing = await sandbox.run("loadCSV('nope.csv')", { files: { 'sales.csv': CSV } });
    expect(missing.error).toMatch(/No file named "nope.csv". Available: "sales.csv"/);
  });

  it('describes the numeric columns of a table', async () => {
    const outcome = await sandbox.run("describe(loadCSV('sales.csv')).objects()", {
      files: { 'sales.csv': CSV },
    });
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual([
      { column: 'units', count: 5, mean: 7.8, sd: 4.324, min: 3, median: 7, max: 14 },
    ]);
  });

  it('returns a chart spec as data', async () => {
    const outcome = await sandbox.run(
      `const t = loadCSV('sales.csv').groupby('store').rollup({ mean: aq.op.mean('units') });
       chart({ type: 'bar', data: t, x: 'store', y: 'mean', title: 'Mean units by store' });`,
      { files: { 'sales.csv': CSV } },
    );
    expect(outcome.error).toBeNull();
    expect(outcome.charts).toEqual([
      {
        type: 'bar',
        x: 'store',
        y: 'mean',
        title: 'Mean units by store',
        data: [
          { store: 'north', mean: 12 },
          { store: 'south', mean: 5 },
        ],
      },
    ]);
  });

  it('rejects a bad chart spec with a clear error', async () => {
    const outcome = await sandbox.run(
      `chart({ type: 'pie', data: [{a: 1}], x: 'a', y: 'a' });
       chart({ type: 'bar', data: [{ k: 'a', v: 'lots' }], x: 'k', y: 'v' });
       chart({ type: 'bar', data: [{ k: 'a', v: 1 }], x: 'k', y: 'value' });`,
    );
    expect(outcome.charts).toEqual([]);
    expect(outcome.errorKind).toBe('chart');
    expect(outcome.error).toContain(
      'chart 1 rejected: type must be one of bar, line, scatter, got "pie"',
    );
    expect(outcome.error).toContain('chart 2 rejected: y must be numeric: data[0].v is "lots"');
    expect(outcome.error).toContain(
      'chart 3 rejected: data[0] has no field "value" (fields: k, v)',
    );
    const big = await sandbox.run(
      "chart({ type: 'line', data: Array.from({ length: 1e5 }, (_, i) => ({ i, v: i })), x: 'i', y: 'v' })",
    );
    expect(big.error).toBe('chart 1 rejected: data has 501 rows; a chart takes at most 500');
  });
});

describe('run_javascript tool', () => {
  it('answers with {stdout, result, charts, error, ms} and pairs with its call', async () => {
    const tool = createRunJavascriptTool({ sandbox, files: { 'sales.csv': CSV } });
    expect(tool.spec.function.description).toContain('sales.csv');
    const content = await tool.run({ code: "print(files); loadCSV('sales.csv').numRows()" });
    const observation = JSON.parse(content);
    expect(observation).toMatchObject({
      stdout: '["sales.csv"]\n',
      result: 5,
      charts: [],
      error: null,
    });
    const steps = sandboxSteps([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'run_javascript', arguments: JSON.stringify({ code: '1' }) },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', name: 'run_javascript', content },
    ]);
    expect(steps).toHaveLength(1);
    expect(steps[0].code).toBe('1');
    expect(steps[0].observation?.result).toBe(5);
  });

  it('rejects on cancel, like every tool', async () => {
    const tool = createRunJavascriptTool({ sandbox });
    const controller = new AbortController();
    const pending = tool.run({ code: 'while (true) {}' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow(/cancelled/);
  });
});
