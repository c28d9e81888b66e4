/**
 * A drawable description of a graph (for the D3 view and for export): nodes, fixed and
 * conditional edges with their labels, subgraphs expandable with `xray`.
 */
import { END, START } from './constants.js';
import type { GraphDefinition } from './state-graph.js';

export interface DrawableNode {
  id: string;
  name: string;
  type: 'start' | 'end' | 'node' | 'subgraph';
  metadata?: Record<string, unknown>;
  /** The subgraph's own drawing, when expanded with `xray`. */
  subgraph?: DrawableGraph;
}

export interface DrawableEdge {
  source: string;
  target: string;
  /** A conditional edge (router or Command), drawn dashed. */
  conditional: boolean;
  /** The router result that leads along this edge, when it differs from the target's name. */
  label?: string;
  /** Part of a waiting edge: the target runs once all its sources have run. */
  waiting?: boolean;
}

export interface DrawableGraph {
  nodes: DrawableNode[];
  edges: DrawableEdge[];
}

interface HasDefinition {
  definition: GraphDefinition;
}

function isCompiled(run: unknown): run is HasDefinition {
  return typeof run === 'object' && run !== null && 'definition' in run && 'lg_name' in run;
}

export function drawGraph(def: GraphDefinition, xray: boolean | number): DrawableGraph {
  const depth = xray === true ? Infinity : xray === false ? 0 : xray;
  const nodes: DrawableNode[] = [{ id: START, name: START, type: 'start' }];
  for (const node of def.nodes.values()) {
    const drawn: DrawableNode = {
      id: node.name,
      name: node.name,
      type: isCompiled(node.run) ? 'subgraph' : 'node',
    };
    if (node.options.metadata) drawn.metadata = node.options.metadata;
    if (isCompiled(node.run) && depth > 0)
      drawn.subgraph = drawGraph(node.run.definition, depth - 1);
    nodes.push(drawn);
  }
  nodes.push({ id: END, name: END, type: 'end' });

  const edges: DrawableEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: DrawableEdge) => {
    const key = `${edge.source}\u0000${edge.target}\u0000${edge.conditional}\u0000${edge.label ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push(edge);
  };
  for (const [source, target] of def.edges) add({ source, target, conditional: false });
  for (const [sources, target] of def.waitingEdges) {
    for (const source of sources) add({ source, target, conditional: false, waiting: true });
  }
  for (const branch of def.branches) {
    if (branch.pathMap) {
      for (const [key, target] of Object.entries(branch.pathMap)) {
        add({
          source: branch.source,
          target,
          conditional: true,
          label: key === target ? undefined : key,
        });
      }
    } else {
      // Unknown targets: LangGraph draws an edge to every node; so do we.
      for (const target of [...def.nodes.keys(), END]) {
        if (target !== branch.source) add({ source: branch.source, target, conditional: true });
      }
    }
  }
  for (const node of def.nodes.values()) {
    for (const target of node.options.ends ?? [])
      add({ source: node.name, target, conditional: true });
  }
  return { nodes, edges };
}

function mermaidId(id: string, prefix: string): string {
  return prefix + id.replace(/[^A-Za-z0-9_]/g, '_');
}

function mermaidLabel(text: string): string {
  return text.replace(/"/g, '#quot;');
}

function mermaidBody(graph: DrawableGraph, prefix: string, indent: string, lines: string[]): void {
  for (const node of graph.nodes) {
    const id = mermaidId(node.id, prefix);
    if (node.type === 'start') lines.push(`${indent}${id}([<p>__start__</p>]):::first`);
    else if (node.type === 'end') lines.push(`${indent}${id}([<p>__end__</p>]):::last`);
    else if (node.subgraph) {
      lines.push(`${indent}subgraph ${id}["${mermaidLabel(node.name)}"]`);
      mermaidBody(node.subgraph, `${id}__`, indent + '  ', lines);
      lines.push(`${indent}end`);
    } else lines.push(`${indent}${id}["${mermaidLabel(node.name)}"]`);
  }
  for (const edge of graph.edges) {
    const from = mermaidId(edge.source, prefix);
    const to = mermaidId(edge.target, prefix);
    const arrow = edge.conditional ? '-.->' : '-->';
    const label = edge.label ? `|${mermaidLabel(edge.label)}|` : '';
    lines.push(`${indent}${from} ${arrow}${label} ${to};`);
  }
}

export function toMermaid(graph: DrawableGraph): string {
  const lines = ['flowchart TD'];
  mermaidBody(graph, '', '  ', lines);
  lines.push('  classDef first fill-opacity:0');
  lines.push('  classDef last fill:#bfb6fc');
  return lines.join('\n') + '\n';
}
