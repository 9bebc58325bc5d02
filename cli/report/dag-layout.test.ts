import { describe, expect, it } from 'vitest';
import type { DagLayout, DagStep } from './dag-layout';
import { layoutDag, NODE } from './dag-layout';
import { TWELVE_STEPS } from '../../e2e/fixtures/twelve-steps';

interface Box {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

function boxes(layout: DagLayout): Box[] {
  return layout.nodes.map((n) => ({ name: n.name, x: n.x, y: n.y, w: layout.nodeWidth, h: NODE.height }));
}

const inside = (b: Box, x: number, y: number) => x > b.x && x < b.x + b.w && y > b.y && y < b.y + b.h;

/** Points along an edge as the report draws it (cubic S-curves across gaps, straight lines through lanes). */
function sample(points: readonly { x: number; y: number }[]): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as { x: number; y: number };
    const b = points[i + 1] as { x: number; y: number };
    const mid = (a.y + b.y) / 2;
    for (let t = 0; t <= 1; t += 0.02) {
      const u = 1 - t;
      // x: a.x, a.x, b.x, b.x; y: a.y, mid, mid, b.y (a straight segment is the same curve with a.x = b.x).
      out.push({
        x: u * u * u * a.x + 3 * u * u * t * a.x + 3 * u * t * t * b.x + t * t * t * b.x,
        y: u * u * u * a.y + 3 * u * u * t * mid + 3 * u * t * t * mid + t * t * t * b.y,
      });
    }
  }
  return out;
}

type P = { x: number; y: number };

/** Whether segments ab and cd cross at a point inside both. */
function cross(a: P, b: P, c: P, d: P): boolean {
  const side = (p: P, q: P, r: P) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0;
}

function crossings(layout: DagLayout): string[] {
  const lines = layout.edges.map((e) => ({ name: `${e.from}->${e.to}`, pts: sample(e.points) }));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const [p, q] = [lines[i], lines[j]] as [{ name: string; pts: P[] }, { name: string; pts: P[] }];
      const hit = p.pts.some((a, k) => k > 0 && q.pts.some((c, m) => m > 0 && cross(p.pts[k - 1] as P, a, q.pts[m - 1] as P, c)));
      if (hit) out.push(`${p.name} x ${q.name}`);
    }
  }
  return out;
}

function checkReadable(steps: readonly DagStep[]): DagLayout {
  const layout = layoutDag(steps);
  const all = boxes(layout);
  const byName = new Map(all.map((b) => [b.name, b]));
  // Every box inside the drawing, none overlapping another.
  for (const b of all) {
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.w).toBeLessThanOrEqual(layout.width);
    expect(b.y + b.h).toBeLessThanOrEqual(layout.height);
    for (const o of all) {
      if (o === b) continue;
      const overlap = b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h;
      expect(overlap, `${b.name} overlaps ${o.name}`).toBe(false);
    }
  }
  for (const s of steps) {
    for (const need of s.needs) expect((byName.get(s.name) as Box).y, `${need} -> ${s.name} points down`).toBeGreaterThan((byName.get(need) as Box).y);
  }
  // Each edge: from the bottom of its need to the top of its step, never through a box.
  expect(layout.edges).toHaveLength(steps.reduce((n, s) => n + new Set(s.needs).size, 0));
  for (const e of layout.edges) {
    const from = byName.get(e.from) as Box;
    const to = byName.get(e.to) as Box;
    const first = e.points[0] as { x: number; y: number };
    const last = e.points[e.points.length - 1] as { x: number; y: number };
    expect(first.y).toBe(from.y + from.h);
    expect(first.x).toBeGreaterThan(from.x);
    expect(first.x).toBeLessThan(from.x + from.w);
    expect(last.y).toBe(to.y);
    expect(last.x).toBeGreaterThan(to.x);
    expect(last.x).toBeLessThan(to.x + to.w);
    for (const p of sample(e.points)) {
      const hit = all.find((b) => inside(b, p.x, p.y));
      expect(hit, `${e.from} -> ${e.to} passes through ${hit?.name} at ${Math.round(p.x)},${Math.round(p.y)}`).toBeUndefined();
    }
  }
  // Every edge inside the drawing (dagre's own bounds leave out lanes beside the boxes).
  for (const e of layout.edges) {
    for (const p of e.points) {
      expect(p.x, `${e.from} -> ${e.to}`).toBeGreaterThanOrEqual(0);
      expect(p.x, `${e.from} -> ${e.to}`).toBeLessThanOrEqual(layout.width);
    }
  }
  // A fan-in ends in distinct arrowheads.
  const ends = layout.edges.map((e) => e.points[e.points.length - 1] as { x: number; y: number });
  expect(new Set(ends.map((p) => `${p.x},${p.y}`)).size).toBe(ends.length);
  return layout;
}

