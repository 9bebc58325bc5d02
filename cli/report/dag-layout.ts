/**
 * Places the steps of a pipeline in columns for drawing: a step's column is
 * the length of the longest chain of needs above it, so every edge points
 * right. Within a column, steps keep the order they are given in. Pure
 * geometry: no drawing, no statuses.
 */

export interface DagStep {
  readonly name: string;
  /** Upstream step names (within the same pipeline). */
  readonly needs: readonly string[];
}

interface PlacedStep {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

interface DagLayout {
  readonly nodes: readonly PlacedStep[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly width: number;
  readonly height: number;
}

export const NODE = { width: 190, height: 54, columnGap: 64, rowGap: 16, padding: 16 } as const;

export function layoutDag(steps: readonly DagStep[]): DagLayout {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const column = new Map<string, number>();
  const columnOf = (name: string, visiting: Set<string>): number => {
    const known = column.get(name);
    if (known !== undefined) return known;
    // A cycle is reported by the model; drawing must still terminate.
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const ups = (byName.get(name)?.needs ?? []).filter((n) => byName.has(n));
    const c = ups.length ? 1 + Math.max(...ups.map((u) => columnOf(u, visiting))) : 0;
    visiting.delete(name);
    column.set(name, c);
    return c;
  };
  const rows = new Map<number, number>();
  const nodes = steps.map((s) => {
    const c = columnOf(s.name, new Set());
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    return { name: s.name, x: NODE.padding + c * (NODE.width + NODE.columnGap), y: NODE.padding + r * (NODE.height + NODE.rowGap) };
  });
  const columns = Math.max(1, ...[...rows.keys()].map((c) => c + 1));
  const maxRows = Math.max(1, ...rows.values());
  const edges = steps.flatMap((s) => [...new Set(s.needs)].filter((n) => byName.has(n)).map((from) => ({ from, to: s.name })));
  return {
    nodes,
    edges,
    width: 2 * NODE.padding + columns * NODE.width + (columns - 1) * NODE.columnGap,
    height: 2 * NODE.padding + maxRows * NODE.height + (maxRows - 1) * NODE.rowGap,
  };
}
