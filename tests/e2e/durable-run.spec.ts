import { expect, test, type Locator, type Page } from '@playwright/test';

// The durable-counter demo checkpoints every step to IndexedDB. These tests close,
// cancel and reload runs halfway and check that resuming neither loses nor repeats a
// step. They drive the page only through roles and accessible names.

const uniqueThread = (label: string) =>
  `e2e-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const demoUrl = (thread: string) => `/demos/durable-counter?thread=${encodeURIComponent(thread)}`;

const status = (page: Page) => page.getByRole('status');
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const stateRegion = (page: Page) => page.getByRole('region', { name: 'State', exact: true });
const threadsRegion = (page: Page) => page.getByRole('region', { name: 'Threads', exact: true });

/** The value shown next to `label` in a region's definition list. */
async function field(region: Locator, label: string): Promise<string> {
  const text = await region.innerText();
  const match = text.match(new RegExp(`^${label}\\s*\\n\\s*(.+)$`, 'm'));
  if (!match) throw new Error(`No field '${label}' in:\n${text}`);
  return match[1].trim();
}

/** Steps done according to the status line ("Running: 37 / 120"), or -1. */
async function stepsDone(page: Page): Promise<number> {
  const text = (await status(page).textContent()) ?? '';
  const match = text.match(/(\d+) \/ \d+/);
  return match ? Number(match[1]) : -1;
}

/** Wait until the page has read the saved thread and the buttons are live. */
async function openDemo(page: Page, thread: string): Promise<void> {
  await page.goto(demoUrl(thread));
  await expect(status(page)).not.toHaveText(/Loading/);
  await expect(button(page, 'Reset')).toBeEnabled();
}

async function startRun(page: Page, steps: number): Promise<void> {
  await page.getByRole('spinbutton', { name: 'Steps' }).fill(String(steps));
  await button(page, 'Run').click();
  await expect(status(page)).toHaveText(/^Running: \d+ \/ \d+$/);
}

async function waitForSteps(page: Page, atLeast: number): Promise<void> {
  await expect.poll(() => stepsDone(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(atLeast);
}

/** The paused step the reopened page reports, after checking the page offers Resume. */
async function expectPaused(page: Page, target: number, atLeast: number): Promise<number> {
  const pattern = new RegExp(`^Paused at step (\\d+) of ${target} — closed or cancelled`);
  await expect(status(page)).toHaveText(pattern);
  const k = Number(((await status(page).textContent()) ?? '').match(pattern)?.[1]);
  expect(k).toBeGreaterThanOrEqual(atLeast);
  expect(k).toBeLessThan(target);
  await expect(button(page, 'Resume')).toBeEnabled();
  await expectState(page, k, target);
  await expect(page.getByRole('progressbar', { name: 'Progress' })).toHaveAttribute(
    'value',
    String(k),
  );
  return k;
}

async function expectState(page: Page, count: number, target: number): Promise<void> {
  const region = stateRegion(page);
  await expect(region).toBeVisible();
  expect(await field(region, 'count')).toBe(String(count));
  expect(await field(region, 'target')).toBe(String(target));
  expect(await field(region, 'history length')).toBe(String(count));
  expect(await field(region, 'history intact')).toBe('yes');
}

/** Resume, run to the end, and check nothing was lost or doubled. */
async function resumeToDone(page: Page, target: number): Promise<void> {
  await button(page, 'Resume').click();
  await expect(status(page)).toHaveText(`Done: ${target} / ${target}`, { timeout: 15_000 });
  await expectState(page, target, target);
  await expect(button(page, 'Resume')).toBeDisabled();

  // One checkpoint for the input (step -1) plus one per completed superstep (0 …
  // target-1). Resuming with a null input adds no input checkpoint, and a step cut off
  // by a closed tab leaves nothing behind, so every step appears exactly once.
  const threads = threadsRegion(page);
  await expect(threads).toContainText(new RegExp(`checkpoints\\s+${target + 1}\\b`));
  expect(await field(threads, 'checkpoints')).toBe(String(target + 1));
  expect(await field(threads, 'steps')).toBe(`-1 to ${target - 1}, each once: yes`);
}

test('a run survives closing the tab and resumes without losing or repeating a step', async ({
  context,
  page,
}) => {
  const thread = uniqueThread('close');
  await openDemo(page, thread);
  await expect(status(page)).toHaveText(/^Ready/);
  await expect(button(page, 'Resume')).toBeDisabled();

  await startRun(page, 120);
  await waitForSteps(page, 30);
  // Close abruptly, in the middle of a step: the run gets no chance to finish or save.
  await page.close();

  // Reopen in the same browser context, so the same IndexedDB.
  const reopened = await context.newPage();
  await openDemo(reopened, thread);
  await expectPaused(reopened, 120, 30);
  await resumeToDone(reopened, 120);
});

test('Cancel stops a run at a saved step and Resume finishes it', async ({ page }) => {
  const thread = uniqueThread('cancel');
  await openDemo(page, thread);
  await startRun(page, 100);
  await waitForSteps(page, 10);
  await button(page, 'Cancel').click();

  const pattern = /^Cancelled at step (\d+); state saved/;
  await expect(status(page)).toHaveText(pattern);
  const n = Number(((await status(page).textContent()) ?? '').match(pattern)?.[1]);
  expect(n).toBeGreaterThanOrEqual(10);
  expect(n).toBeLessThan(100);
  await expect(button(page, 'Cancel')).toBeDisabled();
  await expect(button(page, 'Resume')).toBeEnabled();
  await expectState(page, n, 100);

  await resumeToDone(page, 100);
});

test('reloading mid-run leaves a resumable thread; keyboard shortcuts run and cancel', async ({
  page,
}) => {
  const thread = uniqueThread('reload');
  await openDemo(page, thread);

  // Ctrl+Enter runs.
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('100');
  await page.keyboard.press('Control+Enter');
  await waitForSteps(page, 15);
  await page.reload();

  await expect(status(page)).not.toHaveText(/Loading/);
  const k = await expectPaused(page, 100, 15);

  // Resume, then Esc cancels; the step count only moves forward.
  await button(page, 'Resume').click();
  await waitForSteps(page, k + 5);
  await page.keyboard.press('Escape');
  await expect(status(page)).toHaveText(/^Cancelled at step \d+; state saved/);

  await resumeToDone(page, 100);

  // Reset deletes the thread.
  await button(page, 'Reset').click();
  await expect(status(page)).toHaveText(/^Ready/);
  await expect(threadsRegion(page)).toContainText(/checkpoints\s+0\b/);
  await expect(button(page, 'Resume')).toBeDisabled();
});
