/**
 * One behavioural suite every checkpoint saver must pass, so the graph engine can rely
 * on the same semantics whichever saver it is given. The test functions are passed in,
 * which keeps this module free of any test-runner import:
 *
 *   runSaverConformance('MemorySaver', async () => new MemorySaver(), { describe, it, expect, afterEach });
 */
import { SerdeError } from './serde';
import {
  CheckpointImportError,
  newCheckpointId,
  type BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type ThreadExport,
} from './types';

/** The matchers the suite uses; vitest's and jest's `expect` satisfy it. */
export interface ConformanceMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toBeInstanceOf(expected: unknown): void;
  toMatch(expected: string | RegExp): void;
  toHaveLength(length: number): void;
  not: ConformanceMatchers;
}

export interface ConformanceTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  expect(actual: unknown): ConformanceMatchers;
  beforeEach?(body: () => unknown): void;
  afterEach?(body: () => unknown): void;
}

function makeCheckpoint(
  values: Record<string, unknown>,
  versions: ChannelVersions,
  versionsSeen: Record<string, ChannelVersions> = {},
): Checkpoint {
  return {
    v: 1,
    id: newCheckpointId(),
    ts: new Date().toISOString(),
    channel_values: values,
    channel_versions: versions,
    versions_seen: versionsSeen,
  };
}

function makeMetadata(step: number, extra: Partial<CheckpointMetadata> = {}): CheckpointMetadata {
  return { source: step < 0 ? 'input' : 'loop', step, parents: {}, ...extra };
}

function threadConfig(
  threadId: string,
  namespace?: string,
  checkpointId?: string,
): CheckpointConfig {
  const configurable: CheckpointConfig['configurable'] = { thread_id: threadId };
  if (namespace !== undefined) configurable.checkpoint_ns = namespace;
  if (checkpointId !== undefined) configurable.checkpoint_id = checkpointId;
  return { configurable };
}

async function collect(
  saver: BaseCheckpointSaver,
  config: CheckpointConfig,
  options?: CheckpointListOptions,
): Promise<CheckpointTuple[]> {
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of saver.list(config, options)) tuples.push(tuple);
  return tuples;
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

/** Parsed JSON edited freely to corrupt it on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EditableJSON = Record<string, any>;

/** Export without the fields that legitimately differ between two exports. */
function comparable(file: ThreadExport): Omit<ThreadExport, 'exported_at' | 'thread_id'> {
  const { exported_at: _at, thread_id: _id, ...rest } = file;
  return rest;
}

function rich(n: number): Record<string, unknown> {
  return {
    at: new Date(Date.UTC(2024, 0, n)),
    tags: new Map<string, unknown>([
      ['n', n],
      ['set', new Set(['a', n])],
    ]),
    bytes: new Uint8Array([n, 0, 255]),
    floats: new Float32Array([n / 2, -1]),
    big: BigInt(n) * 10n ** 20n,
    odd: [NaN, Infinity, undefined, -0],
    __ap: 'a user key that looks like a tag',
  };
}

/**
 * Builds a thread of `steps` checkpoints in `namespace`: `messages` grows every step,
 * `count` changes on even steps, `rich` is written once; returns the configs in order.
 */
