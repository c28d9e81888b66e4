/**
 * Human-in-the-loop demos with side effects, on the demo page: the approval gate before an
 * HTTP call (the replay server's httpbin-like `POST /post` counts every request) and the
 * tool-call review (accept, edit, respond). Micro model, greedy, fixed seed; the web tools
 * go to the local replay server.
 */
import {
  answerBox,
  button,
  expect,
  interruptsPanel,
  openDemo,
  replayHits,
  runTurn,
  settle,
  stateValues,
  statePanel,
  statusLine,
  test,
  traceCalls,
  tracePath,
  uniqueThread,
  type StoredMessage,
} from './fixtures/demo-page';
import { REPLAY_CITIES, replayTemperature } from './replay-server';
import type { Page } from '@playwright/test';

const SEED = 0;
test.describe.configure({ timeout: 120_000 });

type Msg = StoredMessage;

test.describe('approval gate', () => {
  const gateQuestion = (url: string) => `Send this POST request to ${url}/post?`;
  const openGate = async (page: Page, thread: string, replayUrl: string) => {
    await openDemo(page, 'hitl-approval-gate', { thread, seed: SEED, replay: replayUrl });
    await runTurn(page, 'Tell the team that the nightly build passed.', 'interrupted');
    expect(await tracePath(page)).toEqual(['prepare', 'approval_gate']);
  };

  test('revise, then approve: the request is sent exactly once, also after a reload', async ({
    page,
    replay,
  }) => {
    const thread = uniqueThread('gate-approve');
    await openGate(page, thread, replay.url);
    const prepared = await stateValues(page);
    const request = prepared.request as { url: string; body: string };
    expect(request.url).toBe(`${replay.url}/post`);
    expect(Object.keys(JSON.parse(request.body))).toEqual(['text']);
    expect(prepared.decision).toBe('pending');
    expect(await replayHits(replay)).toEqual({ post: 0, search: 0, forecast: 0 });

    // Revise: the gate asks again about the revised request; still nothing sent.
    const panel = interruptsPanel(page);
    const form = panel.getByRole('group', { name: gateQuestion(replay.url) });
    await form.getByRole('radio', { name: 'Revise the request' }).check();
    const body = JSON.stringify({ text: 'The nightly build passed.' });
    await form.getByRole('textbox', { name: 'URL' }).fill(`${replay.url}/post`);
    await form.getByRole('textbox', { name: 'Body' }).fill(body);
    await settle(page, () => button(panel, 'Resume').click(), 'interrupted');
    expect(await tracePath(page)).toEqual(['approval_gate', 'approval_gate']);
    expect(await stateValues(page)).toMatchObject({
      request: { url: `${replay.url}/post`, body },
      decision: 'revise',
      revisions: 1,
    });
    expect(replay.hits.post).toBe(0);

    // Approve: http_call runs once, in its own node, with the revised body.
    await form.getByRole('radio', { name: 'Approve and send' }).check();
    await settle(page, () => button(panel, 'Resume').click(), 'done');
    expect(await tracePath(page)).toEqual(['approval_gate', 'http_call']);
    expect(await replayHits(replay)).toMatchObject({ post: 1 });
    const sent = replay.requests.filter((r) => r.path === '/post');
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toBe(body);
    await expect(answerBox(page)).toContainText('Sent. The server answered HTTP 200.');
    const done = await stateValues(page);
    const response = done.response as { status: number; body: string };
    expect(response.status).toBe(200);
    const echo = JSON.parse(response.body) as { json: unknown; data: string; url: string };
    expect(echo.json).toEqual({ text: 'The nightly build passed.' });
    expect(echo.data).toBe(body);
    expect(echo.url).toBe(`${replay.url}/post`);
    expect(done.decision).toBe('approve');

    // Reloading the finished thread sends nothing again, and nothing waits for a Resume.
    await page.reload();
    await expect(statePanel(page)).toContainText('approve', { timeout: 20_000 });
    await expect(panel).toContainText('Nothing is waiting for you.');
    await expect(button(panel, 'Resume')).toHaveCount(0);
    expect(await stateValues(page)).toEqual(done);
    expect(await replayHits(replay)).toMatchObject({ post: 1 });
  });

  test('a Resume that answers the gate after a reload sends once; reject sends nothing', async ({
    page,
    replay,
  }) => {
    // Approve after reloading the paused thread: the answer reaches the saved interrupt.
    const approved = uniqueThread('gate-reload');
    await openGate(page, approved, replay.url);
    await openDemo(page, 'hitl-approval-gate', {
      thread: approved,
      seed: SEED,
      replay: replay.url,
    });
    const panel = interruptsPanel(page);
    const form = panel.getByRole('group', { name: gateQuestion(replay.url) });
    await expect(form).toBeVisible();
    expect(replay.hits.post).toBe(0);
    await form.getByRole('radio', { name: 'Approve and send' }).check();
    await settle(page, () => button(panel, 'Resume').click(), 'done');
    expect(replay.hits.post).toBe(1);

    // Reject on a fresh thread: the run ends at the gate and never reaches http_call.
    replay.reset();
    const rejected = uniqueThread('gate-reject');
    await openGate(page, rejected, replay.url);
    await form.getByRole('radio', { name: 'Reject (send nothing)' }).check();
    await settle(page, () => button(panel, 'Resume').click(), 'done');
    expect(await tracePath(page)).toEqual(['approval_gate']);
    await expect(answerBox(page)).toContainText('Rejected: nothing was sent.');
    expect(await stateValues(page)).toMatchObject({ decision: 'reject', response: null });
    expect(await replayHits(replay)).toEqual({ post: 0, search: 0, forecast: 0 });

    await page.reload();
    await expect(answerBox(page)).toContainText('Rejected: nothing was sent.', {
      timeout: 20_000,
    });
    expect(await replayHits(replay)).toMatchObject({ post: 0 });
  });
});

