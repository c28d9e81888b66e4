import { describe, expect, it } from 'vitest';
import {
  countChanges,
  diffValues,
  formatPath,
  onlyChanges,
  type DiffNode,
  type PathSegment,
} from '../../src/lib/ui/state/diff';
import {
  describeSize,
  formatLeaf,
  previewValue,
  truncateText,
} from '../../src/lib/ui/state/preview';

/** The node at `path`, found by walking children by key. */
function at(root: DiffNode, ...path: PathSegment[]): DiffNode {
  let node = root;
  for (const key of path) {
    const child = node.children?.find((c) => c.key === key);
    if (!child) throw new Error(`no child ${String(key)} under ${formatPath(node.path)}`);
    node = child;
  }
  return node;
}

/** `path → kind` for every node that is not unchanged, for compact assertions. */
function changes(root: DiffNode): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (node: DiffNode) => {
    if (node.kind !== 'unchanged') out[formatPath(node.path) || '$'] = node.kind;
    node.children?.forEach(visit);
  };
  visit(root);
  return out;
}

describe('diffValues', () => {
  it('finds added, removed and changed keys', () => {
    const diff = diffValues({ a: 1, b: 'x', c: true }, { a: 1, b: 'y', d: null });
    expect(diff.kind).toBe('changed');
    expect(diff.children?.map((c) => [c.key, c.kind])).toEqual([
      ['a', 'unchanged'],
      ['b', 'changed'],
      ['d', 'added'],
      ['c', 'removed'],
    ]);
    expect(at(diff, 'b')).toMatchObject({ path: ['b'], before: 'x', after: 'y' });
    expect(at(diff, 'd')).toEqual({ path: ['d'], key: 'd', kind: 'added', after: null });
    expect(at(diff, 'c')).toEqual({ path: ['c'], key: 'c', kind: 'removed', before: true });
  });

  it('reports identical snapshots as unchanged all the way down', () => {
    const value = { messages: [{ id: 'm1', role: 'user', content: 'hi' }], n: 3 };
    const diff = diffValues(value, structuredClone(value));
    expect(diff.kind).toBe('unchanged');
    expect(changes(diff)).toEqual({});
    expect(countChanges(diff)).toEqual({ added: 0, removed: 0, changed: 0 });
  });

  it('descends into nested objects and marks the containers on the way as changed', () => {
    const diff = diffValues(
      { plan: { steps: { first: 'search', second: 'answer' }, done: false } },
      { plan: { steps: { first: 'search', second: 'reply' }, done: false } },
    );
    expect(changes(diff)).toEqual({
      $: 'changed',
      plan: 'changed',
      'plan.steps': 'changed',
      'plan.steps.second': 'changed',
    });
    expect(at(diff, 'plan', 'done').kind).toBe('unchanged');
    expect(countChanges(diff)).toEqual({ added: 0, removed: 0, changed: 1 });
  });

  it('gives the insides of an added or removed container the same kind', () => {
    const diff = diffValues({ old: { x: [1] } }, { fresh: { y: { z: 2 } } });
    expect(changes(diff)).toEqual({
      $: 'changed',
      fresh: 'added',
      'fresh.y': 'added',
      'fresh.y.z': 'added',
      old: 'removed',
      'old.x': 'removed',
      'old.x[0]': 'removed',
    });
    // Counted once each, at the top of what appeared or vanished.
    expect(countChanges(diff)).toEqual({ added: 1, removed: 1, changed: 0 });
  });

  it('compares plain arrays index by index', () => {
    const diff = diffValues({ xs: [1, 2, 3] }, { xs: [1, 5, 3, 4] });
    expect(at(diff, 'xs').children?.map((c) => [c.key, c.kind])).toEqual([
      [0, 'unchanged'],
      [1, 'changed'],
      [2, 'unchanged'],
      [3, 'added'],
    ]);
    expect(at(diff, 'xs', 3).path).toEqual(['xs', 3]);
    const shorter = diffValues([1, 2, 3], [1]);
    expect(shorter.children?.map((c) => c.kind)).toEqual(['unchanged', 'removed', 'removed']);
  });

  it('shows one appended message as one added entry, not every index shifted', () => {
    const before = {
      messages: [
        { id: 'm1', role: 'user', content: 'What is 12 * 7?' },
        { id: 'm2', role: 'assistant', content: '', tool_calls: [{ id: 'c1' }] },
      ],
    };
    const after = {
      messages: [
        { id: 'm0', role: 'system', content: 'Be brief.' }, // prepended: indexes shift
        ...before.messages,
        { id: 'm3', role: 'tool', content: '84', tool_call_id: 'c1' },
      ],
    };
    const messages = at(diffValues(before, after), 'messages');
    expect(messages.children?.map((c) => [c.key, c.id, c.kind])).toEqual([
      [0, 'm0', 'added'],
      [1, 'm1', 'unchanged'],
      [2, 'm2', 'unchanged'],
      [3, 'm3', 'added'],
    ]);
    expect(countChanges(messages)).toEqual({ added: 2, removed: 0, changed: 0 });
  });

  it('matches messages by id for edits and removals, keeping removals where they were', () => {
    const before = [
      { id: 'a', role: 'user', content: 'one' },
      { id: 'b', role: 'assistant', content: 'two' },
      { id: 'c', role: 'user', content: 'three' },
    ];
    const after = [
      { id: 'a', role: 'user', content: 'one' },
      { id: 'c', role: 'user', content: 'three, edited' },
    ];
    const diff = diffValues(before, after);
    expect(diff.children?.map((c) => [c.key, c.id, c.kind])).toEqual([
      [0, 'a', 'unchanged'],
      [1, 'b', 'removed'], // its index in the previous list
      [1, 'c', 'changed'],
    ]);
    expect(at(diff, 1).kind).toBe('removed'); // first child with key 1
    const edited = diff.children?.[2] as DiffNode;
    expect(at(edited, 'content')).toMatchObject({
      kind: 'changed',
      path: [1, 'content'],
      before: 'three',
      after: 'three, edited',
    });
  });

  it('falls back to indexes when ids are missing or repeated', () => {
    const repeated = diffValues(
      [{ id: 'x', v: 1 }],
      [
        { id: 'y', v: 0 },
        { id: 'y', v: 1 },
      ],
    );
    expect(repeated.children?.map((c) => c.id)).toEqual([undefined, undefined]);
    expect(repeated.children?.map((c) => c.kind)).toEqual(['changed', 'added']);
    const noIds = diffValues([{ role: 'user' }], [{ role: 'user' }, { role: 'ai' }]);
    expect(noIds.children?.map((c) => c.kind)).toEqual(['unchanged', 'added']);
  });

  it('compares primitives, including at the root', () => {
    expect(diffValues(1, 1).kind).toBe('unchanged');
    expect(diffValues('a', 'b')).toEqual({
      path: [],
      key: null,
      kind: 'changed',
      before: 'a',
      after: 'b',
    });
    expect(diffValues(0, false).kind).toBe('changed');
    expect(diffValues('1', 1).kind).toBe('changed');
    expect(diffValues(true, true).kind).toBe('unchanged');
    expect(diffValues(undefined, 5)).toEqual({ path: [], key: null, kind: 'added', after: 5 });
  });

  it('treats null as a value and undefined as missing', () => {
    expect(at(diffValues({ a: null }, { a: null }), 'a').kind).toBe('unchanged');
    expect(at(diffValues({ a: null }, { a: 0 }), 'a').kind).toBe('changed');
    expect(at(diffValues({}, { a: null }), 'a')).toMatchObject({ kind: 'added', after: null });
    expect(at(diffValues({ a: null }, {}), 'a')).toMatchObject({ kind: 'removed', before: null });
    // JSON has no undefined: a key holding it is the same as no key.
    const diff = diffValues({ a: undefined, b: 1 }, { b: 1 });
    expect(diff.kind).toBe('unchanged');
    expect(diff.children?.map((c) => c.key)).toEqual(['b']);
  });

  it('shows a change of shape as one change with the new insides listed', () => {
    const diff = diffValues({ v: 'pending' }, { v: { status: 'done' } });
    expect(at(diff, 'v')).toMatchObject({ kind: 'changed', before: 'pending' });
    expect(at(diff, 'v', 'status').kind).toBe('added');
    const toLeaf = diffValues({ v: [1, 2] }, { v: null });
    expect(at(toLeaf, 'v').children?.map((c) => c.kind)).toEqual(['removed', 'removed']);
    expect(diffValues([1], { 0: 1 }).kind).toBe('changed'); // array vs object is not equal
    expect(countChanges(diff)).toEqual({ added: 0, removed: 0, changed: 1 });
  });

  it('stops at the depth limit instead of walking forever', () => {
    const deep = (n: number): unknown => (n === 0 ? 'leaf' : { next: deep(n - 1) });
    const a = deep(100);
    const diff = diffValues(a, deep(100), { maxDepth: 10 });
    let node = diff;
    while (node.children?.length) node = node.children[0];
    expect(node.path).toHaveLength(10);
    expect(node.truncated).toBe(true);
    // Different references past the limit count as changed: we cannot look inside.
    expect(node.kind).toBe('changed');
    expect(diffValues(a, a, { maxDepth: 10 }).kind).toBe('unchanged');
  });

  it('does not loop on a value that contains itself', () => {
    const cyclic: Record<string, unknown> = { name: 'loop', list: [] };
    cyclic.self = cyclic;
    (cyclic.list as unknown[]).push(cyclic, cyclic);
    const diff = diffValues(cyclic, { name: 'loop' });
    expect(at(diff, 'self')).toMatchObject({ kind: 'removed', truncated: true });
    expect(at(diff, 'list', 0)).toMatchObject({ kind: 'removed', truncated: true });
    const both = diffValues(cyclic, cyclic);
    expect(at(both, 'self')).toMatchObject({ kind: 'unchanged', truncated: true });
  });

  it('compares dates by time and other class instances as single values', () => {
    expect(diffValues({ t: new Date(5) }, { t: new Date(5) }).kind).toBe('unchanged');
    expect(at(diffValues({ t: new Date(5) }, { t: new Date(6) }), 't').children).toBeUndefined();
    expect(diffValues({ m: new Map() }, { m: new Map() }).kind).toBe('changed');
  });
});

