/**
 * The solver–judge demo on the Game of 24 with the bundled micro model and a fixed seed.
 * The model's answers are whatever it samples, so nothing here guesses them: the expected
 * rewards are computed from the expressions the page shows, with the project's own 24
 * judge, and the expected advantages from those rewards with the project's GRPO math.
 */
import { groupedAdvantages, judge24 } from '../../src/lib/rl/index';
import {
  expect,
  openDemo,
  region,
  runTurn,
  stateValues,
  statusLine,
  test,
  tracePath,
  uniqueThread,
} from './fixtures/demo-page';

const SEED = 0;
const SOLVERS = 3;
test.describe.configure({ timeout: 120_000 });

interface ShownSolver {
  proposal: string | null;
  verdict: string;
  reward: number;
  advantage: number;
}

test('solvers propose in parallel, the judge picks, each trajectory gets its own reward', async ({
  page,
}) => {
  const thread = uniqueThread('solver-judge');
  await openDemo(page, 'solver-judge-24', { thread, seed: SEED });
  // one model role per solver, and the judge's
  const models = region(page, 'Models');
  for (const role of ['solver_1', 'solver_2', 'solver_3', 'judge'])
    await expect(models).toContainText(role);

  await runTurn(page, 'Deal a puzzle');

  // deal, the three solvers in one superstep (any order), then judge and reward
  const path = await tracePath(page);
  expect(path[0]).toBe('deal');
  expect([...path.slice(1, 1 + SOLVERS)].sort()).toEqual(['solver_1', 'solver_2', 'solver_3']);
  expect(path.slice(1 + SOLVERS)).toEqual(['judge', 'reward']);
  // the graph view marks the fan-out into every solver and the join out of every one
  const takenEdges = await page
    .locator('g.edge.taken')
    .evaluateAll((edges) =>
      edges.map((e) => `${e.getAttribute('data-from')} > ${e.getAttribute('data-to')}`),
    );
  for (const solver of ['solver_1', 'solver_2', 'solver_3']) {
    expect(takenEdges).toContain(`deal > ${solver}`);
    expect(takenEdges).toContain(`${solver} > judge`);
  }

  const episode = region(page, 'Episode');
  const table = episode.getByRole('table');
  const caption = await table.locator('caption').innerText();
  expect(caption).toContain(`(seed ${SEED})`);
  const nums = JSON.parse(await table.locator('caption .nums').innerText()) as number[];
  expect(nums).toHaveLength(4);

  const solverRows = table.locator('tbody tr[data-role="solver"]');
  const judgeRows = table.locator('tbody tr[data-role="judge"]');
  await expect(solverRows).toHaveCount(SOLVERS);
  await expect(judgeRows).toHaveCount(1);

  const solvers: ShownSolver[] = [];
  for (const row of await solverRows.all()) {
    const expression = row.locator('.expression');
    solvers.push({
      proposal: (await expression.count()) ? await expression.innerText() : null,
      verdict: (await row.locator('.verdict').innerText()).trim(),
      reward: Number(await row.locator('.reward').innerText()),
      advantage: Number(await row.locator('.advantage').innerText()),
    });
  }

  // each solver's reward is the 24 judge's verdict on the expression shown
  const correct: boolean[] = [];
  for (const solver of solvers) {
    if (solver.proposal === null) {
      expect(solver.verdict).toBe('no answer');
      expect(solver.reward).toBe(0);
      correct.push(false);
      continue;
    }
    const verdict = judge24(solver.proposal, nums);
    expect(solver.verdict).toBe(verdict.message);
    expect(solver.reward).toBe(verdict.correct ? 1 : 0.1);
    correct.push(verdict.correct);
  }
  // advantages: normalized among the solvers only
  const expectedAdvantages = groupedAdvantages(
    solvers.map((s) => s.reward),
    SOLVERS,
  );
  solvers.forEach((s, i) =>
    expect(Math.abs(s.advantage - expectedAdvantages[i])).toBeLessThan(6e-4),
  );

  // the judge's pick, and its reward from the rule: a correct pick, or "none" when none was
  const pick = (await judgeRows.locator('.pick').innerText()).trim();
  expect(pick).toMatch(/^(proposal [1-3]|none)$/);
  const picked = pick === 'none' ? null : Number(pick.replace('proposal ', ''));
  const judgeShouldEarn = correct.some(Boolean)
    ? picked !== null && correct[picked - 1]
    : picked === null;
  expect(Number(await judgeRows.locator('.reward').innerText())).toBe(judgeShouldEarn ? 1 : 0);
  // one judge: alone in its group
  expect(Number(await judgeRows.locator('.advantage').innerText())).toBe(0);
  if (picked !== null)
    await expect(solverRows.nth(picked - 1).locator('.badge')).toHaveText("judge's pick");

  // the totals are the sums of the rows; advantages of a role sum to zero
  const solverTotal = table.locator('tfoot tr[data-total="solver"]');
  const judgeTotal = table.locator('tfoot tr[data-total="judge"]');
  const rewardSum = solvers.reduce((sum, s) => sum + s.reward, 0);
  expect(Number(await solverTotal.locator('.reward-sum').innerText())).toBeCloseTo(rewardSum, 6);
  expect(Number(await solverTotal.locator('.advantage-sum').innerText())).toBe(0);
  expect(Number(await judgeTotal.locator('.reward-sum').innerText())).toBe(judgeShouldEarn ? 1 : 0);
  expect(Number(await judgeTotal.locator('.advantage-sum').innerText())).toBe(0);

  // the table shows the episode in state, and the judge's pick is its raw JSON reply
  const values = await stateValues(page);
  const state = values.episode as {
    puzzle: { nums: number[] };
    solvers: Array<{ answer: string | null; reward: number }>;
    judges: Array<{ raw: string; error: unknown }>;
  };
  expect(state.puzzle.nums).toEqual(nums);
  expect(state.solvers.map((s) => s.answer)).toEqual(solvers.map((s) => s.proposal));
  expect(state.solvers.map((s) => s.reward)).toEqual(solvers.map((s) => s.reward));
  expect(state.judges[0].error).toBeNull();
  const reply = JSON.parse(state.judges[0].raw) as { choice: number | 'none'; reason: string };
  expect(reply.choice === 'none' ? null : reply.choice).toBe(picked);
  await expect(page.getByLabel('Answer', { exact: true })).toContainText(`[${nums.join(', ')}]`);
});

test('a hand that cannot make 24 stops at the deal with a clear error', async ({ page }) => {
  const thread = uniqueThread('solver-judge-unsolvable');
  await openDemo(page, 'solver-judge-24', { thread, seed: SEED });
  await runTurn(page, '1 1 1 1', 'error');
  await expect(region(page, 'Input').getByRole('alert')).toContainText(
    '[1, 1, 1, 1] cannot make 24',
  );
  expect(await tracePath(page)).toEqual(['deal']);
  await expect(statusLine(page)).toContainText('Status: error');
});
