/**
 * Layered layout of a `DrawableGraph` for the Graph view: dagre places the nodes top to bottom,
 * routes the edges and reserves room for their labels. Expanded subgraphs become dagre
 * compound nodes (clusters) holding their own nodes; collapsed ones are a single node.
 *
 * Pure: no DOM, so it runs in unit tests. Text widths are estimated unless the caller passes a
 * measuring function (the view measures with a canvas).
 */
import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
import type { DrawableGraph } from '$lib/graph/drawing';

/**
 * Separates the segments of a node path: `working:plan` is node `plan` inside the subgraph node
 * `working`. Node names cannot contain `:` (the engine refuses them), so paths are unambiguous;
 * LangGraph's xray drawings name nested nodes the same way.
 */
export const PATH_SEPARATOR = ':';

export const START_ID = '__start__';
export const END_ID = '__end__';

export type NodeKind = 'start' | 'end' | 'node' | 'subgraph';

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutNode {
  /** Path of the node: its name, prefixed by the paths of the subgraphs around it. */
  id: string;
  name: string;
  kind: NodeKind;
  /** Path of the expanded subgraph this node sits in, if any. */
  parent?: string;
  /** Centre and size, in layout units (CSS pixels at zoom 1). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** A subgraph node whose drawing is known (`getGraph({ xray })`), so it can be expanded. */
  expandable: boolean;
}

export interface LaidOutCluster {
  /** Path of the subgraph node this box stands for while expanded. */
  id: string;
  name: string;
  parent?: string;
  /** Top-left corner and size of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Room reserved inside the box, above the subgraph's START, for its title and toggle. */
  header: { x: number; y: number; width: number; height: number };
}

