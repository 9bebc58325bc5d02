/**
 * Places the steps of a pipeline for drawing, top to bottom, with dagre
 * (@dagrejs/dagre: the layered layout of Graphviz's dot, Sugiyama et al.):
 * ranks by network simplex, so every edge points down and is as short as
 * it can be; orders each layer to avoid crossings; an edge that skips
 * layers passes each one in a lane of its own (a dummy node), so it never
 * runs under a box. A chain of ten steps is ten rows, which a page scrolls.
 * It runs when the report is written: the page stays one file, no script.
 *
 * What is ours is how an edge meets its boxes: dagre aims every edge at the
 * centre of a box, so a fan-in of five arrows would end in one arrowhead.
 * Edges leave a box along its bottom and enter along its top at spread-out
 * points, ordered by where the other end is; between layers an edge stays
 * in the gap between them, so no edge crosses a box. Pure geometry: no
 * drawing, no statuses.
 */
import type * as Dagre from '@dagrejs/dagre' with { 'resolution-mode': 'import' };

// The package is an ES module with a CommonJS build (dist/dagre.cjs) under its "require" condition, but one set of
// types, which TypeScript reads as ES module types only: the types are imported as such, the code is required.
const dagre = require('@dagrejs/dagre') as typeof Dagre;

export interface DagStep {
  readonly name: string;
  /** Upstream step names (within the same pipeline). */
  readonly needs: readonly string[];
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

interface PlacedStep {
  readonly name: string;
  /** Top-left corner of the step's box. */
  readonly x: number;
  readonly y: number;
}

export interface RoutedEdge {
  readonly from: string;
  readonly to: string;
  /**
   * From the bottom of `from` to the top of `to`. Consecutive points at the
   * same x inside a layer are a straight pass through a lane; any other pair
   * spans the gap between two layers.
   */
  readonly points: readonly Point[];
}

export interface DagLayout {
  readonly nodes: readonly PlacedStep[];
  readonly edges: readonly RoutedEdge[];
  readonly nodeWidth: number;
  readonly width: number;
  readonly height: number;
}

export const NODE = { minWidth: 190, maxWidth: 280, height: 50, layerGap: 60, gap: 24, lane: 12, padding: 16 } as const;

/** Roughly what a name of that many characters needs at the report's 13px bold. */
export function nodeWidthFor(steps: readonly DagStep[]): number {
  const longest = Math.max(0, ...steps.map((s) => s.name.length));
  return Math.max(NODE.minWidth, Math.min(NODE.maxWidth, Math.ceil(longest * 7.6 + 24)));
}

interface Laid {
  readonly centres: ReadonlyMap<string, Point>;
  /** Each drawn edge with dagre's waypoints between its two boxes. */
  readonly edges: readonly { readonly from: string; readonly to: string; readonly via: readonly Point[] }[];
}

function runDagre(steps: readonly DagStep[], nodeWidth: number): Laid {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: NODE.gap, ranksep: NODE.layerGap, edgesep: NODE.lane });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(steps.map((s) => s.name));
  for (const name of names) g.setNode(name, { width: nodeWidth, height: NODE.height });
  for (const s of steps) for (const need of s.needs) if (names.has(need) && need !== s.name) g.setEdge(need, s.name);
  dagre.layout(g);
  const centres = new Map([...names].map((n) => [n, { x: g.node(n).x ?? 0, y: g.node(n).y ?? 0 }]));
  const edges = g.edges().flatMap((e: Dagre.Edge) => {
    const [from, to] = [centres.get(e.v) as Point, centres.get(e.w) as Point];
    // An edge that points up exists only within a cycle, which the model reports.
    if (to.y <= from.y) return [];
    return [{ from: e.v, to: e.w, via: (g.edge(e).points ?? []).slice(1, -1) }];
  });
  return { centres, edges };
}

/** Points along the bottom (or top) of a box at `x`, one per edge, ordered by where each edge heads. */
function ports(x: number, width: number, heading: readonly { readonly key: number; readonly towards: number }[]): Map<number, number> {
  const sorted = [...heading].sort((a, b) => a.towards - b.towards || a.key - b.key);
  const step = width / (sorted.length + 1);
  return new Map(sorted.map((h, i) => [h.key, x - width / 2 + step * (i + 1)]));
}

/** The edges as drawn: ports on the boxes, and a straight pass through each layer an edge skips (dagre's dummy there). */
function route(laid: Laid, nodeWidth: number): RoutedEdge[] {
  const half = NODE.height / 2;
  const layerCentres = new Set([...laid.centres.values()].map((c) => c.y));
  const exits = new Map<string, { key: number; towards: number }[]>();
  const entries = new Map<string, { key: number; towards: number }[]>();
  laid.edges.forEach((e, key) => {
    const [from, to] = [laid.centres.get(e.from) as Point, laid.centres.get(e.to) as Point];
    exits.set(e.from, [...(exits.get(e.from) ?? []), { key, towards: e.via[0]?.x ?? to.x }]);
    entries.set(e.to, [...(entries.get(e.to) ?? []), { key, towards: e.via[e.via.length - 1]?.x ?? from.x }]);
  });
  const exitAt = new Map([...exits].flatMap(([name, hs]) => [...ports((laid.centres.get(name) as Point).x, nodeWidth, hs)]));
  const entryAt = new Map([...entries].flatMap(([name, hs]) => [...ports((laid.centres.get(name) as Point).x, nodeWidth, hs)]));
  return laid.edges.map((e, key) => {
    const [from, to] = [laid.centres.get(e.from) as Point, laid.centres.get(e.to) as Point];
    // dagre also puts a dummy in the middle of each gap; only those inside a layer are lanes.
    const lanes = e.via
      .filter((p) => layerCentres.has(p.y))
      .flatMap((p) => [
        { x: p.x, y: p.y - half },
        { x: p.x, y: p.y + half },
      ]);
    return { from: e.from, to: e.to, points: [{ x: exitAt.get(key) ?? from.x, y: from.y + half }, ...lanes, { x: entryAt.get(key) ?? to.x, y: to.y - half }] };
  });
}

export function layoutDag(steps: readonly DagStep[]): DagLayout {
  const nodeWidth = nodeWidthFor(steps);
  const laid = runDagre(steps, nodeWidth);
  const routed = route(laid, nodeWidth);
  // dagre's own bounds leave out lanes it puts beside the boxes: shift and size from everything drawn.
  const xs = [...[...laid.centres.values()].flatMap((c) => [c.x - nodeWidth / 2, c.x + nodeWidth / 2]), ...routed.flatMap((e) => e.points.map((p) => p.x))];
  const ys = [...laid.centres.values()].flatMap((c) => [c.y - NODE.height / 2, c.y + NODE.height / 2]);
  const [left, top] = [Math.min(0, ...xs), Math.min(0, ...ys)];
  const shift = (p: Point): Point => ({ x: p.x - left + NODE.padding, y: p.y - top + NODE.padding });
  return {
    nodes: steps.map((s) => {
      const c = shift(laid.centres.get(s.name) as Point);
      return { name: s.name, x: c.x - nodeWidth / 2, y: c.y - NODE.height / 2 };
    }),
    edges: routed.map((e) => ({ ...e, points: e.points.map(shift) })),
    nodeWidth,
    width: Math.ceil(Math.max(0, ...xs) - left + 2 * NODE.padding),
    height: Math.ceil(Math.max(0, ...ys) - top + 2 * NODE.padding),
  };
}
