import { expect, test, type Page } from '@playwright/test';

async function run(page: Page, algorithm: string, budget: number) {
  await page.getByRole('combobox', { name: 'Algorithm' }).selectOption(algorithm);
  await page.getByRole('spinbutton', { name: 'Budget (model calls)' }).fill(String(budget));
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(
    new RegExp(`Status: done · ${budget} of ${budget} calls`),
    { timeout: 90_000 },
  );
}

test('node tooltips show the algorithm’s numbers; the KV panel shows the shared prefix cache', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto('/lab/search');
  const tree = page.getByRole('region', { name: 'Search tree' });
  const tooltip = page.getByRole('tooltip');

  // AB-MCTS-A: score, visits, GEN/CONT posteriors; every node marked GEN or CONT
  await run(page, 'ab-mcts-a', 5);
  const first = tree.getByRole('button', { name: /^Node 1,/ });
  await expect(first).toHaveAccessibleName(/created by GEN$/);
  await first.hover();
  await expect(tooltip).toContainText('Node 1');
  await expect(tooltip).toContainText(/Score\s*[\d.]+/);
  await expect(tooltip).toContainText(/Visits\s*\d+/);
  await expect(tooltip).toContainText(
    /GEN posterior\s*m [\d.-]+, κ \d+, ν \d+, τ² [\d.]+ \(n \d+\)/,
  );
  await expect(tooltip).toContainText(/CONT posterior\s*m [\d.-]+/);
  await expect(tooltip).toContainText(/Own posterior\s*m [\d.-]+, κ [2-9]/);
  await expect(tree.getByRole('button', { name: /created by (GEN|CONT)$/ })).toHaveCount(5);
  // keyboard: the root's tooltip on focus, gone on Escape
  await page.mouse.move(0, 0);
  await tree.getByRole('button', { name: /^Root/ }).focus();
  await expect(tooltip).toContainText(/Root[\s\S]*GEN posterior\s*m [\d.-]+, κ \d+, ν \d+/);
  await page.keyboard.press('Escape');
  await expect(tooltip).toHaveCount(0);
  await page.keyboard.press('Tab');
  await expect(tooltip).toContainText(/Node \d+/);

  // MCTS: UCT = V/N + c·sqrt(ln N_p / N) with c = √2
  await run(page, 'mcts', 4);
  await tree.getByRole('button', { name: /^Node 1,/ }).hover();
  await expect(tooltip.getByTestId('uct')).toHaveText(/^\d+\.\d{3}$/);
  await expect(tooltip).toContainText(/c 1\.41, Np\s*4/);

  // The KV panel after both runs (one worker, one cache): root prompts and their children
  const kv = page.getByRole('region', { name: 'KV cache' });
  const picture = kv.getByRole('img', { name: /KV prefix tree with \d+ spans/ });
  await expect(picture).toBeVisible();
  const spans = Number((await picture.getAttribute('aria-label'))!.match(/with (\d+) spans/)![1]);
  expect(spans).toBeGreaterThan(1);
  const totals = await kv.getByTestId('kv-totals').innerText();
  const [, bytes] = totals.match(/([\d.]+) (?:B|KB|MB) of/)!;
  expect(Number(bytes)).toBeGreaterThan(0);
  const [, reused, prompt] = totals.match(/\((\d+) of (\d+) prompt tokens reused\)/)!;
  expect(Number(reused)).toBeGreaterThan(0);
  expect(Number(prompt)).toBeGreaterThan(Number(reused));
  expect(totals).toMatch(/hit ratio [1-9]\d*%/);
  expect(totals).toMatch(/evictions \d+/);

  // AB-MCTS-M: predictive summaries from the mixed model
  await run(page, 'ab-mcts-m', 3);
  await tree.getByRole('button', { name: /^Root/ }).hover();
  await expect(tooltip).toContainText(/GEN predictive\s*[\d.-]+ ± [\d.]+/);
  await expect(tooltip).toContainText(/CONT → 1\s*[\d.-]+ ± [\d.]+ \(n \d+\)/);
});