async function putRun(
  saver: BaseCheckpointSaver,
  threadId: string,
  steps: number,
  namespace = '',
): Promise<CheckpointConfig[]> {
  const configs: CheckpointConfig[] = [];
  let parent = threadConfig(threadId, namespace);
  let messages: Array<{ id: string; role: string; content: string }> = [];
  const versions: ChannelVersions = {};
  for (let step = -1; step < steps - 1; step++) {
    const values: Record<string, unknown> = {};
    const changed: ChannelVersions = {};
    messages = [...messages, { id: `m${step}`, role: 'user', content: `message ${step}` }];
    versions.messages = (versions.messages ?? 0) + 1;
    changed.messages = versions.messages;
    if (step === -1 || step % 2 === 0) {
      versions.count = (versions.count ?? 0) + 1;
      changed.count = versions.count;
    }
    if (step === -1) {
      versions.rich = 1;
      changed.rich = 1;
    }
    values.messages = messages;
    values.count = versions.count * 10;
    values.rich = rich(1);
    const metadata = makeMetadata(step, {
      writes: step < 0 ? null : { agent: { messages: messages.at(-1) } },
      run: step % 3 === 0 ? 'three' : 'other',
    });
    const checkpoint = makeCheckpoint(values, { ...versions }, { agent: { ...versions } });
    parent = await saver.put(parent, checkpoint, metadata, changed);
    configs.push(parent);
  }
  return configs;
}

