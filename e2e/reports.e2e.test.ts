/**
 * Issue 17 (items 7 and 9): `nx-steps report` and `nx-steps --version` as a
 * user types them, with the exact text they see; the HTML report's DAG of a
 * 12-step pipeline with fan-in and fan-out, checked in Chromium.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TWELVE_STEPS } from './fixtures/twelve-steps';
import type { Workspace } from './rig';
import { workspacesPerTest } from './rig';
import { CHROMIUM_ARGS, requireChromium } from './rig/chromium';
import { REPO_ROOT } from './rig/template';
import { ETL_FILES } from './fixtures/etl';

const open = workspacesPerTest();
const workspace = (name: string, files: Record<string, string>): Workspace => open.create(name, files);

describe('nx-steps --version', () => {
  it('prints the installed version', () => {
    const ws = workspace('version', {});
    const version = (JSON.parse(ws.read('node_modules/nx-steps/package.json')) as { version: string }).version;
    const r = ws.sh('npx nx-steps --version');
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('nx-steps report, as typed', () => {
  it('says "no such project" for a name that is neither recorded nor in the workspace, and exits 1', () => {
    const ws = workspace('report-nope', ETL_FILES);
    expect(ws.sh('npx nx-steps report nope')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'nx-steps report: no such project "nope". Pipeline projects: etl.\n',
    });
    // A project that exists but has not run yet is an empty report, not an error.
    const empty = ws.sh('npx nx-steps report etl');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(
      'No runs recorded yet for etl (records live in .nx-steps/runs).\nRun a step, e.g. nx run <project>:<step>: nx-steps/plugin records every Nx command that runs steps.\n',
    );
  });

  it('--last gives the wall time of the command, and the part of it that ran tasks', () => {
    const ws = workspace('report-wall-time', ETL_FILES);
    const started = Date.now();
    ws.runSteps('etl:report');
    const wallMs = Date.now() - started;

    const json = JSON.parse(ws.sh('npx nx-steps report --last --json').stdout) as { lastRun: { durationMs: number; commandMs: number } };
    const { durationMs, commandMs } = json.lastRun;
    // The command (project graph, hooks, tasks) took longer than its tasks, and no longer than the process this test timed.
    expect(commandMs).toBeGreaterThan(durationMs);
    expect(commandMs).toBeLessThanOrEqual(wallMs);
    expect(commandMs).toBeGreaterThan(wallMs / 2);

    const text = ws.sh('npx nx-steps report --last').stdout;
    const first = text.split('\n')[0] ?? '';
    const t = String.raw`(\d+ms|\d+\.\d\d?s|\d+m \d+s)`;
    expect(first).toMatch(new RegExp(String.raw`^Last run: nx run etl:report, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: ${t} wall time, ${t} of it running tasks$`));
  });

  it('--json piped into a reader that stops early ends quietly (no EPIPE crash)', () => {
    const ws = workspace('report-epipe', ETL_FILES);
    ws.runSteps('etl:report');
    // `true` exits at once: the report's first write meets a closed pipe.
    expect(ws.sh('npx nx-steps report --json | true')).toMatchObject({ code: 0, stderr: '' });
    const head = ws.sh('npx nx-steps report --json | head -n 1');
    expect(head).toMatchObject({ code: 0, stdout: '{\n', stderr: '' });
  });
});

/** The 12-step DAG as a pipeline: each step counts its call and needs its upstream steps by name. */
function twelveStepPipeline(): string {
  const lines = ["import { pipeline, step } from 'nx-steps';", "import { count } from '../tools/count';", '', "export default pipeline({ name: 'ml' });", ''];
  for (const s of TWELVE_STEPS) {
    const needs = s.needs.length ? `{ needs: { ${s.needs.join(', ')} } }, ` : '';
    lines.push(`export const ${s.name} = step(${needs}() => {`, `  count('${s.name}');`, '  return 1;', '});', '');
  }
  return lines.join('\n');
}