test.describe('tool-call review', () => {
  const question = 'What is the current temperature in Oslo?';
  const reviewForm = (page: Page, tool = 'get_current_temperature') =>
    interruptsPanel(page).getByRole('group', {
      name: `The model wants to call ${tool}. Accept, edit or respond?`,
    });

  const start = async (page: Page, label: string, replayUrl: string) => {
    await openDemo(page, 'hitl-tool-review', {
      thread: uniqueThread(label),
      seed: SEED,
      replay: replayUrl,
    });
    await runTurn(page, question, 'interrupted');
    expect(await tracePath(page)).toEqual(['agent', 'review_tool_call']);
    expect(await traceCalls(page)).toEqual([
      { name: 'get_current_temperature', arguments: { location: 'Oslo' } },
    ]);
  };

  test('accept runs the call as written', async ({ page, replay }) => {
    await start(page, 'review-accept', replay.url);
    expect(replay.requests).toEqual([]);
    await reviewForm(page).getByRole('radio', { name: 'Accept the call' }).check();
    await settle(page, () => button(interruptsPanel(page), 'Resume').click(), [
      'interrupted',
      'done',
    ]);
    // The tool runs, the model reads the result and answers: no second call to review.
    expect(await tracePath(page)).toEqual(['review_tool_call', 'tools', 'agent']);
    const calls = await traceCalls(page);
    expect(calls).toEqual([
      {
        name: 'get_current_temperature',
        arguments: { location: 'Oslo' },
        result: `{"location": "Oslo", "temperature": ${replayTemperature('Oslo')}, "unit": "celsius"}`,
      },
    ]);
    await expect(statusLine(page)).toHaveText(/^Status: done/);
    expect(replay.requests.map((r) => r.query.name).filter(Boolean)).toEqual(['Oslo']);
    const messages = (await stateValues(page)).messages as Msg[];
    expect(messages[2]).toMatchObject({
      role: 'tool',
      content: `{"location": "Oslo", "temperature": ${replayTemperature('Oslo')}, "unit": "celsius"}`,
    });
    expect(messages[1].reviewed).toBeUndefined();
    // the answer reads the temperature the tool returned
    expect(messages.at(-1)!.content).toContain(`Oslo is ${replayTemperature('Oslo')}`);
  });

  test('edit changes the arguments before the tool runs', async ({ page, replay }) => {
    await start(page, 'review-edit', replay.url);
    const form = reviewForm(page);
    await form.getByRole('radio', { name: 'Edit the arguments' }).check();
    const args = form.getByRole('textbox', { name: 'Arguments (JSON)' });
    await expect(args).toHaveValue('{"location":"Oslo"}');
    await args.fill('{"location": "Berlin"}');
    await settle(page, () => button(interruptsPanel(page), 'Resume').click(), [
      'interrupted',
      'done',
    ]);
    expect(await tracePath(page)).toEqual(['review_tool_call', 'tools', 'agent']);
    expect((await traceCalls(page))[0]).toEqual({
      name: 'get_current_temperature',
      arguments: { location: 'Berlin' },
      result: `{"location": "Berlin", "temperature": ${replayTemperature('Berlin')}, "unit": "celsius"}`,
    });
    // Only the edited call ran.
    const berlin = REPLAY_CITIES.find((c) => c.name === 'Berlin')!;
    expect(replay.requests.map((r) => [r.path, r.query.name ?? r.query.latitude])).toEqual([
      ['/v1/search', 'Berlin'],
      ['/v1/forecast', String(berlin.latitude)],
    ]);
    const messages = (await stateValues(page)).messages as Msg[];
    // The assistant message is replaced in place (same id): the conversation records what ran.
    expect(messages[1].reviewed).toBe('edited');
    expect(messages[1].tool_calls!.map((c) => c.function.arguments)).toEqual([
      '{"location": "Berlin"}',
    ]);
    expect(messages[2]).toMatchObject({
      role: 'tool',
      tool_call_id: messages[1].tool_calls![0].id,
      content: `{"location": "Berlin", "temperature": ${replayTemperature('Berlin')}, "unit": "celsius"}`,
    });
  });

  test('respond skips the tool; the model reads the human answer', async ({ page, replay }) => {
    await start(page, 'review-respond', replay.url);
    const form = reviewForm(page);
    await form.getByRole('radio', { name: 'Respond instead of calling' }).check();
    await form
      .getByRole('textbox', { name: 'Your response (the model reads it as the result)' })
      .fill('{"location": "Oslo", "temperature": 5, "unit": "celsius"}');
    await settle(page, () => button(interruptsPanel(page), 'Resume').click(), [
      'interrupted',
      'done',
    ]);
    // No tools node: the answer is the observation, and the model answers from it.
    expect(await tracePath(page)).toEqual(['review_tool_call', 'agent']);
    expect(await traceCalls(page)).toEqual([
      {
        name: 'get_current_temperature',
        arguments: { location: 'Oslo' },
        result: '{"location": "Oslo", "temperature": 5, "unit": "celsius"}',
      },
    ]);
    const messages = (await stateValues(page)).messages as Msg[];
    expect(messages[1].reviewed).toBe('responded');
    expect(messages[2]).toMatchObject({
      role: 'tool',
      human: true,
      tool_call_id: messages[1].tool_calls![0].id,
      content: '{"location": "Oslo", "temperature": 5, "unit": "celsius"}',
    });
    // the answer reads the human's 5 °C
    expect(messages.at(-1)!.content).toContain('5 °C');
    // The weather service was never asked.
    expect(replay.requests).toEqual([]);
  });
});
