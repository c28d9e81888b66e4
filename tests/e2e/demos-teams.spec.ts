/**
 * The chapter 3 team demos on the demo page, with the bundled micro model (greedy, seed
 * 0) and the web tools pointed at the local replay server (`?replay=`): the supervisor's
 * decisions in the Trace and the Team panel, search calls answered by the MediaWiki
 * replay, and the hierarchical teams' report saved in OPFS, opened from the demo page and
 * listed on /documents.
 */
import type { Page } from '@playwright/test';
import {
  button,
  expect,
  openDemo,
  region,
  runTurn,
  test,
  traceCalls,
  tracePath,
  uniqueThread,
} from './fixtures/demo-page';

const SEED = 0;
test.describe.configure({ timeout: 180_000 });

/** What each task of a node streamed as text in the Trace, in order (the routers' JSON). */
async function traceContents(page: Page, node: string): Promise<string[]> {
  const tasks = region(page, 'Trace')
    .locator('.task')
    .filter({
      has: page.locator('.node-name', { hasText: new RegExp(`^${node}$`) }),
    });
  const out: string[] = [];
  for (const task of await tasks.all())
    out.push((await task.locator('.content').allInnerTexts()).join('\n'));
  return out;
}

/** The Team panel's routing decisions as `router → next`. */
async function decisions(page: Page): Promise<string[]> {
  const list = region(page, 'Team').getByRole('list', { name: 'Routing decisions' });
  return (await list.getByRole('listitem').allInnerTexts()).map((t) =>
    t.replace(/\s+/g, ' ').trim(),
  );
}

