/**
 * The demo page itself, beyond any one demo: keyboard (Ctrl+Enter runs, Esc cancels), the
 * theme switch, a phone-sized viewport, comparing two threads side by side, the Code view
 * and the shareable URL.
 */
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

test('Ctrl+Enter runs and Esc cancels, keeping the last completed step', async ({ page }) => {
  const thread = uniqueThread('keys');
  // the feedback loop's writer produces up to 200 tokens: long enough to cancel midway
  await openDemo(page, 'hitl-feedback-loop', { thread, offline: true });
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.focus();
  await page.keyboard.press('Control+Enter');
  await expect(statusLine(page)).toContainText('Status: running');
  await expect(button(page, 'Cancel')).toBeEnabled();
  await page.keyboard.press('Escape');
  await expect(statusLine(page)).toContainText('Status: cancelled', { timeout: 10_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'Cancelled' })).toBeVisible();
  // nothing half-written was kept: only the input checkpoint exists
  const rows = region(page, 'Threads')
    .getByRole('list', { name: 'Checkpoints' })
    .getByRole('listitem');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('input');
  // Resume continues from there: the writer runs again and the review pauses for a human
  await settle(page, () => button(region(page, 'Interrupts'), 'Resume').click(), 'interrupted');
  await expect(rows).toHaveCount(2);
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
