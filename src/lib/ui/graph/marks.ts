/**
 * What the Graph view marks on a laid-out graph: which nodes ran (and how often), which run now,
 * which wait on an interrupt or carry a breakpoint, and which edges the run has taken.
 *
 * Marks name nodes by path (`plan`, or `working:plan` inside the subgraph node `working`). A
 * mark inside a collapsed subgraph lands on the subgraph's node; one inside an expanded
 * subgraph also lights the subgraph's box, so a mark never disappears from view.
 */
import { END_ID, PATH_SEPARATOR, START_ID, joinPath, type GraphLayout } from './layout';

export interface Breakpoints {
  /** Node paths to pause before (`interruptBefore`); `'*'` stands for every top-level node. */
  before: string[];
  /** Node paths to pause after (`interruptAfter`); `'*'` stands for every top-level node. */
  after: string[];
}

export interface RunMarks {
  active?: string[];
  /** Node paths in the order they ran. */
  visited?: string[];
  interrupted?: string[];
  breakpoints?: Breakpoints;
}

export interface NodeMarks {
  /** How many times this very node ran (not counting nodes inside it). */
  runs: number;
  /** It, or a node inside it, ran. */
  visited: boolean;
  active: boolean;
  interrupted: boolean;
  breakBefore: boolean;
  breakAfter: boolean;
}

/**
 * The path of a node that emitted a stream event with `subgraphs: true`: namespace segments are
 * `node:taskId`, so `(['working:1f3c…'], 'plan')` is `working:plan`.
 */
export function pathFromNamespace(namespace: readonly string[], node: string): string {
  const parents = namespace.map((segment) => segment.split(PATH_SEPARATOR)[0]);
  return [...parents, node].join(PATH_SEPARATOR);
}

/** `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer + PATH_SEPARATOR);
}

/** The node or box drawing `path`: itself, or the innermost drawn subgraph around it. */
function visibleFor(path: string, drawn: ReadonlySet<string>): string | undefined {
  let candidate = path;
  for (;;) {
    if (drawn.has(candidate)) return candidate;
    const cut = candidate.lastIndexOf(PATH_SEPARATOR);
    if (cut < 0) return undefined;
    candidate = candidate.slice(0, cut);
  }
}

function drawnIds(layout: GraphLayout): Set<string> {
  return new Set([...layout.nodes.map((n) => n.id), ...layout.clusters.map((c) => c.id)]);
}

/** Marks for every drawn node and subgraph box, by id. */
export function markNodes(layout: GraphLayout, marks: RunMarks): Map<string, NodeMarks> {
  const drawn = drawnIds(layout);
  const result = new Map<string, NodeMarks>();
  for (const id of drawn) {
    result.set(id, {
      runs: 0,
      visited: false,
      active: false,
      interrupted: false,
      breakBefore: false,
      breakAfter: false,
    });
  }
  // Every drawn thing containing `path` (the node itself and the boxes around it).
  const holders = (path: string) => {
    const found: NodeMarks[] = [];
    for (let id = visibleFor(path, drawn); id !== undefined;) {
      found.push(result.get(id)!);
      const cut = id.lastIndexOf(PATH_SEPARATOR);
      id = cut < 0 ? undefined : visibleFor(id.slice(0, cut), drawn);
    }
    return found;
  };

  const visited = marks.visited ?? [];
  // A run starts at START even though the engine never reports it as a node.
  if (visited.length > 0) result.get(START_ID)!.visited = true;
  for (const path of visited) {
    for (const holder of holders(path)) holder.visited = true;
    const self = result.get(path);
    if (self) self.runs += 1;
  }
  for (const path of marks.active ?? []) for (const holder of holders(path)) holder.active = true;
  for (const path of marks.interrupted ?? [])
    for (const holder of holders(path)) holder.interrupted = true;

  const breakpointTargets = (list: string[]) => {
    if (!list.includes('*')) return list;
    const topLevel = layout.nodes
      .filter((n) => n.parent === undefined && (n.kind === 'node' || n.kind === 'subgraph'))
      .map((n) => n.id);
    const clusters = layout.clusters.filter((c) => c.parent === undefined).map((c) => c.id);
    return [...list.filter((p) => p !== '*'), ...topLevel, ...clusters];
  };
  for (const path of breakpointTargets(marks.breakpoints?.before ?? [])) {
    const self = result.get(path);
    if (self) self.breakBefore = true;
  }
  for (const path of breakpointTargets(marks.breakpoints?.after ?? [])) {
    const self = result.get(path);
    if (self) self.breakAfter = true;
  }
  return result;
}

