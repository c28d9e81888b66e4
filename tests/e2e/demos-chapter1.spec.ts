/**
 * Chapter 1-2 graph demos on the demo page, with the bundled micro model (greedy, fixed
 * seed) and the web tools pointed at the local replay server or the offline fake. The
 * model is weak at copying numbers, so the tests pin what the system does (the path the
 * graph took, the tool calls and their results, the saved state, persistence across a
 * reload, branches) rather than the model's prose.
 */
import {
  answerBox,
  button,
  checkpointCount,
  checkpointRows,
  currentThread,
  expect,
  openDemo,
  region,
  runTurn,
  stateValues,
  statePanel,
  test,
  traceCalls,
  tracePath,
  uniqueThread,
  type StoredMessage,
} from './fixtures/demo-page';
import { REPLAY_CITIES } from './replay-server';

const SEED = 0;
// Page loads start the model worker; on a busy 2-core machine a test with reloads takes a while.
test.describe.configure({ timeout: 120_000 });

type Msg = StoredMessage;

const messagesOf = (values: Record<string, unknown>) => values.messages as Msg[];
const paris = REPLAY_CITIES.find((c) => c.name === 'Paris')!;

test.describe('stateless call', () => {
  test('one node, nothing remembered: a second question starts a new thread', async ({ page }) => {
    const thread = uniqueThread('stateless');
    await openDemo(page, 'stateless-call', { thread, seed: SEED });

    await runTurn(page, 'Hello, who are you?');
    expect(await tracePath(page)).toEqual(['llm']);
    expect(await traceCalls(page)).toEqual([]);
    const first = await stateValues(page);
    expect(first.question).toBe('Hello, who are you?');
    expect(typeof first.answer).toBe('string');
    expect((first.answer as string).length).toBeGreaterThan(0);
    await expect(answerBox(page)).toContainText(first.answer as string);
    // input checkpoint, then the llm step
    expect(await checkpointCount(page)).toBe(2);

    // The follow-up runs on a fresh thread: its state holds only the new question.
    await runTurn(page, 'What did I just ask you?');
    const second = await currentThread(page);
    expect(second).not.toBe(thread);
    expect(await tracePath(page)).toEqual(['llm']);
    const values = await stateValues(page);
    expect(values.question).toBe('What did I just ask you?');
    expect(JSON.stringify(values)).not.toContain('who are you');
    await expect(region(page, 'Threads').getByRole('combobox', { name: 'Thread' })).toContainText(
      thread,
    );

    // The first thread is still saved: reopen it after a reload.
    await openDemo(page, 'stateless-call', { thread, seed: SEED });
    await expect(statePanel(page)).toContainText('Hello, who are you?');
    expect(await stateValues(page)).toEqual(first);
    expect(await checkpointCount(page)).toBe(2);
  });
});

