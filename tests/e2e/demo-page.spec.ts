/**
 * The demo page itself, beyond any one demo: keyboard (Ctrl+Enter runs, Esc cancels), the
 * theme switch, a phone-sized viewport, comparing two threads side by side, the Code view
 * and the shareable URL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  button,
  expect,
  openDemo,
  region,
  settle,
  statusLine,
  test,
  uniqueThread,
} from './fixtures/demo-page';

test('Ctrl+Enter runs and Esc cancels, keeping the last completed step', async ({
  page,
  replay,
}) => {
  // The weather service holds its answers until released, so the run is certain to be in
  // the tools node when Esc arrives (the micro model alone can finish before a key press).
  let released = false;
  let requests = 0;
  const held: Array<() => void> = [];
  const gate = createServer((req, res) => {
    requests++;
    const forward = async () => {
      const answer = await fetch(`${replay.url}${req.url}`);
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
        'cross-origin-resource-policy': 'cross-origin',
      });
      res.end(await answer.text());
    };
    if (released) void forward();
    else held.push(() => void forward());
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  const { port } = gate.address() as AddressInfo;
  try {
    const thread = uniqueThread('keys');
    await openDemo(page, 'tool-loop', { thread, replay: `http://127.0.0.1:${port}` });
    await page.getByRole('textbox', { name: 'Message' }).focus();
    await page.keyboard.press('Control+Enter');
    await expect(statusLine(page)).toContainText('Status: running');
    await expect.poll(() => requests, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await expect(statusLine(page)).toContainText('Status: cancelled', { timeout: 10_000 });
    await expect(page.getByRole('alert').filter({ hasText: 'Cancelled' })).toBeVisible();
    // the agent's step was saved; the cancelled tools step was not
    const rows = region(page, 'Threads')
      .getByRole('list', { name: 'Checkpoints' })
      .getByRole('listitem');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('next: tools');
    // Resume continues from there: the tools run again (now answered) and the loop goes on
    released = true;
    held.splice(0).forEach((answer) => answer());
    await settle(page, () => button(region(page, 'Interrupts'), 'Resume').click(), 'done');
    expect(await rows.count()).toBeGreaterThan(2);
  } finally {
    released = true;
    held.splice(0).forEach((answer) => answer());
    await new Promise<void>((resolve) => gate.close(() => resolve()));
  }
});

test('the theme switch sets a theme on the page and remembers it', async ({ page }) => {
  await page.goto('/');
  const theme = page.getByRole('combobox', { name: 'Theme' });
  await theme.selectOption('dark');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(22, 23, 26)');
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('system');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
});

test('clicking a node in the graph shows its last input and output', async ({ page }) => {
  const thread = uniqueThread('node-details');
  await openDemo(page, 'tool-loop', { thread, offline: true });
  await settle(page, () => button(page, 'Run').click());
  const graph = region(page, 'Graph');
  await graph.getByRole('button', { name: /^Node tools\b/ }).click();
  await expect(graph.getByRole('heading', { name: 'Last input' })).toBeVisible();
  await expect(graph.getByTestId('last-input')).toContainText('get_current_temperature');
  await expect(graph.getByTestId('last-output')).toContainText('"role": "tool"');
});

test('on a phone-sized screen the panels stack and nothing overflows sideways', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const thread = uniqueThread('phone');
  await openDemo(page, 'tool-loop', { thread, offline: true });
  await settle(page, () => button(page, 'Run').click());
  for (const name of ['Graph', 'Trace', 'State', 'Threads', 'Interrupts']) {
    const box = await region(page, name).first().boundingBox();
    expect(box, name).not.toBeNull();
    expect(box!.x, name).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, name).toBeLessThanOrEqual(390 + 1);
  }
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});

test('two threads side by side, the Code view and a shareable URL', async ({ page }) => {
  const thread = uniqueThread('compare');
  await openDemo(page, 'stateless-call', { thread, offline: true });
  await settle(page, () => button(page, 'Run').click());
  // the URL now names the thread and the model, so it reopens the same view
  const url = new URL(page.url());
  expect(url.searchParams.get('thread')).toBe(thread);
  expect(url.searchParams.get('model.agent')).toBe('micro-agent');
  // a stateless demo starts a fresh thread per run: two threads to compare
  await page.getByRole('textbox', { name: 'Message' }).fill('Which is larger, 17 or 71?');
  await settle(page, () => button(page, 'Run').click());
  const state = region(page, 'State').first();
  await state.getByRole('combobox', { name: 'Compare with thread' }).selectOption(thread);
  await expect(state.getByRole('heading', { name: thread })).toBeVisible();
  await expect(state).toContainText('Who are you?');
  await expect(state).toContainText('Which is larger, 17 or 71?');

  const code = region(page, 'Code');
  await code.getByText('Code').click();
  await expect(code).toContainText("id: 'stateless-call'");
  await expect(code).toContainText('new StateGraph(StatelessCallState)');
});