/**
 * One entry of the path taken: a node path, or the node paths of one superstep (parallel
 * branches run in the same step).
 */
export type PathStep = string | readonly string[];

/** `visited` as a flat list of node paths, in the order they ran. */
export function flattenPath(visited: readonly PathStep[]): string[] {
  return visited.flatMap((entry) => (typeof entry === 'string' ? [entry] : [...entry]));
}

/**
 * Ids of the edges the run took, joining every node to the nodes of the step before it that
 * have an edge to it. Given supersteps, a fan-out marks an edge into each branch and a join
 * marks an edge out of each; given single paths, consecutive nodes are joined. A step into an
 * expanded subgraph goes through the subgraph's START, a step out of it through its END.
 */
export function takenEdges(layout: GraphLayout, visited: readonly PathStep[]): Set<string> {
  const taken = new Set<string>();
  if (visited.length === 0) return taken;
  const drawn = drawnIds(layout);
  const clusters = new Set(layout.clusters.map((c) => c.id));
  const byEnds = new Map<string, string[]>();
  for (const edge of layout.edges) {
    const key = `${edge.from}\u0000${edge.to}`;
    byEnds.set(key, [...(byEnds.get(key) ?? []), edge.id]);
  }
  const entryOf = (id: string): string => (clusters.has(id) ? entryOf(joinPath(id, START_ID)) : id);
  const exitOf = (id: string): string => (clusters.has(id) ? exitOf(joinPath(id, END_ID)) : id);
  const clusterAround = (id: string): string | undefined => {
    const cut = id.lastIndexOf(PATH_SEPARATOR);
    return cut < 0 ? undefined : id.slice(0, cut);
  };
  const mark = (from: string, to: string) => {
    const ids = byEnds.get(`${from}\u0000${to}`);
    for (const id of ids ?? []) taken.add(id);
    return ids !== undefined;
  };
  const connect = (u: string, v: string): void => {
    if (mark(exitOf(u), entryOf(v)) || u === v) return;
    const intoBox = clusterAround(v);
    if (intoBox !== undefined && !within(u, intoBox)) {
      mark(joinPath(intoBox, START_ID), entryOf(v));
      connect(u, intoBox);
      return;
    }
    const outOfBox = clusterAround(u);
    if (outOfBox !== undefined && (v === outOfBox || !within(v, outOfBox))) {
      mark(exitOf(u), joinPath(outOfBox, END_ID));
      connect(outOfBox, v);
    }
  };

  // Nodes inside a collapsed subgraph all stand for one step into it; a node that really ran
  // twice in a row (a self-loop) stays two steps.
  const steps: string[][] = [[START_ID]];
  let previousPaths: readonly string[] = [START_ID];
  for (const entry of visited) {
    const paths = typeof entry === 'string' ? [entry] : entry;
    const ids = [...new Set(paths.map((path) => visibleFor(path, drawn)))].filter(
      (id): id is string => id !== undefined,
    );
    if (ids.length === 0) continue;
    const last = steps[steps.length - 1];
    const same = ids.length === last.length && ids.every((id) => last.includes(id));
    const ranAgain = paths.some((path) => ids.includes(path) && previousPaths.includes(path));
    if (!same || ranAgain) steps.push(ids);
    previousPaths = paths;
  }
  for (let i = 1; i < steps.length; i++) {
    const before = steps[i - 1];
    for (const v of steps[i]) {
      // Every node of the previous step with an edge to v took it (a join has several).
      const direct = before.filter((u) => mark(exitOf(u), entryOf(v)));
      if (direct.length > 0) continue;
      // Otherwise the way runs through a subgraph's START or END.
      for (const u of before) connect(u, v);
    }
  }
  return taken;
}