export interface LaidOutEdge {
  /** Unique and stable across layouts of the same graph (for keyed rendering). */
  id: string;
  /** Endpoints as the drawing names them (a subgraph's path, even when it is expanded). */
  source: string;
  target: string;
  /**
   * The nodes the line actually joins: an edge into an expanded subgraph ends at the
   * subgraph's START, an edge out of one leaves from its END.
   */
  from: string;
  to: string;
  conditional: boolean;
  waiting: boolean;
  label?: string;
  /** Polyline from `from` to `to`, end points on the node borders. */
  points: Point[];
  /** Centre of the label box, when the edge has a label. */
  labelPosition?: Point;
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  /** Outer boxes first, so drawing them in order puts nested boxes on top. */
  clusters: LaidOutCluster[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Width of `text` at the label font; defaults to an estimate for a 13 px sans-serif font. */
  measureText?: (text: string) => number;
}

export const NODE_HEIGHT = 36;
export const TERMINAL_HEIGHT = 26;
/** Room for a subgraph node's expand/collapse control at its right end. */
export const TOGGLE_SIZE = 20;
export const CLUSTER_HEADER_HEIGHT = 22;
const NODE_MIN_WIDTH = 72;
const NODE_TEXT_PADDING = 28;
const LABEL_HEIGHT = 18;
const LABEL_PADDING = 10;

/** Average advance of a 13 px system sans-serif glyph; names are mostly lowercase ASCII. */
const estimateTextWidth = (text: string) => text.length * 7.4;

export function joinPath(parent: string | undefined, name: string): string {
  return parent === undefined ? name : `${parent}${PATH_SEPARATOR}${name}`;
}

/** Display text of a node: START and END are drawn as small `start` / `end` pills. */
export function nodeText(kind: NodeKind, name: string): string {
  return kind === 'start' ? 'start' : kind === 'end' ? 'end' : name;
}

/** The title placeholder of an expanded subgraph's box; `\u0000` never occurs in a node name. */
const headerId = (clusterId: string) => `${clusterId}\u0000title`;

interface DagreNode {
  width: number;
  height: number;
  x?: number;
  y?: number;
}

interface DagreEdge {
  width: number;
  height: number;
  labelpos: 'c';
  weight?: number;
  points?: Point[];
  x?: number;
  y?: number;
}

interface PendingEdge {
  id: string;
  source: string;
  target: string;
  from: string;
  to: string;
  conditional: boolean;
  waiting: boolean;
  label?: string;
}

export function layoutGraph(
  graph: DrawableGraph,
  expanded: ReadonlySet<string> = new Set(),
  options: LayoutOptions = {},
): GraphLayout {
  const measure = options.measureText ?? estimateTextWidth;
  const g = new graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 44, edgesep: 14, marginx: 16, marginy: 16 });

  const nodes: Omit<LaidOutNode, 'x' | 'y'>[] = [];
  const clusters: Pick<LaidOutCluster, 'id' | 'name' | 'parent'>[] = [];
  const edges: PendingEdge[] = [];
  const edgeIds = new Set<string>();

  const expandedIds = new Set<string>();
  // Where a line into / out of a drawn thing attaches: an expanded subgraph is a box, and
  // dagre cannot route edges to a box, so its START and END stand in for it.
  const entryOf = (id: string): string =>
    expandedIds.has(id) ? entryOf(joinPath(id, START_ID)) : id;
  const exitOf = (id: string): string => (expandedIds.has(id) ? exitOf(joinPath(id, END_ID)) : id);

  const addLevel = (level: DrawableGraph, parent: string | undefined) => {
    const known = new Set(level.nodes.map((n) => n.id));
    for (const node of level.nodes) {
      const id = joinPath(parent, node.id);
      const expandable = node.type === 'subgraph' && node.subgraph !== undefined;
      if (expandable && expanded.has(id)) {
        expandedIds.add(id);
        clusters.push({ id, name: node.name, parent });
        g.setNode(id, { width: 0, height: 0 });
        if (parent !== undefined) g.setParent(id, parent);
        addLevel(node.subgraph!, id);
        // dagre leaves no room for a box's title, so a placeholder node ranked above the
        // subgraph's START holds it; nothing else can be placed or routed through there.
        const header = headerId(id);
        g.setNode(header, {
          width: measure(node.name) + NODE_TEXT_PADDING + TOGGLE_SIZE,
          height: CLUSTER_HEADER_HEIGHT,
        } satisfies DagreNode);
        g.setParent(header, id);
        g.setEdge(
          { v: header, w: joinPath(id, START_ID), name: header },
          {
            width: 0,
            height: 0,
            labelpos: 'c',
            weight: 10,
          },
        );
        continue;
      }
      const terminal = node.type === 'start' || node.type === 'end';
      const text = measure(nodeText(node.type, node.name));
      const width = terminal
        ? Math.max(52, text + 24)
        : Math.max(NODE_MIN_WIDTH, text + NODE_TEXT_PADDING + (expandable ? TOGGLE_SIZE : 0));
      const height = terminal ? TERMINAL_HEIGHT : NODE_HEIGHT;
      nodes.push({ id, name: node.name, kind: node.type, parent, width, height, expandable });
      g.setNode(id, { width, height } satisfies DagreNode);
      if (parent !== undefined) g.setParent(id, parent);
    }
    for (const edge of level.edges) {
      // Edges naming a node outside this level (a Command to the parent graph) have no line here.
      if (!known.has(edge.source) || !known.has(edge.target)) continue;
      const source = joinPath(parent, edge.source);
      const target = joinPath(parent, edge.target);
      const base = `${source}\u2192${target}${edge.conditional ? '?' : ''}${edge.waiting ? '&' : ''}${edge.label ? `=${edge.label}` : ''}`;
      let id = base;
      for (let n = 2; edgeIds.has(id); n++) id = `${base}#${n}`;
      edgeIds.add(id);
      edges.push({
        id,
        source,
        target,
        from: source,
        to: target,
        conditional: edge.conditional,
        waiting: edge.waiting === true,
        label: edge.label,
      });
    }
  };
  addLevel(graph, undefined);

  for (const edge of edges) {
    edge.from = exitOf(edge.source);
    edge.to = entryOf(edge.target);
    const label: DagreEdge = edge.label
      ? { width: measure(edge.label) + LABEL_PADDING, height: LABEL_HEIGHT, labelpos: 'c' }
      : { width: 0, height: 0, labelpos: 'c' };
    g.setEdge({ v: edge.from, w: edge.to, name: edge.id }, label);
  }

  dagreLayout(g);

  const laidOutNodes: LaidOutNode[] = nodes.map((node) => {
    const placed = g.node(node.id) as DagreNode;
    return { ...node, x: placed.x ?? 0, y: placed.y ?? 0 };
  });

  const laidOutClusters: LaidOutCluster[] = clusters.map((cluster) => {
    const box = g.node(cluster.id) as DagreNode;
    const header = g.node(headerId(cluster.id)) as DagreNode;
    return {
      ...cluster,
      x: (box.x ?? 0) - box.width / 2,
      y: (box.y ?? 0) - box.height / 2,
      width: box.width,
      height: box.height,
      header: {
        x: (header.x ?? 0) - header.width / 2,
        y: (header.y ?? 0) - header.height / 2,
        width: header.width,
        height: header.height,
      },
    };
  });

  const laidOutEdges: LaidOutEdge[] = edges.map((edge) => {
    const placed = g.edge({ v: edge.from, w: edge.to, name: edge.id }) as DagreEdge;
    const laidOut: LaidOutEdge = { ...edge, points: placed.points ?? [] };
    if (edge.label && placed.x !== undefined && placed.y !== undefined)
      laidOut.labelPosition = { x: placed.x, y: placed.y };
    return laidOut;
  });

  const size = g.graph() as { width?: number; height?: number };
  return {
    nodes: laidOutNodes,
    edges: laidOutEdges,
    clusters: laidOutClusters,
    width: size.width ?? 0,
    height: size.height ?? 0,
  };
}

/**
 * Ids of the drawn nodes and subgraph boxes in reading order, which is also the Tab order:
 * top to bottom, left to right, and a subgraph's box followed at once by what it holds, so
 * the keyboard does not wander in and out of a box.
 */
export function readingOrder(layout: GraphLayout): string[] {
  // Tops this close are one row: boxes of one rank differ in height (START vs a node).
  const ROW_TOLERANCE = 12;
  const byParent = new Map<string | undefined, { id: string; top: number; left: number }[]>();
  const add = (parent: string | undefined, id: string, top: number, left: number) =>
    byParent.set(parent, [...(byParent.get(parent) ?? []), { id, top, left }]);
  for (const n of layout.nodes) add(n.parent, n.id, n.y - n.height / 2, n.x - n.width / 2);
  for (const c of layout.clusters) add(c.parent, c.id, c.y, c.x);
  const order: string[] = [];
  const walk = (parent: string | undefined) => {
    const entries = (byParent.get(parent) ?? []).sort((a, b) =>
      Math.abs(a.top - b.top) <= ROW_TOLERANCE ? a.left - b.left : a.top - b.top,
    );
    for (const entry of entries) {
      order.push(entry.id);
      walk(entry.id);
    }
  };
  walk(undefined);
  return order;
}
