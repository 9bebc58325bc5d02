/**
 * Places the steps of a pipeline for drawing, top to bottom, in the layered
 * way of Sugiyama et al. (as Graphviz's dot does), small enough to read:
 *
 * 1. Layers: a step sits one layer below its deepest need, so every edge
 *    points down. A chain of ten steps is ten rows, which a page scrolls,
 *    rather than one row as wide as ten boxes.
 * 2. An edge that skips layers passes through each skipped layer in a lane
 *    of its own (a "dummy" node), so it never runs under a box.
 * 3. Order within a layer: barycenter sweeps (each node moves towards the
 *    mean position of its neighbours in the layer above, then below),
 *    keeping the order with the fewest edge crossings.
 * 4. Horizontal positions: each node moves towards the mean of its
 *    neighbours' positions while keeping its order and its distance from the
 *    next, so a fan-in sits under the middle of its needs.
 *
 * Edges leave a box along its bottom and enter along its top at spread-out
 * points (ordered by where the other end is), so a fan-in of five arrows
 * ends in five distinct arrowheads. Between layers an edge stays in the gap
 * between them, so no edge crosses a box. Pure geometry: no drawing, no
 * statuses.
 */

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

/** A box (a step) or a lane for an edge passing through a layer. */
interface Item {
  readonly id: string;
  readonly width: number;
  /** Items of the layer above / below connected to this one. */
  readonly up: Item[];
  readonly down: Item[];
  x: number;
}

function layersOf(steps: readonly DagStep[]): Map<string, number> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const layer = new Map<string, number>();
  const visit = (name: string, visiting: Set<string>): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    // A cycle is reported by the model; drawing must still terminate.
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const ups = (byName.get(name)?.needs ?? []).filter((n) => byName.has(n) && n !== name);
    const l = ups.length ? 1 + Math.max(...ups.map((u) => visit(u, visiting))) : 0;
    visiting.delete(name);
    layer.set(name, l);
    return l;
  };
  for (const s of steps) visit(s.name, new Set());
  return layer;
}

function link(a: Item, b: Item): void {
  a.down.push(b);
  b.up.push(a);
}

/** Edge crossings between two adjacent layers. */
function crossings(upper: readonly Item[], lower: readonly Item[]): number {
  const pos = new Map(lower.map((item, i) => [item, i]));
  const ends: [number, number][] = [];
  upper.forEach((item, i) => item.down.forEach((d) => ends.push([i, pos.get(d) ?? 0])));
  let count = 0;
  for (let i = 0; i < ends.length; i++) {
    for (let j = i + 1; j < ends.length; j++) {
      const [a1, b1] = ends[i] as [number, number];
      const [a2, b2] = ends[j] as [number, number];
      if ((a1 - a2) * (b1 - b2) < 0) count++;
    }
  }
  return count;
}

function totalCrossings(layers: readonly Item[][]): number {
  let sum = 0;
  for (let i = 0; i + 1 < layers.length; i++) sum += crossings(layers[i] as Item[], layers[i + 1] as Item[]);
  return sum;
}

/** Reorders one layer by the mean index of each item's neighbours in the adjacent layer. */
function sortByBarycenter(layer: Item[], neighbours: (item: Item) => readonly Item[], index: ReadonlyMap<Item, number>): void {
  const key = new Map(
    layer.map((item, i) => {
      const ns = neighbours(item);
      return [item, ns.length ? ns.reduce((sum, n) => sum + (index.get(n) ?? 0), 0) / ns.length : i];
    }),
  );
  layer.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0));
}

function orderLayers(layers: Item[][]): Item[][] {
  let best = layers.map((l) => [...l]);
  let bestCrossings = totalCrossings(best);
  const current = layers.map((l) => [...l]);
  for (let sweep = 0; sweep < 8 && bestCrossings > 0; sweep++) {
    const down = sweep % 2 === 0;
    const range = down
      ? current.map((_, i) => i).slice(1)
      : current
          .map((_, i) => i)
          .reverse()
          .slice(1);
    for (const i of range) {
      const adjacent = current[down ? i - 1 : i + 1] as Item[];
      const index = new Map(adjacent.map((item, j) => [item, j]));
      sortByBarycenter(current[i] as Item[], (item) => (down ? item.up : item.down), index);
    }
    const c = totalCrossings(current);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = current.map((l) => [...l]);
    }
  }
  return best;
}

/** Centres of a layer's items: as close to `desired` as their order and spacing allow. */
function place(layer: readonly Item[], desired: readonly number[]): number[] {
  const n = layer.length;
  const sep = (i: number) => ((layer[i] as Item).width + (layer[i + 1] as Item).width) / 2 + NODE.gap;
  // Pushed right from the left, and left from the right; the mean of two placements that keep every distance keeps them too.
  const right = [...desired];
  for (let i = 1; i < n; i++) right[i] = Math.max(right[i] as number, (right[i - 1] as number) + sep(i - 1));
  const left = [...desired];
  for (let i = n - 2; i >= 0; i--) left[i] = Math.min(left[i] as number, (left[i + 1] as number) - sep(i));
  return right.map((r, i) => (r + (left[i] as number)) / 2);
}

