/**
 * Chapter 3 demos with the bundled micro model (greedy, fixed seed): single-step vs ReAct
 * side by side, and the chain-of-thought data analyst. The micro model's code is not
 * JavaScript, so the tests pin what the system does: the branches that ran, the sandbox
 * step in the audit trail with the sandbox's own error, the observation the model read,
 * and that any chart a run produced is drawn. A last test puts a scripted OpenAI-compatible
 * endpoint in the agent role, writing working analysis code, to show the whole path to a
 * chart drawn on the page.
 */
import {
  expect,
  openDemo,
  region,
  runTurn,
  stateValues,
  test,
  tracePath,
  uniqueThread,
  type StoredMessage,
} from './fixtures/demo-page';
import { startScriptedEndpoint } from './scripted-endpoint';

const SEED = 0;
test.describe.configure({ timeout: 120_000 });

type Msg = StoredMessage;

/** The run_javascript observations in a conversation, parsed. */
function observations(messages: Msg[]) {
  return messages
    .filter((m) => m.role === 'tool' && m.name === 'run_javascript')
    .map(
      (m) =>
        JSON.parse(m.content ?? '') as {
          stdout: string;
          error: string | null;
          charts: unknown[];
          ms: number;
        },
    );
}

test('single-step vs ReAct: both branches run on the same question, side by side', async ({
  page,
}) => {
  const thread = uniqueThread('single-vs-react');
  await openDemo(page, 'single-step-vs-react', { thread, seed: SEED });
  await runTurn(page, 'Summarize the data and chart its key statistics.');

  const path = await tracePath(page);
  // the two branches start together; ReAct's first turn must run code
  expect(path.slice(0, 2).sort()).toEqual(['analyst', 'single_step']);
  expect(path).toContain('sandbox');

  const values = await stateValues(page);
  const single = values.single_messages as Msg[];
  const react = values.messages as Msg[];
  expect(single.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(single[1].tool_calls ?? []).toEqual([]);
  expect(react[0]).toMatchObject({
    role: 'user',
    content: 'Summarize the data and chart its key statistics.',
  });
  expect(react[1].tool_calls?.[0].function.name).toBe('run_javascript');
  const seen = observations(react);
  expect(seen.length).toBeGreaterThanOrEqual(1);
  for (const o of seen) expect(typeof o.ms).toBe('number');

  const side = region(page, 'Side by side');
  const singleColumn = side.getByRole('region', { name: 'Single step' });
  const reactColumn = side.getByRole('region', { name: 'ReAct' });
  await expect(singleColumn).toContainText('1 model call · no code runs · no charts');
  await expect(reactColumn).toContainText(`${seen.length} code run`);
  await expect(reactColumn).toContainText('Action:');
  await expect(reactColumn).toContainText('run_javascript(');
  await expect(reactColumn).toContainText('Observation:');
  const charts = seen.reduce((n, o) => n + o.charts.length, 0);
  await expect(reactColumn.locator('figure.chart svg')).toHaveCount(charts);
});

test('chain-of-thought analyst: the sandbox steps are in the audit trail', async ({ page }) => {
  const thread = uniqueThread('cot-analyst');
  await openDemo(page, 'cot-data-analyst', { thread, seed: SEED });
  await runTurn(
    page,
    'Which store sells the most cups on average? Summarize the data and chart it.',
  );

  expect((await tracePath(page)).slice(0, 2)).toEqual(['analyst', 'sandbox']);
  const values = await stateValues(page);
  const messages = values.messages as Msg[];
  const seen = observations(messages);
  const rejected = messages.flatMap((m) => m.tool_call_errors ?? []);

  // every call is a step of the trail: the ones that ran and the ones the parser rejected
  const trail = region(page, 'Audit trail');
  await expect(trail.getByRole('listitem')).toHaveCount(seen.length + rejected.length);
  const first = trail.getByRole('listitem', { name: 'Sandbox step 1' });
  await expect(first).toContainText('Step 1 · run_javascript');
  // The micro model writes babble until its token budget ends, before </tool_call>: the call
  // is not run, the parser's message is the step's observation and the model reads it.
  expect(messages[1].tool_calls ?? []).toEqual([]);
  expect(rejected[0]).toMatchObject({ kind: 'unclosed_tag' });
  expect(rejected[0].raw).toContain('"name": "run_javascript"');
  await expect(first).toContainText('call rejected');
  await expect(first.locator('pre.error')).toHaveText(rejected[0].message);
  expect(messages[2]).toMatchObject({ role: 'tool', content: rejected[0].message });
  const charts = seen.reduce((n, o) => n + o.charts.length, 0);
  await expect(trail.locator('figure.chart svg')).toHaveCount(charts);
});

// What a capable model writes for the analyst's task (sent by the scripted endpoint).
const ANALYSIS_CODE = `const t = loadCSV('cafe-sales.csv');
console.log(t.numRows() + ' rows: ' + t.columnNames().join(', '));
describe(t).print();
const byStore = t.groupby('store').rollup({ mean_cups: aq.op.mean('cups') }).orderby(aq.desc('mean_cups'));
chart({ type: 'bar', data: byStore, x: 'store', y: 'mean_cups', title: 'Mean cups by store' });
byStore.objects();`;

test('chain-of-thought analyst with working code: statistics, a bar chart on the page', async ({
  page,
}) => {
  const endpoint = await startScriptedEndpoint(
    ANALYSIS_CODE,
    'Station sells the most cups on average.',
  );
  try {
    const thread = uniqueThread('cot-analyst-endpoint');
    await page.goto(
      `/demos/cot-data-analyst?thread=${thread}&seed=${SEED}&model.agent=${encodeURIComponent(
        `endpoint:${endpoint.baseUrl}|scripted`,
      )}`,
    );
    await expect(region(page, 'Input').getByRole('status')).toContainText(`thread ${thread}`, {
      timeout: 20_000,
    });
    await runTurn(
      page,
      'Which store sells the most cups on average? Summarize the data and chart it.',
    );
    // the first request required the tool and carried the step-by-step system prompt
    expect(endpoint.requests[0].messages[0].content).toContain('Think step by step');
    const trail = region(page, 'Audit trail');
    const step = trail.getByRole('listitem', { name: 'Sandbox step 1' });
    await expect(step).toContainText('ok');
    await expect(step.locator('pre.stdout')).toContainText(
      '120 rows: day, store, drink, cups, price, temp_c',
    );
    await expect(step.locator('pre.stdout')).toContainText('|cups|120|');
    await expect(step.locator('pre.result')).toContainText('"store": "station"');
    const chart = step.locator('figure.chart');
    await expect(chart.locator('svg')).toHaveAttribute(
      'aria-label',
      'bar chart: Mean cups by store',
    );
    await expect(chart.locator('rect.bar')).toHaveCount(4);
    await expect(page.getByLabel('Answer', { exact: true })).toContainText(
      'Station sells the most',
    );
  } finally {
    await endpoint.close();
  }
});
