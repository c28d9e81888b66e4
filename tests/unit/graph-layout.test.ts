/**
 * The Graph view's pure parts: dagre layout of a DrawableGraph, the run marks laid on it, and
 * the details panel's value formatting.
 */
import { describe, expect, it } from 'vitest';
import { Annotation, END, START, StateGraph } from '../../src/lib/graph';
import type { DrawableGraph } from '../../src/lib/graph/drawing';
import { formatValue } from '../../src/lib/ui/graph/format';
import {
  layoutGraph,
  readingOrder,
  type GraphLayout,
  type LaidOutCluster,
  type LaidOutNode,
} from '../../src/lib/ui/graph/layout';
import { markNodes, pathFromNamespace, takenEdges } from '../../src/lib/ui/graph/marks';

const State = Annotation.Root({ x: Annotation<number>() });
const noop = () => ({});

const inner = new StateGraph(State)
  .addNode('plan', noop)
  .addNode('act', noop)
  .addEdge(START, 'plan')
  .addEdge('plan', 'act')
  .addConditionalEdges('act', () => END, { again: 'plan', finish: END })
  .compile();

const app = new StateGraph(State)
  .addNode('route', noop)
  .addNode('working', inner)
  .addNode('left', noop)
  .addNode('right', noop)
  .addNode('done', noop, { ends: ['route'] })
  .addEdge(START, 'route')
  .addConditionalEdges('route', () => 'go', { go: 'working', stop: END })
  .addEdge('working', 'left')
  .addEdge('working', 'right')
  .addEdge(['left', 'right'], 'done')
  .addEdge('done', END)
  .compile();

const drawing = app.getGraph({ xray: true });