function assignX(layers: readonly Item[][]): void {
  for (const layer of layers) {
    let x = 0;
    for (const item of layer) {
      item.x = x + item.width / 2;
      x += item.width + NODE.gap;
    }
  }
  const mean = (items: readonly Item[]) => items.reduce((s, i) => s + i.x, 0) / items.length;
  for (let pass = 0; pass < 8; pass++) {
    const down = pass % 2 === 0;
    const order = down ? layers : [...layers].reverse();
    for (const layer of order) {
      const desired = layer.map((item) => {
        const ns = down ? item.up : item.down;
        return ns.length ? mean(ns) : item.x;
      });
      place(layer, desired).forEach((x, i) => ((layer[i] as Item).x = x));
    }
  }
}

/** Points along the bottom (or top) of a box, one per edge, ordered by where each edge goes. */
function ports(box: Item, others: readonly Item[], width: number): Map<Item, number> {
  const sorted = [...others].sort((a, b) => a.x - b.x);
  const step = width / (sorted.length + 1);
  return new Map(sorted.map((o, i) => [o, box.x - width / 2 + step * (i + 1)]));
}

interface Chain {
  readonly from: string;
  readonly to: string;
  readonly chain: Item[];
}

/** Each edge as a chain of items, with a lane in each layer it skips (added to `layers`). */
function edgeChains(steps: readonly DagStep[], items: ReadonlyMap<string, Item>, layerOf: ReadonlyMap<string, number>, layers: Item[][]): Chain[] {
  const chains: Chain[] = [];
  for (const s of steps) {
    for (const need of [...new Set(s.needs)]) {
      const a = items.get(need);
      const b = items.get(s.name);
      if (!a || !b || need === s.name) continue;
      const [la, lb] = [layerOf.get(need) ?? 0, layerOf.get(s.name) ?? 0];
      if (lb <= la) continue; // only within a cycle, which the model reports
      const chain = [a];
      for (let l = la + 1; l < lb; l++) {
        const lane: Item = { id: `${need}->${s.name}#${l}`, width: NODE.lane, up: [], down: [], x: 0 };
        (layers[l] as Item[]).push(lane);
        chain.push(lane);
      }
      chain.push(b);
      for (let i = 0; i + 1 < chain.length; i++) link(chain[i] as Item, chain[i + 1] as Item);
      chains.push({ from: need, to: s.name, chain });
    }
  }
  return chains;
}

export function layoutDag(steps: readonly DagStep[]): DagLayout {
  const nodeWidth = nodeWidthFor(steps);
  const layerOf = layersOf(steps);
  const depth = Math.max(0, ...layerOf.values()) + 1;
  const layers: Item[][] = Array.from({ length: depth }, () => []);
  const items = new Map<string, Item>();
  for (const s of steps) {
    const item: Item = { id: s.name, width: nodeWidth, up: [], down: [], x: 0 };
    items.set(s.name, item);
    (layers[layerOf.get(s.name) ?? 0] as Item[]).push(item);
  }
  const chains = edgeChains(steps, items, layerOf, layers);

  const ordered = orderLayers(layers);
  assignX(ordered);
  const left = Math.min(...ordered.flat().map((i) => i.x - i.width / 2));
  const shift = NODE.padding - left;
  for (const item of ordered.flat()) item.x += shift;
  const right = Math.max(...ordered.flat().map((i) => i.x + i.width / 2));
  const top = (layer: number) => NODE.padding + layer * (NODE.height + NODE.layerGap);

  const rowOf = new Map<Item, number>();
  ordered.forEach((layer, l) => layer.forEach((item) => rowOf.set(item, l)));
  const exits = new Map<Item, Map<Item, number>>();
  const entries = new Map<Item, Map<Item, number>>();
  for (const item of ordered.flat()) {
    if (item.width !== nodeWidth) continue;
    exits.set(item, ports(item, item.down, nodeWidth));
    entries.set(item, ports(item, item.up, nodeWidth));
  }

  const edges: RoutedEdge[] = chains.map(({ from, to, chain }) => {
    const first = chain[0] as Item;
    const last = chain[chain.length - 1] as Item;
    const points: Point[] = [{ x: exits.get(first)?.get(chain[1] as Item) ?? first.x, y: top(rowOf.get(first) ?? 0) + NODE.height }];
    for (const lane of chain.slice(1, -1)) {
      const y = top(rowOf.get(lane) ?? 0);
      points.push({ x: lane.x, y }, { x: lane.x, y: y + NODE.height });
    }
    points.push({ x: entries.get(last)?.get(chain[chain.length - 2] as Item) ?? last.x, y: top(rowOf.get(last) ?? 0) });
    return { from, to, points };
  });

  return {
    nodes: steps.map((s) => {
      const item = items.get(s.name) as Item;
      return { name: s.name, x: item.x - nodeWidth / 2, y: top(rowOf.get(item) ?? 0) };
    }),
    edges,
    nodeWidth,
    width: Math.ceil(right + NODE.padding),
    height: NODE.padding * 2 + depth * NODE.height + (depth - 1) * NODE.layerGap,
  };
}