/** What the page's SVG elements offer (this project's TypeScript has no DOM library). */
interface SvgShape {
  getBBox(): { x: number; y: number; width: number; height: number };
}
interface SvgPath {
  getTotalLength(): number;
  getPointAtLength(distance: number): { x: number; y: number };
}

interface Geometry {
  readonly svg: { width: number; height: number };
  readonly boxes: { name: string; x: number; y: number; w: number; h: number }[];
  readonly edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

describe('nx-steps report --html: the DAG of a 12-step pipeline with fan-in and fan-out', () => {
  it('is drawn readably in Chromium: no box over another, no edge under a box, within 1000 px', async () => {
    const chromium = requireChromium();
    const ws = workspace('report-dag', { 'ml/ml.pipeline.ts': twelveStepPipeline() });
    const run = ws.runSteps('ml:report');
    expect(Object.keys(run.calls).sort()).toEqual(TWELVE_STEPS.map((s) => s.name).sort());
    const written = ws.sh('npx nx-steps report --last --html out/report.html');
    expect(written.code, written.stderr).toBe(0);

    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(`file://${ws.path('out/report.html')}`);
      const g = await page.$eval('svg.dag', (svg): Geometry => {
        const box = svg.getBoundingClientRect();
        const boxes = [...svg.querySelectorAll('g.step-node')].map((node) => {
          const r = (node.querySelector('rect') as unknown as SvgShape).getBBox();
          return { name: node.getAttribute('data-step') ?? '', x: r.x, y: r.y, w: r.width, h: r.height };
        });
        const edges = [...svg.querySelectorAll('path.edge')].map((p) => {
          const path = p as unknown as SvgPath;
          const length = path.getTotalLength();
          const points = Array.from({ length: 201 }, (_, i) => path.getPointAtLength((length * i) / 200)).map((pt) => ({ x: pt.x, y: pt.y }));
          return { from: `ml:${p.getAttribute('data-from') ?? ''}`, to: `ml:${p.getAttribute('data-to') ?? ''}`, points };
        });
        return { svg: { width: box.width, height: box.height }, boxes, edges };
      });
      expect(g.boxes).toHaveLength(12);
      expect(g.edges).toHaveLength(TWELVE_STEPS.reduce((n, s) => n + s.needs.length, 0));
      expect(g.svg.width).toBeLessThanOrEqual(1000);
      for (const a of g.boxes) {
        for (const b of g.boxes) {
          if (a !== b) expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `${a.name} overlaps ${b.name}`).toBe(false);
        }
      }
      // Strictly inside a box, one pixel in from its border (an edge starts and ends on a border).
      const inside = (b: Geometry['boxes'][number], p: { x: number; y: number }) =>
        p.x > b.x + 1 && p.x < b.x + b.w - 1 && p.y > b.y + 1 && p.y < b.y + b.h - 1;
      for (const e of g.edges) {
        for (const p of e.points) {
          const under = g.boxes.find((b) => inside(b, p));
          expect(under, `edge ${e.from} -> ${e.to} runs under ${under?.name} at ${Math.round(p.x)},${Math.round(p.y)}`).toBeUndefined();
        }
        // Downwards, from the bottom of its need to the top of its step.
        const from = g.boxes.find((b) => b.name === e.from);
        const to = g.boxes.find((b) => b.name === e.to);
        expect(Math.abs((e.points[0]?.y ?? 0) - ((from?.y ?? 0) + (from?.h ?? 0)))).toBeLessThan(1);
        expect(Math.abs((e.points[e.points.length - 1]?.y ?? 0) - (to?.y ?? 0))).toBeLessThan(1);
      }
      fs.mkdirSync(path.join(REPO_ROOT, 'e2e/.artifacts'), { recursive: true });
      await page.locator('svg.dag').screenshot({ path: path.join(REPO_ROOT, 'e2e/.artifacts/report-dag-12-steps.png') });
    } finally {
      await browser.close();
    }
  });
});