describe('onlyChanges', () => {
  it('keeps the changes and the containers leading to them', () => {
    const diff = diffValues(
      { a: 1, nested: { keep: true, edit: 'x' }, list: [1, 2] },
      { a: 1, nested: { keep: true, edit: 'y' }, list: [1, 2] },
    );
    const pruned = onlyChanges(diff);
    expect(pruned?.children?.map((c) => c.key)).toEqual(['nested']);
    expect(pruned?.children?.[0].children?.map((c) => c.key)).toEqual(['edit']);
    expect(onlyChanges(diffValues({ a: 1 }, { a: 1 }))).toBeNull();
  });

  it('keeps an added container whole', () => {
    const pruned = onlyChanges(diffValues({}, { m: { role: 'user', content: 'hi' } }));
    expect(pruned?.children?.[0].children?.map((c) => c.key)).toEqual(['role', 'content']);
  });
});

describe('formatPath', () => {
  it('writes paths as people read them', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['messages', 2, 'content'])).toBe('messages[2].content');
    expect(formatPath(['odd key', 'ok'])).toBe('["odd key"].ok');
  });
});

describe('previews', () => {
  it('reads a message as role: content', () => {
    expect(previewValue({ id: 'm1', role: 'assistant', content: 'It is\n21 °C' })).toBe(
      'assistant: It is 21 °C',
    );
    expect(
      previewValue({ role: 'assistant', content: '', tool_calls: [{ id: 'c1' }, { id: 'c2' }] }),
    ).toBe('assistant:  (2 tool calls)');
  });

  it('lists keys, counts items and cuts long text with an ellipsis', () => {
    expect(previewValue({ a: 1, b: 2 })).toBe('{a, b}');
    expect(previewValue([1, 2, 3])).toBe('[3 items]');
    expect(previewValue('x'.repeat(100), 20)).toBe(`"${'x'.repeat(18)}…`);
    expect(previewValue(null)).toBe('null');
    expect(previewValue('two\nlines')).toBe('"two lines"');
    expect(describeSize([1])).toBe('1 item');
    expect(describeSize({ a: 1, b: 2 })).toBe('2 keys');
  });

  it('writes leaves as JSON would, but keeps line breaks in strings', () => {
    expect(formatLeaf('a\nb')).toBe('"a\nb"');
    expect(formatLeaf(12n)).toBe('12n');
    expect(formatLeaf(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(formatLeaf(new Map())).toBe('Map');
    expect(formatLeaf(false)).toBe('false');
  });

  it('never cuts a character in half', () => {
    expect(truncateText('ab😀cd', 3)).toEqual({ shown: 'ab', hidden: 4 });
    expect(truncateText('short', 10)).toEqual({ shown: 'short', hidden: 0 });
  });
});