test.describe('tool loop', () => {
  test('weather then calculator, with the offline tools', async ({ page }) => {
    const thread = uniqueThread('tool-loop');
    await openDemo(page, 'tool-loop', { thread, seed: SEED, offline: true });
    await runTurn(page, 'What is the current temperature in Paris, and what is its square?');

    expect(await tracePath(page)).toEqual(['agent', 'tools', 'agent', 'tools', 'agent']);
    // The offline fake gives Paris 17 °C (tools.py's CRC-32 rule); the square is computed.
    expect(await traceCalls(page)).toEqual([
      {
        name: 'get_current_temperature',
        arguments: { location: 'Paris' },
        result: '{"location": "Paris", "temperature": 17, "unit": "celsius"}',
      },
      { name: 'calculator', arguments: { expression: '17 * 17' }, result: '289' },
    ]);
    const messages = messagesOf(await stateValues(page));
    expect(messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    const last = messages.at(-1)!;
    expect(last.tool_calls ?? []).toEqual([]);
    // Whatever the model wrote last is the answer shown (its numbers are often wrong).
    await expect(answerBox(page)).toContainText(last.content!.split('\n')[0]);
  });

  test('the online weather goes through geocoding and forecast (replay server)', async ({
    page,
    replay,
  }) => {
    const thread = uniqueThread('tool-loop-online');
    await openDemo(page, 'tool-loop', { thread, seed: SEED, replay: replay.url });
    await runTurn(page, 'What is the current temperature in Paris, and what is its square?');

    const calls = await traceCalls(page);
    expect(calls[0]).toEqual({
      name: 'get_current_temperature',
      arguments: { location: 'Paris' },
      result: '{"location": "Paris", "temperature": 14.2, "unit": "celsius"}',
    });
    expect(replay.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/v1/search'],
      ['GET', '/v1/forecast'],
    ]);
    expect(replay.requests[0].query).toEqual({
      name: 'Paris',
      count: '1',
      language: 'en',
      format: 'json',
    });
    expect(replay.requests[1].query).toEqual({
      latitude: String(paris.latitude),
      longitude: String(paris.longitude),
      current: 'temperature_2m',
      temperature_unit: 'celsius',
    });
    // The model goes on to square the looked-up 14.2 with the calculator, then answers;
    // trained on whole-degree temperatures only, it copies the decimal once and not twice.
    expect(await tracePath(page)).toEqual(['agent', 'tools', 'agent', 'tools', 'agent']);
    expect(calls[1]).toMatchObject({ name: 'calculator', arguments: { expression: '14.2 * 14' } });
    expect(messagesOf(await stateValues(page)).at(-1)!.tool_calls ?? []).toEqual([]);
  });
});

test.describe('stateful agent', () => {
  test('remembers the thread, survives a reload, and a branch leaves the original alone', async ({
    page,
    replay,
  }) => {
    const thread = uniqueThread('stateful');
    await openDemo(page, 'stateful-agent', { thread, seed: SEED, replay: replay.url });

    // Turn 1: the weather tool, online through the replay server.
    await runTurn(page, 'What is the current temperature in Paris?');
    expect(await tracePath(page)).toEqual(['agent', 'tools', 'agent']);
    expect(await traceCalls(page)).toEqual([
      {
        name: 'get_current_temperature',
        arguments: { location: 'Paris' },
        result: '{"location": "Paris", "temperature": 14.2, "unit": "celsius"}',
      },
    ]);
    expect(replay.hits).toMatchObject({ search: 1, forecast: 1 });
    const afterTurn1 = await stateValues(page);
    const turn1Checkpoints = await checkpointCount(page);
    expect(turn1Checkpoints).toBe(4); // input, agent, tools, agent

    // Turn 2 in the same thread: the conversation grows, the thread stays.
    await runTurn(page, 'Square it.');
    expect(await currentThread(page)).toBe(thread);
    const afterTurn2 = await stateValues(page);
    const messages = messagesOf(afterTurn2);
    expect(messages.slice(0, messagesOf(afterTurn1).length)).toEqual(messagesOf(afterTurn1));
    expect(messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
      'What is the current temperature in Paris?',
      'Square it.',
    ]);
    // The temperature is in the conversation: no second weather lookup.
    expect(await tracePath(page)).toEqual(['agent']);
    expect(replay.hits).toMatchObject({ search: 1, forecast: 1 });
    const rowsBefore = await checkpointRows(page);

    // Reload: the thread, its values and its history come back from IndexedDB.
    await page.reload();
    await expect(region(page, 'Threads').getByRole('heading', { name: /^Checkpoints/ })).toHaveText(
      `Checkpoints (${rowsBefore.length})`,
      { timeout: 20_000 },
    );
    await expect(statePanel(page)).toContainText('Square it.');
    expect(await stateValues(page)).toEqual(afterTurn2);

    // Open the checkpoint at the end of turn 1 and branch it into a new thread.
    const threads = region(page, 'Threads');
    const endOfTurn1 = rowsBefore.findIndex((r) => r.label === 'Open checkpoint step 2');
    expect(endOfTurn1).toBeGreaterThan(0);
    await threads.getByRole('button', { name: 'Open checkpoint step 2', exact: true }).click();
    await expect(threads).toContainText('Checkpoint at step 2 is open.');
    expect(await stateValues(page)).toEqual(afterTurn1);
    await button(threads, 'Branch to new thread').click();
    await expect.poll(() => currentThread(page), { timeout: 10_000 }).not.toBe(thread);
    const branch = await currentThread(page);
    expect(branch).toMatch(/^stateful-agent-/);
    expect(messagesOf(await stateValues(page))).toEqual(messagesOf(afterTurn1));

    await runTurn(page, 'Convert it to Fahrenheit.');
    expect(await currentThread(page)).toBe(branch);
    const branchValues = await stateValues(page);
    expect(
      messagesOf(branchValues)
        .filter((m) => m.role === 'user')
        .map((m) => m.content),
    ).toEqual(['What is the current temperature in Paris?', 'Convert it to Fahrenheit.']);

    // The original thread is exactly as it was: same history, same values.
    await openDemo(page, 'stateful-agent', { thread, seed: SEED, replay: replay.url });
    expect(await checkpointRows(page)).toEqual(rowsBefore);
    expect(await stateValues(page)).toEqual(afterTurn2);
    await expect(threads.getByRole('combobox', { name: 'Thread' })).toContainText(branch);

    // Running from an older checkpoint in the same thread forks it; the old branch stays.
    await threads.getByRole('button', { name: 'Open checkpoint step 2', exact: true }).click();
    await runTurn(page, 'Convert it to Fahrenheit.');
    expect(await currentThread(page)).toBe(thread);
    const rows = await checkpointRows(page);
    const older = rows.filter((r) => r.label.endsWith('(older branch)'));
    expect(older.length).toBe(rowsBefore.length - turn1Checkpoints);
    // The old branch's newest checkpoint still holds turn 2.
    await threads.getByRole('button', { name: older[0].label, exact: true }).first().click();
    expect(await stateValues(page)).toEqual(afterTurn2);
  });
});