describe('DAG layout', () => {
  it('puts each step one layer below its deepest need', () => {
    const layout = checkReadable([
      { name: 'load', needs: [] },
      { name: 'clean', needs: ['load'] },
      { name: 'summary', needs: ['clean'] },
      { name: 'upload', needs: ['clean'] },
      { name: 'report', needs: ['summary', 'load'] },
    ]);
    const y = (n: string) => layout.nodes.find((p) => p.name === n)?.y;
    expect([y('load'), y('clean'), y('summary'), y('report')]).toEqual([16, 126, 236, 346]);
    expect(y('upload')).toBe(y('summary'));
  });

  it('draws a chain as a column, as narrow as one box', () => {
    const chain = Array.from({ length: 8 }, (_, i) => ({ name: `step_${i}`, needs: i ? [`step_${i - 1}`] : [] }));
    const layout = checkReadable(chain);
    expect(layout.width).toBe(layout.nodeWidth + 2 * NODE.padding);
    expect(new Set(layout.nodes.map((n) => n.x)).size).toBe(1);
  });

  it('lays out 12 steps with fan-in, fan-out and edges that skip layers, within 1000 px, without crossings', () => {
    const layout = checkReadable(TWELVE_STEPS);
    expect(layout.width).toBeLessThanOrEqual(1000);
    expect(crossings(layout)).toEqual([]);
    // The fan-in of three sits between its needs.
    const x = (n: string) => (layout.nodes.find((p) => p.name === n)?.x ?? NaN) + layout.nodeWidth / 2;
    expect(x('merge')).toBeGreaterThan(Math.min(x('validate_a'), x('validate_c')));
    expect(x('merge')).toBeLessThan(Math.max(x('validate_a'), x('validate_c')));
  });

  it('counts a crossing where one cannot be avoided (the check above can fail)', () => {
    const complete = checkReadable([
      { name: 'a', needs: [] },
      { name: 'b', needs: [] },
      { name: 'c', needs: ['a', 'b'] },
      { name: 'd', needs: ['a', 'b'] },
    ]);
    expect(crossings(complete)).toHaveLength(1);
  });

  it('draws an edge that skips layers beside the boxes it passes, inside the drawing', () => {
    const layout = checkReadable([
      { name: 'load', needs: [] },
      { name: 'clean', needs: ['load'] },
      { name: 'summary', needs: ['clean'] },
      { name: 'report', needs: ['summary', 'load'] },
    ]);
    const skip = layout.edges.find((e) => e.from === 'load' && e.to === 'report');
    // Bottom of load, a straight pass through each of the two layers between, top of report.
    expect(skip?.points).toHaveLength(6);
  });

  it('lays out an empty pipeline as an empty drawing', () => {
    expect(layoutDag([])).toEqual({ nodes: [], edges: [], nodeWidth: NODE.minWidth, width: 2 * NODE.padding, height: 2 * NODE.padding });
  });

  it('widens boxes for long names, within limits, and survives a cycle', () => {
    expect(layoutDag([{ name: 'a_rather_long_step_name_here', needs: [] }]).nodeWidth).toBeGreaterThan(NODE.minWidth);
    expect(layoutDag([{ name: 'x'.repeat(200), needs: [] }]).nodeWidth).toBe(NODE.maxWidth);
    const cyclic = layoutDag([
      { name: 'a', needs: ['b'] },
      { name: 'b', needs: ['a'] },
    ]);
    expect(cyclic.nodes).toHaveLength(2);
  });
});
