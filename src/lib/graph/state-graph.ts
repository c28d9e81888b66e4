/**
 * Building a graph: nodes, edges and conditional edges over a declared state. Building
 * is separate from running: `compile()` validates the definition and hands a frozen copy
 * to the executor in `pregel.ts`.
 */
import { AnnotationRoot, type StateOf, type StateSpec, type UpdateOf } from './annotation.js';
import { END, NS_END, NS_SEP, RESERVED_NAMES, START } from './constants.js';
import { GraphValidationError } from './errors.js';
import { CompiledStateGraph } from './pregel.js';
import type { CompileOptions, NodeFunction, NodeOptions, Router } from './types.js';

export interface NodeSpec {
  name: string;
  /** A function, or a compiled graph used as a node (a superstate). */
  run: NodeFunction<unknown, unknown> | CompiledStateGraph<StateSpec>;
  options: NodeOptions;
}

export interface BranchSpec {
  source: string;
  router: Router<unknown>;
  /** router result -> node name. Undefined: the router returns node names itself. */
  pathMap?: Record<string, string>;
}

export interface GraphDefinition {
  spec: StateSpec;
  nodes: Map<string, NodeSpec>;
  /** Fixed edges [source, target]. */
  edges: Array<[string, string]>;
  /** Edges that wait for every source before the target runs. */
  waitingEdges: Array<[string[], string]>;
  branches: BranchSpec[];
}

function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new GraphValidationError(`${kind} names must be non-empty strings.`);
  }
  if (RESERVED_NAMES.has(name) || name.startsWith('__')) {
    throw new GraphValidationError(
      `'${name}' is reserved by the engine and cannot be used as a ${kind.toLowerCase()} name.`,
    );
  }
  if (name.includes(NS_SEP) || name.includes(NS_END)) {
    throw new GraphValidationError(
      `${kind} name '${name}' contains '${NS_SEP}' or '${NS_END}', which the engine uses in checkpoint namespaces.`,
    );
  }
}

export class StateGraph<S extends StateSpec> {
  private readonly def: GraphDefinition;

  constructor(state: AnnotationRoot<S> | S) {
    const spec = state instanceof AnnotationRoot ? state.spec : state;
    for (const key of Object.keys(spec)) checkName('State key', key);
    this.def = { spec, nodes: new Map(), edges: [], waitingEdges: [], branches: [] };
  }

  /** Add a node: a function `(state, runtime) => update | Command | void`, or a compiled graph. */
  addNode(
    name: string,
    run: NodeFunction<StateOf<S>, UpdateOf<S>> | CompiledStateGraph<StateSpec>,
    options: NodeOptions = {},
  ): this {
    checkName('Node', name);
    if (this.def.nodes.has(name)) {
      throw new GraphValidationError(
        `Node '${name}' is already defined; node names must be unique.`,
      );
    }
    if (name in this.def.spec) {
      throw new GraphValidationError(
        `Node '${name}' has the same name as a state key; rename one of them so updates and routes stay unambiguous.`,
      );
    }
    if (typeof run !== 'function' && !(run instanceof CompiledStateGraph)) {
      throw new GraphValidationError(`Node '${name}' must be a function or a compiled graph.`);
    }
    this.def.nodes.set(name, {
      name,
      run: run as NodeSpec['run'],
      options,
    });
    return this;
  }

  /** A fixed edge. With several sources, `target` waits until all of them have run. */
  addEdge(source: string | string[], target: string): this {
    if (Array.isArray(source)) {
      if (source.length === 0) throw new GraphValidationError('addEdge needs at least one source.');
      if (source.length === 1) return this.addEdge(source[0], target);
      if (source.includes(START)) {
        throw new GraphValidationError('START cannot be one of several sources of a waiting edge.');
      }
      this.def.waitingEdges.push([[...source], target]);
      return this;
    }
    if (source === END) throw new GraphValidationError('END cannot be the source of an edge.');
    if (target === START) throw new GraphValidationError('START cannot be the target of an edge.');
    this.def.edges.push([source, target]);
    return this;
  }

  /**
   * Route after `source` by calling `router` on the state (including `source`'s own
   * writes). It returns a node name, `END`, a `Send`, or a list of them; `pathMap` (an
   * object or a list of names) maps its results to nodes and tells the drawing and the
   * validator where the edge can go.
   */
  addConditionalEdges(
    source: string,
    router: Router<StateOf<S>>,
    pathMap?: Record<string, string> | string[],
  ): this {
    if (source === END) throw new GraphValidationError('END cannot be the source of an edge.');
    const map = Array.isArray(pathMap)
      ? Object.fromEntries(pathMap.map((name) => [name, name]))
      : pathMap
        ? { ...pathMap }
        : undefined;
    this.def.branches.push({ source, router: router as Router<unknown>, pathMap: map });
    return this;
  }

  setEntryPoint(node: string): this {
    return this.addEdge(START, node);
  }

  setFinishPoint(node: string): this {
    return this.addEdge(node, END);
  }