export function runSaverConformance(
  name: string,
  makeSaver: () => Promise<BaseCheckpointSaver>,
  t: ConformanceTestApi,
): void {
  const { describe, it, expect } = t;
  const opened: BaseCheckpointSaver[] = [];
  const fresh = async (): Promise<BaseCheckpointSaver> => {
    const saver = await makeSaver();
    opened.push(saver);
    return saver;
  };
  t.afterEach?.(async () => {
    for (const saver of opened.splice(0)) {
      await (saver as { close?: () => Promise<void> | void }).close?.();
    }
  });

  describe(`${name} conformance`, () => {
    it('returns undefined and lists nothing for an unknown thread or checkpoint', async () => {
      const saver = await fresh();
      expect(await saver.getTuple(threadConfig('nobody'))).toBeUndefined();
      expect(await collect(saver, threadConfig('nobody'))).toEqual([]);
      await putRun(saver, 'known', 1);
      expect(await saver.getTuple(threadConfig('known', '', 'no-such-id'))).toBeUndefined();
      expect(await saver.getTuple(threadConfig('known', 'other-ns'))).toBeUndefined();
    });

    it('round-trips a checkpoint, latest and by id, including Date, Map and binary values', async () => {
      const saver = await fresh();
      const values = { messages: [{ id: 'a', content: 'hi' }], rich: rich(7), empty: {} };
      const checkpoint = makeCheckpoint(
        values,
        { messages: 1, rich: 1, empty: 1 },
        { agent: { messages: 1 } },
      );
      const metadata = makeMetadata(-1, { writes: null, when: new Date(5), custom: { x: [1] } });
      const config = await saver.put(
        threadConfig('t1'),
        checkpoint,
        metadata,
        checkpoint.channel_versions,
      );
      expect(config).toEqual(threadConfig('t1', '', checkpoint.id));

      const expected: CheckpointTuple = {
        config: threadConfig('t1', '', checkpoint.id),
        checkpoint: {
          ...checkpoint,
          channel_values: { messages: [{ id: 'a', content: 'hi' }], rich: rich(7), empty: {} },
        },
        metadata: makeMetadata(-1, { writes: null, when: new Date(5), custom: { x: [1] } }),
        pendingWrites: [],
      };
      const latest = await saver.getTuple(threadConfig('t1'));
      expect(latest).toEqual(expected);
      expect(latest?.parentConfig).toBeUndefined();
      expect(await saver.getTuple(threadConfig('t1', '', checkpoint.id))).toEqual(expected);

      const stored = latest!.checkpoint.channel_values.rich as Record<string, unknown>;
      expect(stored.at).toBeInstanceOf(Date);
      expect(stored.tags).toBeInstanceOf(Map);
      expect(stored.bytes).toBeInstanceOf(Uint8Array);
      expect(stored.floats).toBeInstanceOf(Float32Array);
      expect(stored.big).toBe(7n * 10n ** 20n);
      expect(Object.is((stored.odd as unknown[])[3], -0)).toBe(true);
      expect(stored.__ap).toBe('a user key that looks like a tag');
      expect(latest!.metadata.when).toBeInstanceOf(Date);
    });

    it('links each checkpoint to the one put was given as parent', async () => {
      const saver = await fresh();
      const [first, second, third] = await putRun(saver, 't', 3);
      expect((await saver.getTuple(first))?.parentConfig).toBeUndefined();
      expect((await saver.getTuple(second))?.parentConfig).toEqual(first);
      expect((await saver.getTuple(third))?.parentConfig).toEqual(second);
      expect((await saver.getTuple(threadConfig('t')))?.config).toEqual(third);
    });

    it('keeps namespaces of a thread apart', async () => {
      const saver = await fresh();
      const root = await putRun(saver, 't', 3);
      const sub = await putRun(saver, 't', 2, 'agent:task-1');
      expect((await saver.getTuple(threadConfig('t')))?.config).toEqual(root[2]);
      expect((await saver.getTuple(threadConfig('t', '')))?.config).toEqual(root[2]);
      expect((await saver.getTuple(threadConfig('t', 'agent:task-1')))?.config).toEqual(sub[1]);
      expect(
        await saver.getTuple(threadConfig('t', 'agent:task-1', root[0].configurable.checkpoint_id)),
      ).toBeUndefined();
      expect(await collect(saver, threadConfig('t'))).toHaveLength(3);
      expect(await collect(saver, threadConfig('t', 'agent:task-1'))).toHaveLength(2);
      expect(await saver.listThreads()).toEqual(['t']);
    });

    it('lists newest first, honouring limit, before and filter', async () => {
      const saver = await fresh();
      // More than one page of a paging saver.
      const configs = await putRun(saver, 't', 60);
      const ids = configs.map((config) => config.configurable.checkpoint_id);
      const newestFirst = [...ids].reverse();
      const listed = await collect(saver, threadConfig('t'));
      expect(listed.map((tuple) => tuple.checkpoint.id)).toEqual(newestFirst);
      expect(listed[5]).toEqual(await saver.getTuple(configs[54]));

      const limited = await collect(saver, threadConfig('t'), { limit: 3 });
      expect(limited.map((tuple) => tuple.checkpoint.id)).toEqual(newestFirst.slice(0, 3));
      const before = await collect(saver, threadConfig('t'), { before: configs[40], limit: 30 });
      expect(before.map((tuple) => tuple.checkpoint.id)).toEqual(ids.slice(10, 40).reverse());
      expect(await collect(saver, threadConfig('t'), { before: configs[0] })).toEqual([]);

      const filtered = await collect(saver, threadConfig('t'), { filter: { run: 'three' } });
      const expectedFiltered = configs
        .map((config, index) => ({ id: config.configurable.checkpoint_id, step: index - 1 }))
        .filter(({ step }) => step % 3 === 0)
        .map(({ id }) => id)
        .reverse();
      expect(filtered.map((tuple) => tuple.checkpoint.id)).toEqual(expectedFiltered);
      const filteredLimited = await collect(saver, threadConfig('t'), {
        filter: { run: 'three', source: 'loop' },
        before: configs[30],
        limit: 2,
      });
      expect(filteredLimited.map((tuple) => tuple.metadata.step)).toEqual([27, 24]);
      expect(await collect(saver, threadConfig('t'), { filter: { step: 10 } })).toHaveLength(1);
      expect(await collect(saver, threadConfig('t'), { filter: { run: 'none' } })).toEqual([]);
      expect(await collect(saver, threadConfig('t'), { limit: 0 })).toEqual([]);
    });

    it('reassembles full channel values from older versions when only some changed', async () => {
      const saver = await fresh();
      const first = makeCheckpoint({ a: 'a1', b: { deep: ['b1'] }, c: 'c1' }, { a: 1, b: 1, c: 1 });
      const firstConfig = await saver.put(threadConfig('t'), first, makeMetadata(-1), {
        a: 1,
        b: 1,
        c: 1,
      });
      // Only `a` changed; `c` was emptied (a version but no value); `d` is new but the
      // caller forgot it in newVersions, which must not lose it.
      const second = makeCheckpoint(
        { a: 'a2', b: 'ignored: b did not change', d: 'd1' },
        {
          a: 2,
          b: 1,
          c: 2,
          d: 1,
        },
      );
      const secondConfig = await saver.put(firstConfig, second, makeMetadata(0), { a: 2, c: 2 });
      const third = makeCheckpoint(
        { a: 'a2', b: { deep: ['b1'] }, c: 'c3', d: 'd1' },
        {
          a: 2,
          b: 1,
          c: 3,
          d: 1,
        },
      );
      await saver.put(secondConfig, third, makeMetadata(1), { c: 3 });

      expect((await saver.getTuple(firstConfig))?.checkpoint.channel_values).toEqual({
        a: 'a1',
        b: { deep: ['b1'] },
        c: 'c1',
      });
      expect((await saver.getTuple(secondConfig))?.checkpoint.channel_values).toEqual({
        a: 'a2',
        b: { deep: ['b1'] },
        d: 'd1',
      });
      const latest = await saver.getTuple(threadConfig('t'));
      expect(latest?.checkpoint.channel_values).toEqual({
        a: 'a2',
        b: { deep: ['b1'] },
        c: 'c3',
        d: 'd1',
      });
      expect(latest?.checkpoint.channel_versions).toEqual({ a: 2, b: 1, c: 3, d: 1 });
    });

    it('stores pending writes idempotently, on their own checkpoint only', async () => {
      const saver = await fresh();
      const [first, second] = await putRun(saver, 't', 2);
      await saver.putWrites(
        second,
        [
          ['messages', { text: 'x', at: new Date(3) }],
          ['count', 1],
        ],
        'task-b',
      );
      await saver.putWrites(second, [['messages', 'first try']], 'task-a');
      // The same task again (a retried step): replaces, never duplicates.
      await saver.putWrites(second, [['messages', 'second try']], 'task-a');
      await saver.putWrites(
        second,
        [
          ['messages', { text: 'x', at: new Date(3) }],
          ['count', 1],
        ],
        'task-b',
      );

      expect((await saver.getTuple(second))?.pendingWrites).toEqual([
        ['task-a', 'messages', 'second try'],
        ['task-b', 'messages', { text: 'x', at: new Date(3) }],
        ['task-b', 'count', 1],
      ]);
      expect((await saver.getTuple(first))?.pendingWrites).toEqual([]);
      const listed = await collect(saver, threadConfig('t'));
      expect(listed[0].pendingWrites).toHaveLength(3);
      expect(listed[1].pendingWrites).toEqual([]);
    });

    it('keeps one write per special channel of a task beside its ordinary writes', async () => {
      const saver = await fresh();
      const [config] = await putRun(saver, 't', 1);
      await saver.putWrites(config, [['__interrupt__', [{ value: 'name?' }]]], 'ask');
      await saver.putWrites(config, [['__resume__', { i1: 'Ada' }]], 'ask');
      await saver.putWrites(config, [['__interrupt__', [{ value: 'color?' }]]], 'ask');
      await saver.putWrites(
        config,
        [
          ['answers', ['x']],
          ['__error__', { message: 'e' }],
          ['more', 1],
        ],
        'other',
      );
      const expected = [
        ['ask', '__resume__', { i1: 'Ada' }],
        ['ask', '__interrupt__', [{ value: 'color?' }]],
        ['other', '__error__', { message: 'e' }],
        ['other', 'answers', ['x']],
        ['other', 'more', 1],
      ];
      expect((await saver.getTuple(config))?.pendingWrites).toEqual(expected);
      // Export and import keep the same indexes.
      await saver.importThread(await saver.exportThread('t'), { threadId: 'copy' });
      await saver.putWrites(
        threadConfig('copy', '', config.configurable.checkpoint_id),
        [['more', 2]],
        'other',
      );
      expect((await saver.getTuple(threadConfig('copy')))?.pendingWrites).toEqual([
        ...expected.slice(0, 3),
        ['other', 'more', 2],
        ['other', 'more', 1],
      ]);
    });

    it('deletes a thread in every namespace and nothing else', async () => {
      const saver = await fresh();
      const root = await putRun(saver, 'doomed', 2);
      await putRun(saver, 'doomed', 2, 'sub:1');
      await saver.putWrites(root[1], [['messages', 'pending']], 'task');
      const keep = await putRun(saver, 'kept', 2);
      await saver.deleteThread('doomed');
      expect(await saver.getTuple(threadConfig('doomed'))).toBeUndefined();
      expect(await saver.getTuple(threadConfig('doomed', 'sub:1'))).toBeUndefined();
      expect(await collect(saver, threadConfig('doomed'))).toEqual([]);
      expect(await saver.listThreads()).toEqual(['kept']);
      expect((await saver.getTuple(threadConfig('kept')))?.config).toEqual(keep[1]);
      await saver.deleteThread('never-existed');
      // A new thread with the old id starts empty (no stale blobs or writes).
      const reborn = await putRun(saver, 'doomed', 1);
      expect((await saver.getTuple(reborn[0]))?.pendingWrites).toEqual([]);
      expect(await collect(saver, threadConfig('doomed'))).toHaveLength(1);
    });

    it('lists every thread once', async () => {
      const saver = await fresh();
      expect(await saver.listThreads()).toEqual([]);
      await putRun(saver, 'b', 2);
      await putRun(saver, 'a', 1);
      await putRun(saver, 'a', 2, 'sub:1');
      await putRun(saver, 'c-thread', 1, 'only:sub');
      expect(await saver.listThreads()).toEqual(['a', 'b', 'c-thread']);
    });

    it('exports and imports a thread into a new id unchanged, also through JSON text', async () => {
      const saver = await fresh();
      const configs = await putRun(saver, 'original', 4);
      await putRun(saver, 'original', 2, 'sub:1');
      await saver.putWrites(
        configs[3],
        [['messages', { at: new Date(9), raw: new Uint8Array([4]) }]],
        't1',
      );
      const original = await saver.exportThread('original');
      expect(original.format).toBe('agent-playground/thread');
      expect(original.thread_id).toBe('original');
      expect(original.checkpoints).toHaveLength(6);

      const copyId = await saver.importThread(original, { threadId: 'copy' });
      expect(copyId).toBe('copy');
      const copy = await saver.exportThread('copy');
      expect(copy.thread_id).toBe('copy');
      expect(comparable(copy)).toEqual(comparable(original));

      const viaText = await saver.importThread(JSON.stringify(original), { threadId: 'text' });
      expect(comparable(await saver.exportThread(viaText))).toEqual(comparable(original));

      const latest = await saver.getTuple(threadConfig('text'));
      const source = await saver.getTuple(threadConfig('original'));
      expect(latest?.checkpoint).toEqual(source?.checkpoint);
      expect(latest?.metadata).toEqual(source?.metadata);
      expect(latest?.pendingWrites).toEqual(source?.pendingWrites);
      expect(latest?.parentConfig).toEqual(
        threadConfig('text', '', configs[2].configurable.checkpoint_id),
      );
      expect((latest?.pendingWrites[0][2] as { at: unknown }).at).toBeInstanceOf(Date);

      // Into a fresh saver under its own id, as when a run is shared.
      const other = await fresh();
      expect(await other.importThread(JSON.parse(JSON.stringify(original)))).toBe('original');
      expect(comparable(await other.exportThread('original'))).toEqual(comparable(original));
      expect(await collect(other, threadConfig('original', 'sub:1'))).toHaveLength(2);
      expect(await saver.listThreads()).toEqual(['copy', 'original', 'text']);
    });

    it('rejects corrupt, truncated and foreign files and leaves existing data untouched', async () => {
      const saver = await fresh();
      await putRun(saver, 'mine', 4);
      const good = await saver.exportThread('mine');
      const text = JSON.stringify(good);
      const broken = (edit: (file: EditableJSON) => void): unknown => {
        const file = JSON.parse(text) as EditableJSON;
        edit(file);
        return file;
      };
      const cases: Array<[label: string, data: unknown, message: RegExp]> = [
        [
          'truncated text',
          text.slice(0, Math.floor(text.length / 2)),
          /not valid JSON \(truncated\?\)/,
        ],
        ['empty text', '', /not valid JSON/],
        [
          'random JSON',
          { hello: 'world' },
          /expected an Agent Playground thread export \(format "agent-playground\/thread"\)/,
        ],
        ['an array', [1, 2, 3], /expected an Agent Playground thread export/],
        [
          'a LangGraph checkpoint',
          {
            config: { configurable: { thread_id: 'x' } },
            checkpoint: { v: 4, id: 'x', channel_values: {} },
            metadata: {},
          },
          /Not a thread file: .*found an object without a "format" field/,
        ],
        ['a newer version', broken((f) => (f.version = 2)), /Unsupported thread file version 2/],
        [
          'a version that is not a number',
          broken((f) => (f.checkpoints[1].checkpoint.channel_versions.count = 'x')),
          /checkpoints\[1\]\.checkpoint\.channel_versions\.count must be a number/,
        ],
        [
          'a missing checkpoint id',
          broken((f) => delete f.checkpoints[2].checkpoint.id),
          /checkpoints\[2\]\.checkpoint\.id must be a string/,
        ],
        [
          'a dangling parent',
          broken((f) => (f.checkpoints[3].parent_checkpoint_id = 'missing')),
          /checkpoints\[3\]\.parent_checkpoint_id is "missing", which is not a checkpoint/,
        ],
        [
          'an unknown serde tag in the last checkpoint',
          broken(
            (f) =>
              (f.checkpoints[3].checkpoint.channel_values.messages[0] = {
                __ap: 'Function',
                v: 'alert(1)',
              }),
          ),
          /checkpoints\[3\]\.checkpoint\.channel_values\.messages\[0\]: unknown tag "Function"/,
        ],
        [
          'a malformed pending write',
          broken((f) => (f.checkpoints[0].pending_writes = [['task', 'messages']])),
          /checkpoints\[0\]\.pending_writes\[0\] must be a \[taskId, channel, value\] triple/,
        ],
        [
          'a bad metadata source',
          broken((f) => (f.checkpoints[0].metadata.source = 'magic')),
          /checkpoints\[0\]\.metadata\.source must be one of/,
        ],
        [
          'a duplicated checkpoint',
          broken((f) => f.checkpoints.push(f.checkpoints[0])),
          /checkpoints\[4\]\.checkpoint\.id repeats checkpoints\[0\]/,
        ],
        [
          'a value without a version',
          broken((f) => (f.checkpoints[1].checkpoint.channel_values.stray = 1)),
          /checkpoints\[1\]\.checkpoint\.channel_values\.stray has no entry in channel_versions/,
        ],
        ['no checkpoints', broken((f) => (f.checkpoints = [])), /checkpoints is empty/],
      ];
      for (const [label, data, message] of cases) {
        const error = await rejectionOf(saver.importThread(data, { threadId: 'new' }));
        expect(`${label}: ${error.name}`).toBe(`${label}: CheckpointImportError`);
        expect(error).toBeInstanceOf(CheckpointImportError);
        expect(error.message).toMatch(message);
      }
      // Same id as an existing thread: never merged or overwritten, with or without options.
      const clash = await rejectionOf(saver.importThread(good));
      expect(clash).toBeInstanceOf(CheckpointImportError);
      expect(clash.message).toMatch(/"mine" already exists/);
      expect((await rejectionOf(saver.importThread(good, { threadId: 'mine' }))).message).toMatch(
        /already exists/,
      );

      expect(await saver.listThreads()).toEqual(['mine']);
      expect(await saver.getTuple(threadConfig('new'))).toBeUndefined();
      expect(comparable(await saver.exportThread('mine'))).toEqual(comparable(good));
    });

    it('isolates stored values from later changes to what was passed in', async () => {
      const saver = await fresh();
      const message = { id: 'm1', content: 'original', at: new Date(1) };
      const values = {
        messages: [message],
        map: new Map([['k', { n: 1 }]]),
        bytes: new Uint8Array([1, 2, 3]),
      };
      const versionsSeen = { agent: { messages: 1 } };
      const metadata = makeMetadata(0, { writes: { agent: { note: ['a'] } } });
      const checkpoint = makeCheckpoint(values, { messages: 1, map: 1, bytes: 1 }, versionsSeen);
      const config = await saver.put(threadConfig('t'), checkpoint, metadata, {
        messages: 1,
        map: 1,
        bytes: 1,
      });
      const pending = { text: 'pending' };
      await saver.putWrites(config, [['messages', pending]], 'task');

      message.content = 'mutated';
      message.at.setTime(999);
      values.messages.push({ id: 'm2', content: 'added', at: new Date(2) });
      values.map.get('k')!.n = 2;
      values.map.set('new', { n: 3 });
      values.bytes[0] = 99;
      versionsSeen.agent.messages = 42;
      checkpoint.channel_versions.messages = 42;
      (metadata.writes as { agent: { note: string[] } }).agent.note.push('b');
      pending.text = 'mutated';

      const tuple = await saver.getTuple(config);
      expect(tuple?.checkpoint.channel_values).toEqual({
        messages: [{ id: 'm1', content: 'original', at: new Date(1) }],
        map: new Map([['k', { n: 1 }]]),
        bytes: new Uint8Array([1, 2, 3]),
      });
      expect(tuple?.checkpoint.versions_seen).toEqual({ agent: { messages: 1 } });
      expect(tuple?.checkpoint.channel_versions).toEqual({ messages: 1, map: 1, bytes: 1 });
      expect(tuple?.metadata.writes).toEqual({ agent: { note: ['a'] } });
      expect(tuple?.pendingWrites).toEqual([['task', 'messages', { text: 'pending' }]]);
    });

    it('rejects values that cannot be stored without storing anything', async () => {
      const saver = await fresh();
      const [first] = await putRun(saver, 't', 1);
      const bad = makeCheckpoint({ messages: [{ id: 'x', run: () => 'code' }] }, { messages: 9 });
      const error = await rejectionOf(saver.put(first, bad, makeMetadata(0), { messages: 9 }));
      expect(error).toBeInstanceOf(SerdeError);
      expect(error.message).toMatch(/cannot store a function/);
      expect(error.message).toMatch(/at channel_values\.messages\[0\]\.run\)/);
      expect(await saver.getTuple(threadConfig('t', '', bad.id))).toBeUndefined();
      expect((await saver.getTuple(threadConfig('t')))?.config).toEqual(first);

      class Custom {
        x = 1;
      }
      const classValue = makeCheckpoint({ messages: new Custom() }, { messages: 10 });
      const classError = await rejectionOf(
        saver.put(first, classValue, makeMetadata(0), { messages: 10 }),
      );
      expect(classError).toBeInstanceOf(SerdeError);
      expect(classError.message).toMatch(/instance of Custom/);
      const writeError = await rejectionOf(
        saver.putWrites(first, [['messages', Symbol('s')]], 'task'),
      );
      expect(writeError).toBeInstanceOf(SerdeError);
      expect((await saver.getTuple(first))?.pendingWrites).toEqual([]);
      expect(await collect(saver, threadConfig('t'))).toHaveLength(1);
    });
  });
}