function node(layout: GraphLayout, id: string): LaidOutNode {
  const found = layout.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id} in ${layout.nodes.map((n) => n.id).join(', ')}`);
  return found;
}

function cluster(layout: GraphLayout, id: string): LaidOutCluster {
  const found = layout.clusters.find((c) => c.id === id);
  if (!found) throw new Error(`no cluster ${id}`);
  return found;
}

type Box = { x: number; y: number; width: number; height: number };
const boxOf = (n: LaidOutNode): Box => ({
  x: n.x - n.width / 2,
  y: n.y - n.height / 2,
  width: n.width,
  height: n.height,
});
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const contains = (outer: Box, inner: Box) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

describe('layoutGraph', () => {
  it('places START above END on a chain, nodes in order', () => {
    const chain = new StateGraph(State)
      .addNode('a', noop)
      .addNode('b', noop)
      .addEdge(START, 'a')
      .addEdge('a', 'b')
      .addEdge('b', END)
      .compile()
      .getGraph();
    const layout = layoutGraph(chain);
    const ys = [START, 'a', 'b', END].map((id) => node(layout, id).y);
    expect(ys).toEqual([...ys].sort((p, q) => p - q));
    expect(new Set(ys).size).toBe(4);
    expect(layout.clusters).toEqual([]);
    expect(layout.width).toBeGreaterThan(0);
    expect(layout.height).toBeGreaterThan(node(layout, END).y);
  });

  it('never overlaps two node boxes, collapsed or expanded', () => {
    for (const expanded of [new Set<string>(), new Set(['working'])]) {
      const layout = layoutGraph(drawing, expanded);
      const boxes = layout.nodes.map(boxOf);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++)
          expect(
            overlaps(boxes[i], boxes[j]),
            `${layout.nodes[i].id} / ${layout.nodes[j].id}`,
          ).toBe(false);
    }
  });

  it('draws a collapsed subgraph as one expandable node', () => {
    const layout = layoutGraph(drawing, new Set());
    const working = node(layout, 'working');
    expect(working.kind).toBe('subgraph');
    expect(working.expandable).toBe(true);
    expect(layout.nodes.some((n) => n.id.startsWith('working:'))).toBe(false);
    expect(layout.clusters).toEqual([]);
    expect(layout.edges.find((e) => e.source === 'route' && e.target === 'working')?.to).toBe(
      'working',
    );
  });

  it('a subgraph drawn without xray cannot be expanded', () => {
    const layout = layoutGraph(app.getGraph(), new Set(['working']));
    expect(node(layout, 'working').expandable).toBe(false);
    expect(layout.clusters).toEqual([]);
  });

  it('draws an expanded subgraph as a box holding its nodes, edges through its START and END', () => {
    const layout = layoutGraph(drawing, new Set(['working']));
    expect(layout.nodes.some((n) => n.id === 'working')).toBe(false);
    const box = cluster(layout, 'working');
    const children = layout.nodes.filter((n) => n.parent === 'working');
    expect(children.map((n) => n.id).sort()).toEqual(
      ['working:__start__', 'working:plan', 'working:act', 'working:__end__'].sort(),
    );
    for (const child of children) expect(contains(box, boxOf(child)), child.id).toBe(true);
    // Nothing outside the subgraph is inside its box.
    for (const other of layout.nodes.filter((n) => n.parent === undefined))
      expect(overlaps(box, boxOf(other)), other.id).toBe(false);
    // The title has room of its own inside the box, above the subgraph's START.
    expect(contains(box, box.header)).toBe(true);
    for (const child of children) expect(overlaps(box.header, boxOf(child))).toBe(false);
    expect(box.header.y).toBeLessThan(node(layout, 'working:__start__').y);

    const into = layout.edges.find((e) => e.source === 'route' && e.target === 'working')!;
    expect([into.from, into.to]).toEqual(['route', 'working:__start__']);
    const out = layout.edges.find((e) => e.source === 'working' && e.target === 'left')!;
    expect([out.from, out.to]).toEqual(['working:__end__', 'left']);
    expect(layout.edges.find((e) => e.id.startsWith('working:plan→working:act'))).toBeDefined();
  });

  it('flags conditional and waiting edges, with label positions for labelled ones', () => {
    const layout = layoutGraph(drawing, new Set(['working']));
    const go = layout.edges.find((e) => e.source === 'route' && e.label === 'go')!;
    expect(go.conditional).toBe(true);
    expect(go.labelPosition).toBeDefined();
    const again = layout.edges.find((e) => e.label === 'again')!;
    expect([again.source, again.target, again.conditional]).toEqual([
      'working:act',
      'working:plan',
      true,
    ]);
    const command = layout.edges.find((e) => e.source === 'done' && e.target === 'route')!;
    expect(command.conditional).toBe(true);
    expect(command.label).toBeUndefined();
    const fixed = layout.edges.find((e) => e.source === START && e.target === 'route')!;
    expect(fixed.conditional).toBe(false);
    expect(fixed.labelPosition).toBeUndefined();
    const waiting = layout.edges.filter((e) => e.waiting);
    expect(waiting.map((e) => e.source).sort()).toEqual(['left', 'right']);
    for (const edge of layout.edges) {
      expect(edge.points.length, edge.id).toBeGreaterThanOrEqual(2);
      for (const p of edge.points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    }
    expect(new Set(layout.edges.map((e) => e.id)).size).toBe(layout.edges.length);
  });

  it('keeps parallel labelled edges between the same nodes apart, and draws self-loops', () => {
    const graph: DrawableGraph = {
      nodes: [
        { id: START, name: START, type: 'start' },
        { id: 'ask', name: 'ask', type: 'node' },
        { id: END, name: END, type: 'end' },
      ],
      edges: [
        { source: START, target: 'ask', conditional: false },
        { source: 'ask', target: 'ask', conditional: true, label: 'retry' },
        { source: 'ask', target: END, conditional: true, label: 'ok' },
        { source: 'ask', target: END, conditional: true, label: 'give up' },
      ],
    };
    const layout = layoutGraph(graph);
    expect(layout.edges).toHaveLength(4);
    const [ok, giveUp] = ['ok', 'give up'].map(
      (label) => layout.edges.find((e) => e.label === label)!.labelPosition!,
    );
    expect(ok.x !== giveUp.x || ok.y !== giveUp.y).toBe(true);
    expect(layout.edges.find((e) => e.label === 'retry')!.points.length).toBeGreaterThan(2);
  });

  it('reads top to bottom, a subgraph box followed at once by what it holds', () => {
    const layout = layoutGraph(drawing, new Set(['working']));
    const order = readingOrder(layout);
    expect([...order].sort()).toEqual(
      [...layout.nodes.map((n) => n.id), ...layout.clusters.map((c) => c.id)].sort(),
    );
    expect(order[0]).toBe(START);
    const box = order.indexOf('working');
    expect(order.slice(box + 1, box + 5)).toEqual([
      'working:__start__',
      'working:plan',
      'working:act',
      'working:__end__',
    ]);
    expect(order.indexOf('route')).toBeLessThan(order.indexOf('done'));
    expect(order.indexOf('done')).toBeLessThan(order.indexOf(END));
  });

  it('sizes nodes to their names with the given measure', () => {
    const layout = layoutGraph(drawing, new Set(), { measureText: (t) => t.length * 20 });
    expect(node(layout, 'working').width).toBeGreaterThan('working'.length * 20);
  });
});

describe('run marks', () => {
  it('counts runs, marks active, interrupted and breakpoints by path', () => {
    const layout = layoutGraph(drawing, new Set(['working']));
    const marks = markNodes(layout, {
      visited: ['route', 'working:plan', 'working:act', 'working:plan'],
      active: ['working:act'],
      interrupted: ['working:act'],
      breakpoints: { before: ['done'], after: ['working:plan'] },
    });
    expect(marks.get('route')).toMatchObject({ runs: 1, visited: true, active: false });
    expect(marks.get('working:plan')).toMatchObject({ runs: 2, breakAfter: true });
    expect(marks.get('working:act')).toMatchObject({ active: true, interrupted: true });
    // The box around an active node shows it too, without counting runs of its own.
    expect(marks.get('working')).toMatchObject({ runs: 0, visited: true, active: true });
    expect(marks.get(START)!.visited).toBe(true);
    expect(marks.get(END)!.visited).toBe(false);
    expect(marks.get('done')).toMatchObject({ breakBefore: true, breakAfter: false });
  });

  it('puts marks from inside a collapsed subgraph on its node; * breaks on every top node', () => {
    const layout = layoutGraph(drawing, new Set());
    const marks = markNodes(layout, {
      active: ['working:act'],
      breakpoints: { before: ['*'], after: [] },
    });
    expect(marks.get('working')!.active).toBe(true);
    expect(
      ['route', 'working', 'left', 'right', 'done'].map((id) => marks.get(id)!.breakBefore),
    ).toEqual([true, true, true, true, true]);
    expect(marks.get(START)!.breakBefore).toBe(false);
  });

  it('follows the path taken, into and out of an expanded subgraph', () => {
    const layout = layoutGraph(drawing, new Set(['working']));
    const visited = ['route', 'working:plan', 'working:act', 'working', 'left', 'done', END];
    const taken = takenEdges(layout, visited);
    const pairs = layout.edges
      .filter((e) => taken.has(e.id))
      .map((e) => `${e.from} > ${e.to}`)
      .sort();
    expect(pairs).toEqual(
      [
        '__start__ > route',
        'route > working:__start__',
        'working:__start__ > working:plan',
        'working:plan > working:act',
        'working:act > working:__end__',
        'working:__end__ > left',
        'left > done',
        'done > __end__',
      ].sort(),
    );
  });

  it('follows the path through a collapsed subgraph and along self-loops', () => {
    const collapsed = layoutGraph(drawing, new Set());
    const taken = takenEdges(collapsed, ['route', 'working:plan', 'working:act', 'working']);
    expect(
      collapsed.edges
        .filter((e) => taken.has(e.id))
        .map((e) => `${e.from} > ${e.to}`)
        .sort(),
    ).toEqual(['__start__ > route', 'route > working']);

    const loop = layoutGraph({
      nodes: [
        { id: START, name: START, type: 'start' },
        { id: 'ask', name: 'ask', type: 'node' },
        { id: END, name: END, type: 'end' },
      ],
      edges: [
        { source: START, target: 'ask', conditional: false },
        { source: 'ask', target: 'ask', conditional: true },
        { source: 'ask', target: END, conditional: true },
      ],
    });
    expect(takenEdges(loop, ['ask']).size).toBe(1);
    expect(takenEdges(loop, ['ask', 'ask']).size).toBe(2);
    expect(takenEdges(loop, []).size).toBe(0);
  });

  it('marks every branch of a fan-out and every edge into a join when given supersteps', () => {
    const fan = layoutGraph({
      nodes: [
        { id: START, name: START, type: 'start' },
        { id: 'plan', name: 'plan', type: 'node' },
        { id: 'a', name: 'a', type: 'node' },
        { id: 'b', name: 'b', type: 'node' },
        { id: 'c', name: 'c', type: 'node' },
        { id: 'join', name: 'join', type: 'node' },
        { id: END, name: END, type: 'end' },
      ],
      edges: [
        { source: START, target: 'plan', conditional: false },
        { source: 'plan', target: 'a', conditional: true },
        { source: 'plan', target: 'b', conditional: true },
        { source: 'plan', target: 'c', conditional: true },
        { source: 'a', target: 'join', conditional: false },
        { source: 'b', target: 'join', conditional: false },
        { source: 'c', target: 'join', conditional: false },
        { source: 'join', target: END, conditional: false },
      ],
    });
    const pairs = (visited: Parameters<typeof takenEdges>[1]) => {
      const taken = takenEdges(fan, visited);
      return fan.edges
        .filter((e) => taken.has(e.id))
        .map((e) => `${e.from} > ${e.to}`)
        .sort();
    };
    // plan sent work to a and b (not c); both ran in one step and joined.
    expect(pairs([['plan'], ['a', 'b'], ['join'], [END]])).toEqual(
      ['__start__ > plan', 'plan > a', 'plan > b', 'a > join', 'b > join', 'join > __end__'].sort(),
    );
    // The same run as a flat list can only join neighbours: a and b have no edge between them.
    expect(pairs(['plan', 'a', 'b', 'join'])).toEqual(
      ['__start__ > plan', 'plan > a', 'b > join'].sort(),
    );
  });

  it('turns a stream namespace into a node path', () => {
    expect(pathFromNamespace([], 'route')).toBe('route');
    expect(pathFromNamespace(['working:1f3c-aa', 'deep:77'], 'plan')).toBe('working:deep:plan');
  });
});

describe('formatValue', () => {
  it('pretty-prints JSON and values JSON cannot carry, without throwing', () => {
    expect(formatValue({ a: [1, 'x'] })).toBe('{\n  "a": [\n    1,\n    "x"\n  ]\n}');
    expect(formatValue(undefined)).toBe('undefined');
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const shared = { n: 1 };
    const text = formatValue({
      big: 10n,
      map: new Map([['k', 1]]),
      set: new Set([2]),
      bytes: new Uint8Array([3, 4]),
      inf: Infinity,
      cyclic,
      twice: [shared, shared],
      error: new Error('boom'),
    });
    const parsed = JSON.parse(text);
    expect(parsed).toEqual({
      big: '10n',
      map: { k: 1 },
      set: [2],
      bytes: [3, 4],
      inf: 'Infinity',
      cyclic: { name: 'loop', self: '[circular]' },
      twice: [{ n: 1 }, { n: 1 }],
      error: { name: 'Error', message: 'boom' },
    });
    const selfMap = new Map<string, unknown>();
    selfMap.set('me', selfMap);
    expect(JSON.parse(formatValue(selfMap))).toEqual({ me: '[circular]' });
  });
});