  /** Validate and freeze the graph. Throws `GraphValidationError` saying which node and why. */
  compile(options: CompileOptions = {}): CompiledStateGraph<S> {
    validate(this.def, options);
    const frozen: GraphDefinition = {
      spec: this.def.spec,
      nodes: new Map(this.def.nodes),
      edges: this.def.edges.map(([a, b]) => [a, b]),
      waitingEdges: this.def.waitingEdges.map(([a, b]) => [[...a], b]),
      branches: this.def.branches.map((b) => ({ ...b })),
    };
    return new CompiledStateGraph<S>(frozen, options);
  }
}

/** Every node a branch may lead to, or undefined when the router's targets are unknown. */
export function branchTargets(branch: BranchSpec): string[] | undefined {
  return branch.pathMap ? [...new Set(Object.values(branch.pathMap))] : undefined;
}

function validate(def: GraphDefinition, options: CompileOptions): void {
  const known = (name: string) => name === START || name === END || def.nodes.has(name);
  const where = (src: string, dst: string) => `edge '${src}' -> '${dst}'`;

  for (const [src, dst] of def.edges) {
    if (!known(src))
      throw new GraphValidationError(`Unknown node '${src}' as source of ${where(src, dst)}.`);
    if (!known(dst))
      throw new GraphValidationError(`Unknown node '${dst}' as target of ${where(src, dst)}.`);
  }
  for (const [sources, dst] of def.waitingEdges) {
    for (const src of sources) {
      if (!def.nodes.has(src)) {
        throw new GraphValidationError(
          `Unknown node '${src}' as a source of the waiting edge into '${dst}'.`,
        );
      }
    }
    if (!def.nodes.has(dst) && dst !== END) {
      throw new GraphValidationError(
        `Unknown node '${dst}' as target of the waiting edge from [${sources.join(', ')}].`,
      );
    }
  }
  for (const branch of def.branches) {
    if (!known(branch.source)) {
      throw new GraphValidationError(
        `Unknown node '${branch.source}' as source of a conditional edge.`,
      );
    }
    for (const [key, target] of Object.entries(branch.pathMap ?? {})) {
      if (!known(target) || target === START) {
        throw new GraphValidationError(
          `Conditional edge from '${branch.source}' maps '${key}' to unknown node '${target}'.`,
        );
      }
    }
  }
  for (const node of def.nodes.values()) {
    for (const target of node.options.ends ?? []) {
      if (!known(target) || target === START) {
        throw new GraphValidationError(
          `Node '${node.name}' lists unknown node '${target}' in its \`ends\`.`,
        );
      }
    }
  }
  for (const [label, list] of [
    ['interruptBefore', options.interruptBefore],
    ['interruptAfter', options.interruptAfter],
  ] as const) {
    if (list === undefined || list === '*') continue;
    for (const name of list) {
      if (!def.nodes.has(name)) {
        throw new GraphValidationError(`${label} names unknown node '${name}'.`);
      }
    }
  }

  // Successors of each node; `undefined` in the set means "could be any node".
  const successors = new Map<string, Set<string>>();
  const anyTarget = new Set<string>();
  const add = (src: string, dst: string) => {
    let set = successors.get(src);
    if (!set) successors.set(src, (set = new Set()));
    set.add(dst);
  };
  for (const [src, dst] of def.edges) add(src, dst);
  for (const [sources, dst] of def.waitingEdges) for (const src of sources) add(src, dst);
  for (const branch of def.branches) {
    const targets = branchTargets(branch);
    if (targets) for (const t of targets) add(branch.source, t);
    else anyTarget.add(branch.source);
  }
  for (const node of def.nodes.values()) for (const t of node.options.ends ?? []) add(node.name, t);

  const startOut = successors.get(START);
  if (!startOut?.size && !anyTarget.has(START)) {
    throw new GraphValidationError(
      'The graph has no entry point: add an edge from START (for example `.addEdge(START, "first")`).',
    );
  }

  // Reachability from START.
  const reached = new Set<string>([START]);
  const queue = [START];
  while (queue.length) {
    const current = queue.pop() as string;
    const next = anyTarget.has(current)
      ? [...def.nodes.keys(), END]
      : [...(successors.get(current) ?? [])];
    for (const n of next) {
      if (!reached.has(n)) {
        reached.add(n);
        queue.push(n);
      }
    }
  }
  for (const name of def.nodes.keys()) {
    if (!reached.has(name)) {
      throw new GraphValidationError(
        `Node '${name}' is unreachable from START: no edge, conditional edge path map or \`ends\` list leads to it.`,
      );
    }
  }
  for (const name of def.nodes.keys()) {
    if (!successors.get(name)?.size && !anyTarget.has(name)) {
      throw new GraphValidationError(
        `Node '${name}' has no way out: add an edge from it (to END if it finishes the run), ` +
          'a conditional edge, or declare its Command targets with `{ ends: [...] }`.',
      );
    }
  }
}