test.describe('FSM for tool use', () => {
  test('DECIDE → ACT → DECIDE → ACT → DECIDE → FINISH, logged in state', async ({ page }) => {
    const thread = uniqueThread('fsm');
    await openDemo(page, 'fsm-tool-use', { thread, seed: SEED, offline: true });
    await runTurn(page, 'What is the current temperature in Madrid, and what is its square?');

    expect(await tracePath(page)).toEqual(['decide', 'act', 'decide', 'act', 'decide', 'finish']);
    // One row per call: the streamed tokens and the saved message are the same message.
    expect(await traceCalls(page)).toEqual([
      {
        name: 'get_current_temperature',
        arguments: { location: 'Madrid' },
        result: '{"location": "Madrid", "temperature": 27, "unit": "celsius"}',
      },
      { name: 'calculator', arguments: { expression: '27 * 27' }, result: '729' },
    ]);
    const values = await stateValues(page);
    expect(values.fsm_state).toBe('DONE');
    expect(values.tool_steps).toBe(2);
    const transitions = [
      { from: 'DECIDE', event: 'tool_call', guard: 'steps left', to: 'ACT' },
      { from: 'ACT', event: 'observation', to: 'DECIDE' },
      { from: 'DECIDE', event: 'tool_call', guard: 'steps left', to: 'ACT' },
      { from: 'ACT', event: 'observation', to: 'DECIDE' },
      { from: 'DECIDE', event: 'answer', to: 'FINISH' },
      { from: 'FINISH', event: 'terminate', to: 'DONE' },
    ];
    expect(values.transitions).toEqual(transitions);

    await page.reload();
    await expect(statePanel(page)).toContainText('DONE', { timeout: 20_000 });
    expect(await stateValues(page)).toEqual(values);
  });
});