test('supervisor-team: the router picks the researcher, whose search goes to the replay server, then FINISH', async ({
  page,
  replay,
}) => {
  const thread = uniqueThread('supervisor');
  await openDemo(page, 'supervisor-team', { thread, seed: SEED, replay: replay.url });

  // Every agent shows its model, and each can be swapped.
  const models = region(page, 'Models');
  for (const role of ['supervisor', 'researcher', 'math_expert'])
    await expect(models.getByText(role, { exact: true })).toBeVisible();

  await runTurn(page, 'Find out who invented the telephone.');
  // The micro model's route is its own; what must hold: the first decision sends the
  // research task to the researcher, every decision streams as the supervisor's JSON and
  // is listed in the Team panel, workers and decisions alternate, and the run ends with
  // FINISH or at the bound (3 visits, then one more decision).
  const path = await tracePath(page);
  const routes = (await traceContents(page, 'supervisor')).map((text) => JSON.parse(text).next);
  expect(routes[0]).toBe('researcher');
  expect(path).toEqual(
    routes.flatMap((next, i) => (i < routes.length - 1 ? ['supervisor', next] : ['supervisor'])),
  );
  expect(routes.at(-1) === 'FINISH' || routes.length === 4).toBe(true);
  expect(await decisions(page)).toEqual(routes.map((next) => `supervisor → ${next}`));

  const searches = (await traceCalls(page)).filter((c) => c.name === 'search');
  expect(searches.length).toBeGreaterThan(0);
  const wiki = replay.requests.filter((r) => r.path === '/w/api.php');
  expect(wiki).toHaveLength(searches.length);
  for (const [i, request] of wiki.entries()) {
    expect(request.query).toMatchObject({
      action: 'query',
      generator: 'search',
      origin: '*',
      formatversion: '2',
    });
    expect(request.query.gsrsearch).toBe((searches[i].arguments as { query: string }).query);
    expect(searches[i].result).toMatch(/^\[/); // the replay's hits (or none), as a JSON list
  }
  await expect(page.getByLabel('Answer', { exact: true })).not.toBeEmpty();
});

test('hierarchical-teams: research, then the writing team saves a report that opens from the page and is listed on /documents', async ({
  page,
  replay,
}) => {
  const thread = uniqueThread('teams');
  await openDemo(page, 'hierarchical-teams', { thread, seed: SEED, replay: replay.url });
  const models = region(page, 'Models');
  for (const role of [
    'supervisor',
    'research_supervisor',
    'searcher',
    'web_scraper',
    'writing_supervisor',
    'note_taker',
    'copywriter',
  ])
    await expect(models.getByText(role, { exact: true })).toBeVisible();

  await runTurn(page, 'Find facts about the moons of Jupiter, then write a report about them.');
  // The route is the micro model's own; with this message and seed it researches, then
  // hands over to the writing team, whose router sends the work to the copywriter.
  const path = await tracePath(page);
  expect(path.slice(0, 2)).toEqual(['supervisor', 'researcher']);
  expect(path).toContain('writer');
  const routed = await decisions(page);
  expect(routed.slice(0, 2)).toEqual(['supervisor → researcher', 'research_supervisor → searcher']);
  expect(routed).toContain('supervisor → writer');
  expect(routed).toContain('writing_supervisor → copywriter');
  expect(await traceContents(page, 'supervisor')).toEqual(
    routed.filter((d) => d.startsWith('supervisor → ')).map((d) => `{"next": "${d.slice(13)}"}`),
  );
  expect(replay.requests.filter((r) => r.path === '/w/api.php').length).toBeGreaterThan(0);
  // Whatever the scraper was asked for went through the replay proxy, never elsewhere.
  const scrapes = (await traceCalls(page)).filter((c) => c.name === 'scrape');
  for (const call of scrapes) expect(call.result).toBeTruthy();

  // The saved report: linked from the Team panel, stored in this origin's OPFS.
  const team = region(page, 'Team');
  const link = team.getByRole('link', { name: /^Open / });
  await expect(link.first()).toBeVisible();
  const documentPath = (await link.first().innerText()).replace(/^Open /, '').trim();
  const stored = await page.evaluate(async (name) => {
    const root = await navigator.storage.getDirectory();
    const documents = await root.getDirectoryHandle('documents');
    const file = await (await documents.getFileHandle(name)).getFile();
    return file.text();
  }, documentPath);
  expect(stored.length).toBeGreaterThan(0);
  // Exactly what one of the copywriter's write_document calls held (plus a final newline).
  const written = (await traceCalls(page))
    .filter((c) => c.name === 'write_document')
    .map((c) => (c.arguments as { content: string }).content.replace(/\n?$/, '\n'));
  expect(written).toContain(stored);

  await link.first().click();
  await expect(page).toHaveURL(
    new RegExp(`/documents\\?open=${encodeURIComponent(documentPath).replace(/[.]/g, '\\.')}`),
  );
  const viewer = page.getByRole('region', { name: `Document ${documentPath}` });
  await expect(viewer.locator('pre')).toHaveText(stored.replace(/\n$/, ''), { useInnerText: true });
  const table = page.getByRole('table', { name: 'Documents' });
  const row = table.getByRole('row').filter({ hasText: documentPath });
  await expect(row).toContainText(`${new TextEncoder().encode(stored).length} B`);

  // Download hands over the stored bytes; delete removes the file.
  const download = page.waitForEvent('download');
  await button(row, `Download ${documentPath}`).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe(documentPath);
  page.once('dialog', (dialog) => dialog.accept());
  await button(row, `Delete ${documentPath}`).click();
  await expect(table.getByRole('row').filter({ hasText: documentPath })).toHaveCount(0);
});

test('offline: search goes to the bundled corpus, reranked by the micro encoder loaded in the page', async ({
  page,
  replay,
}) => {
  const encoderFiles: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/static-models/micro-encoder/')) encoderFiles.push(request.url());
  });
  const thread = uniqueThread('offline');
  await openDemo(page, 'supervisor-team', { thread, seed: SEED, offline: true });
  await runTurn(page, 'Find out who invented the telephone.');
  const searches = (await traceCalls(page)).filter((c) => c.name === 'search');
  expect(searches.length).toBeGreaterThan(0);
  for (const call of searches) {
    const hits = JSON.parse(call.result!) as Array<{ id: string }>;
    for (const hit of hits) expect(hit.id).toMatch(/^[a-z]\d{3}$/); // corpus ids, not Wikipedia's
  }
  expect(encoderFiles.some((url) => url.endsWith('.onnx'))).toBe(true);
  expect(replay.requests).toHaveLength(0);
});

test('documents page: empty state and the header link', async ({ page }) => {
  await page.goto('/');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Documents' })
    .click();
  await expect(page.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible();
  await expect(page.getByText(/No documents yet|Name/).first()).toBeVisible();
});