test.describe('hierarchical state machine', () => {
  test('PLAN, ACT (parallel region), global stop guard, history marker on re-entry', async ({
    page,
  }) => {
    const thread = uniqueThread('hsm');
    await openDemo(page, 'hierarchical-state-machine', { thread, seed: SEED });
    const goal = 'Goal: explain RoPE and compute 12 * 12.';

    await runTurn(page, goal);
    expect(await tracePath(page)).toEqual(['guard', 'working']);
    let values = await stateValues(page);
    expect(values).toMatchObject({ goal, machine: 'WORKING', history: 'PLAN', results: [] });
    expect(values.transitions).toEqual([
      { from: 'IDLE', event: JSON.stringify(goal), guard: 'not stop', to: 'WORKING' },
      { from: 'WORKING', event: 'enter', guard: 'history = none', to: 'PLAN' },
    ]);

    // continue: WORKING resumes after PLAN, in ACT: calculate and search side by side.
    await runTurn(page, 'continue');
    values = await stateValues(page);
    expect(values.history).toBe('ACT');
    const results = values.results as string[];
    expect(results).toHaveLength(2);
    expect(results[0]).toBe('calculator(12 * 12) = 144');
    expect(results[1]).toMatch(/^search: RoPE: /);
    expect((values.transitions as unknown[]).slice(2)).toEqual([
      { from: 'WORKING.PLAN', event: '"continue"', guard: 'not stop', to: 'WORKING' },
      { from: 'WORKING', event: 'enter', guard: 'history = PLAN', to: 'ACT' },
    ]);

    // stop: the global guard leaves WORKING from ACT; nothing inside WORKING runs.
    await runTurn(page, 'stop');
    expect(await tracePath(page)).toEqual(['guard', 'stopped']);
    values = await stateValues(page);
    expect(values.machine).toBe('STOPPED');
    expect(values.history).toBe('ACT');
    expect((values.transitions as unknown[]).at(-1)).toEqual({
      from: 'WORKING.ACT',
      event: '"stop"',
      guard: 'says stop',
      to: 'STOPPED',
    });

    // Reload, then re-enter WORKING: the history marker resumes at REFLECT, not PLAN.
    await page.reload();
    await expect(statePanel(page)).toContainText('STOPPED', { timeout: 20_000 });
    await runTurn(page, 'continue');
    expect(await tracePath(page)).toEqual(['guard', 'working', 'finish']);
    values = await stateValues(page);
    expect(values).toMatchObject({ machine: 'DONE', history: 'REFLECT' });
    expect(values.results).toEqual(results);
    expect((values.transitions as unknown[]).slice(-3)).toEqual([
      { from: 'WORKING.ACT', event: '"continue"', guard: 'not stop', to: 'WORKING' },
      { from: 'WORKING', event: 'enter', guard: 'history = ACT', to: 'REFLECT' },
      { from: 'WORKING.REFLECT', event: 'reflected', to: 'DONE' },
    ]);
    // 2 + 2 + 1 + 3 transitions: each logged once (the subgraph's lists are not re-appended)
    expect(values.transitions).toHaveLength(8);
  });
});

test.describe('ReAct', () => {
  test('Thought / Action / Observation / Final Answer over the corpus search', async ({ page }) => {
    const thread = uniqueThread('react');
    await openDemo(page, 'react', { thread, seed: SEED });
    await runTurn(page, 'What is ReAct?');

    expect(await tracePath(page)).toEqual(['agent', 'tools', 'agent']);
    const calls = await traceCalls(page);
    expect(calls).toHaveLength(1);
    expect(calls[0].name).toBe('search');
    const passages = JSON.parse(calls[0].result!) as Array<{ id: string; title: string }>;
    expect(passages.length).toBeGreaterThan(0);
    expect(passages[0]).toEqual(expect.objectContaining({ id: expect.any(String) }));

    const messages = messagesOf(await stateValues(page));
    const final = messages.at(-1)!;
    expect(final.role).toBe('assistant');
    const transcript = page.getByRole('region', { name: 'Transcript' });
    await expect(transcript).toContainText('Question:');
    await expect(transcript).toContainText('What is ReAct?');
    await expect(transcript).toContainText('Action:');
    await expect(transcript).toContainText('Observation:');
    await expect(transcript).toContainText('Final Answer:');
    await expect(answerBox(page)).toContainText(final.content!);
  });
});
