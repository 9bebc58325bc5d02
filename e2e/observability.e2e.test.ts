/**
 * Issue 6: see what ran, what was cached, what it saved, and why a step
 * missed. Every figure a test checks is one the test caused: step calls are
 * counted, Nx statuses are read from Nx's own output, and the report must
 * agree with both.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace, workspacesPerTest } from './rig';
import { CHROMIUM_ARGS, requireChromium } from './rig/chromium';
import { REPO_ROOT } from './rig/template';
import { ETL_FILES, ETL_PIPELINE } from './fixtures/etl';

/** The e2e ETL pipeline plus a step that takes measurable time and reports progress. */
const PIPELINE = `${ETL_PIPELINE}
export const crunch = step({ needs: { clean: clean_data } }, async ({ clean }, ctx) => {
  count('crunch');
  for (let i = 1; i <= 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    ctx.progress(i, 4);
  }
  return clean.length;
});
`;

const open = workspacesPerTest();
const servers: { kill(): void }[] = [];
function etl(name: string): Workspace {
  const ws = createWorkspace(name, { ...ETL_FILES, 'etl/etl.pipeline.ts': PIPELINE });
  open.push(ws);
  return ws;
}
afterEach(() => {
  for (const s of servers.splice(0)) s.kill();
});

function cli(ws: Workspace, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ws.path('node_modules/nx-steps/dist/cli/main.js'), ...args], { cwd: ws.root, env: ws.env(), encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function cliJson<T>(ws: Workspace, args: string[]): T {
  const r = cli(ws, [...args, '--json']);
  if (r.code !== 0) throw new Error(`nx-steps ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface StepLine {
  step: string;
  source: string;
  durationMs: number;
  originalMs?: number;
  savedMs?: number;
}
interface Totals {
  lookups: number;
  hits: number;
  misses: number;
  hitRate: number | null;
  savedMs: number;
  by: Record<string, number>;
}
interface ReportJson {
  summary: { runs: number; total: Totals; steps: (Totals & { step: string })[] };
  lastRun: { command: string[]; steps: StepLine[] };
}

const sources = (r: ReportJson) => Object.fromEntries(r.lastRun.steps.map((s) => [s.step, s.source]));
const line = (r: ReportJson, step: string) => r.lastRun.steps.find((s) => s.step === step) as StepLine;

describe('run records and nx-steps report', () => {
  it('records executed, local hits and kept-on-disk steps with their durations; the report agrees with the step calls', () => {
    const ws = etl('report');
    expect(cli(ws, ['report']).stdout).toContain('No runs recorded yet');

    const first = ws.runSteps('etl:crunch');
    expect(first.calls).toEqual({ load_data: 1, clean_data: 1, crunch: 1 });
    let report = cliJson<ReportJson>(ws, ['report', '--last']);
    expect(sources(report)).toEqual({ load_data: 'executed', clean_data: 'executed', crunch: 'executed' });
    expect(report.summary.total).toMatchObject({ lookups: 3, hits: 0, misses: 3, hitRate: 0 });
    expect(line(report, 'crunch').originalMs).toBeGreaterThan(0);
    // ctx.progress: a bar, in whole lines.
    expect(first.result.output).toMatch(/etl:crunch ▕█+░*▏\s+25% 1\/4/);
    expect(first.result.output).toMatch(/etl:crunch ▕█{20}▏ 100% 4\/4/);

    const second = ws.runSteps('etl:crunch');
    expect(second.calls).toEqual({});
    expect(second.statuses).toEqual({ 'etl:load_data': 'local', 'etl:clean_data': 'local', 'etl:crunch': 'local' });
    report = cliJson<ReportJson>(ws, ['report', '--last']);
    expect(sources(report)).toEqual({ load_data: 'local', clean_data: 'local', crunch: 'local' });
    expect(report.summary.total).toMatchObject({ lookups: 3, hits: 3, misses: 0, hitRate: 1, by: { local: 3, remote: 0, kept: 0 } });
    // crunch sleeps 400 ms; a hit restores it in less.
    expect(line(report, 'crunch').savedMs).toBeGreaterThan(0);
    expect(report.summary.total.savedMs).toBeGreaterThanOrEqual(line(report, 'crunch').savedMs as number);
    // The bar reads the same when Nx replays the output from its cache.
    expect(second.result.output).toMatch(/etl:crunch ▕█{20}▏ 100% 4\/4/);

    // A new sibling step changes every task hash of the project: Nx misses, the executor keeps.
    fs.appendFileSync(ws.path('etl/etl.pipeline.ts'), '\nexport const extra = step(() => 1);\n');
    const third = ws.runSteps('etl:crunch');
    expect(third.calls).toEqual({});
    expect(third.statuses['etl:crunch']).toBe('run');
    report = cliJson<ReportJson>(ws, ['report', '--last']);
    expect(sources(report)).toEqual({ load_data: 'kept', clean_data: 'kept', crunch: 'kept' });
    expect(report.summary.total).toMatchObject({ hits: 3, by: { kept: 3 } });

    const all = cliJson<ReportJson>(ws, ['report']);
    expect(all.summary.runs).toBe(3);
    expect(all.summary.total).toMatchObject({ lookups: 9, hits: 6, misses: 3, by: { executed: 3, local: 3, kept: 3 } });
    expect(all.summary.steps.find((s) => s.step === 'crunch')).toMatchObject({ lookups: 3, hits: 2, misses: 1 });
    expect(cliJson<ReportJson>(ws, ['report', '--since', '1h']).summary.runs).toBe(3);

    const text = cli(ws, ['report', '--last']).stdout;
    expect(text).toContain('Last run: nx run etl:crunch');
    expect(text).toMatch(/etl:crunch\s+hit: kept on disk/);
    expect(text).toMatch(/Hits: +3 \(100%\): 0 local, 0 remote, 0 by step key \(0 local, 0 remote\), 3 kept on disk/);
    expect(cli(ws, ['report', '--last', '--since', '1d']).stderr).toContain('use either --last or --since');
  });

  it('keeps no flag value or environment value in its records; a param value only as the params of the step that declares it', () => {
    const ws = etl('secrets');
    ws.runSteps('etl:upload', ['--table=hunter2-table'], { env: { SECRET_TOKEN: 'zz-env-secret-zz' } });
    const files = fs.readdirSync(ws.path('.nx-steps/runs'));
    expect(files).toHaveLength(1);
    const text = fs.readFileSync(ws.path(`.nx-steps/runs/${files[0]}`), 'utf8');
    expect(text).not.toContain('zz-env-secret-zz');
    const record = JSON.parse(text) as { command: string[]; steps: Array<{ step: string; params?: Record<string, unknown> }> };
    expect(record.command).toEqual(['run', 'etl:upload', '--table']);
    // The experiments view (issue 16) shows the params each result was made with: kept on this machine, in the step's params only.
    expect(record.steps.find((s) => s.step === 'upload')?.params).toMatchObject({ table: 'hunter2-table' });
    const withoutParams = record.steps.map(({ params: _params, ...rest }) => rest);
    expect(JSON.stringify({ ...record, steps: withoutParams })).not.toContain('hunter2');
  });

  it('records remote cache hits', async () => {
    const ws = etl('remote');
    const server = await startCacheServer();
    servers.push(server);
    const remote = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url };
    ws.runSteps('etl:clean_data', [], { env: remote });
    // Another machine: an empty local cache and no outputs on disk.
    fs.rmSync(ws.cacheDir, { recursive: true, force: true });
    fs.rmSync(ws.path('etl/.nx-steps/out'), { recursive: true, force: true });
    const again = ws.runSteps('etl:clean_data', [], { env: remote });
    expect(again.calls).toEqual({});
    expect(again.statuses).toEqual({ 'etl:load_data': 'remote', 'etl:clean_data': 'remote' });
    const report = cliJson<ReportJson>(ws, ['report', '--last']);
    expect(sources(report)).toEqual({ load_data: 'remote', clean_data: 'remote' });
    expect(report.summary.total).toMatchObject({ hits: 2, by: { remote: 2, local: 0 } });
  });
});

interface WhyJson {
  verdict: { kind: string; via?: string; steps?: string[]; because?: string };
  changes: { part: string; name?: string; message: string }[];
  upstream: (WhyJson & { step: string })[];
}

describe('nx-steps why', () => {
  it('says whether the next run hits and which part of the key changed; the runs that follow bear it out', () => {
    const ws = etl('why');
    ws.runSteps('etl:report');
    expect(cliJson<WhyJson>(ws, ['why', 'etl:report']).verdict).toEqual({ kind: 'hit', via: 'outputs-on-disk' });
    expect(cli(ws, ['why', 'etl:report']).stdout).toContain('etl:report will not run: its key is unchanged');

    // Data: a new row without a value. load_data runs; the rest depends on its result.
    ws.write('etl/data/raw.csv', 'id,value\n1,10\n2,\n3,30\n4,\n');
    const data = cliJson<WhyJson>(ws, ['why', 'etl:summary']);
    expect(data.verdict).toEqual({ kind: 'upstream', steps: ['clean_data'] });
    const load = data.upstream.find((e) => e.step === 'load_data');
    expect(load?.verdict).toEqual({ kind: 'run', because: 'key-changed' });
    expect(load?.changes.map((c) => [c.part, c.name])).toEqual([['args', 'file_path']]);
    expect(cli(ws, ['why', 'etl:summary']).stdout).toContain('argument file_path: content of etl/data/raw.csv changed');
    const ran = ws.runSteps('etl:summary');
    expect(ran.calls).toEqual({ load_data: 1, clean_data: 1 });
    expect(ran.statuses['etl:summary']).toBe('local');

    // Code and params, named precisely.
    ws.edit('etl/etl.pipeline.ts', "count('load_data');", "count('load_data');\n  void 0;");
    ws.edit('etl/etl.pipeline.ts', 'params: { scale: 1 }', 'params: { scale: 2 }');
    const edited = cliJson<WhyJson>(ws, ['why', 'etl:summary']);
    expect(edited.verdict).toEqual({ kind: 'run', because: 'key-changed' });
    expect(edited.changes.map((c) => c.message)).toEqual(['param scale: 1 → 2']);
    expect(edited.upstream.find((e) => e.step === 'load_data')?.changes.map((c) => c.message)).toEqual(['code: etl/etl.pipeline.ts changed']);
    ws.edit('etl/etl.pipeline.ts', "count('load_data');\n  void 0;", "count('load_data');");
    ws.edit('etl/etl.pipeline.ts', 'params: { scale: 2 }', 'params: { scale: 1 }');

    // An override, as `nx run` takes it; then the plain key again, which the Nx cache still holds.
    expect(cliJson<WhyJson>(ws, ['why', 'etl:summary', '--scale=3']).changes.map((c) => c.message)).toEqual(['param scale: 1 → 3']);
    expect(ws.runSteps('etl:summary', ['--scale=3']).calls).toEqual({ summary: 1 });
    const back = cliJson<WhyJson>(ws, ['why', 'etl:summary']);
    expect(back.verdict).toMatchObject({ kind: 'hit', via: 'nx-cache' });
    expect(back.changes.map((c) => c.message)).toEqual(['param scale: 3 → 1']);
    expect(ws.runSteps('etl:summary').calls).toEqual({});

    expect(cliJson<WhyJson>(ws, ['why', 'etl:upload']).verdict).toEqual({ kind: 'always' });
    const typo = cli(ws, ['why', 'etl:sumary']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('project etl has no step "sumary". Steps:');
  });
});

describe('runPipeline()', () => {
  it('runs the pipeline through nx and returns what each step did, as flowyml pipeline.run() does', () => {
    const ws = etl('run-pipeline');
    ws.write(
      'run.js',
      [
        "const { runPipeline } = require('nx-steps');",
        '(async () => {',
        "  const runs = [await runPipeline('etl', { quiet: true }), await runPipeline('etl', { quiet: true }), await runPipeline('etl', { steps: ['clean_data'], fresh: true, quiet: true }), await runPipeline('nope', { quiet: true })];",
        '  console.log(JSON.stringify(runs.map(({ output, ...r }) => r)));',
        '})();',
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['run.js'], { cwd: ws.root, env: ws.env(), encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    type Run = {
      ok: boolean;
      reason?: string;
      message?: string;
      hitRate: number | null;
      savedMs: number;
      steps: Record<string, { cached: boolean; source: string; durationMs: number; savedMs: number }>;
    };
    const [first, second, fresh, unknown] = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Run[];
    expect(ws.calls()).toEqual({ load_data: 2, clean_data: 2, upload: 2, summary: 1, report: 1, crunch: 1 });

    expect(first?.ok).toBe(true);
    expect(Object.values(first?.steps ?? {}).every((s) => !s.cached)).toBe(true);
    expect(first?.hitRate).toBe(0);

    expect(second?.ok).toBe(true);
    expect(Object.fromEntries(Object.entries(second?.steps ?? {}).map(([k, s]) => [k, s.cached]))).toEqual({
      load_data: true,
      clean_data: true,
      upload: false,
      summary: true,
      report: true,
      crunch: true,
    });
    expect(second?.steps['upload']?.source).toBe('uncached');
    expect(second?.hitRate).toBe(1);
    expect(second?.steps['crunch']?.savedMs).toBeGreaterThan(0);

    // fresh: the selected step and the step it needs recompute; nothing else runs.
    expect(Object.keys(fresh?.steps ?? {}).sort()).toEqual(['clean_data', 'load_data']);
    expect(Object.values(fresh?.steps ?? {}).map((s) => s.source)).toEqual(['executed', 'executed']);
    expect(fresh?.hitRate).toBe(0);

    expect(unknown).toMatchObject({ ok: false, reason: 'unknown-project' });
    expect(unknown?.message).toContain('No pipeline project named "nope"');
  });
});

describe('nx-steps report --html', () => {
  it('writes a self-contained page that renders in headless Chromium: a node per step coloured by the last run, and a timeline', async () => {
    const chromium = requireChromium();
    const ws = etl('html');
    ws.runSteps('etl:upload');
    const written = cli(ws, ['report', '--last', '--html', 'out/report.html']);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('Wrote out/report.html');

    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({
      executablePath: chromium,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
      const requested: string[] = [];
      page.on('request', (req) => requested.push(req.url()));
      await page.goto(`file://${ws.path('out/report.html')}`);
      const nodes = await page.$$eval('svg.dag .step-node', (els) => els.map((e) => [e.getAttribute('data-step'), e.getAttribute('data-status')]));
      expect(Object.fromEntries(nodes)).toEqual({
        'etl:load_data': 'executed',
        'etl:clean_data': 'executed',
        'etl:upload': 'uncached',
        'etl:summary': 'not-run',
        'etl:report': 'not-run',
        'etl:crunch': 'not-run',
      });
      expect(await page.$$eval('svg.dag path.edge', (els) => els.length)).toBe(5);
      for (const selector of ['svg.dag', 'svg.timeline']) {
        const box = await page.$eval(selector, (el) => el.getBoundingClientRect().toJSON() as { width: number; height: number });
        expect(box.width, selector).toBeGreaterThan(0);
        expect(box.height, selector).toBeGreaterThan(0);
      }
      expect(await page.$$eval('svg.timeline rect.bar', (els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['executed', 'executed', 'uncached']);
      expect(requested.every((u) => u.startsWith('file://'))).toBe(true);
      fs.mkdirSync(path.join(REPO_ROOT, 'e2e/.artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'e2e/.artifacts/observability-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

/** A minimal Nx self-hosted remote cache (GET/PUT /v1/cache/<hash>), in its own process: the rig runs nx synchronously. */
function startCacheServer(): Promise<{ url: string; kill(): void }> {
  const source = `
    const http = require('node:http');
    const store = new Map();
    http.createServer((req, res) => {
      if (req.method === 'GET') {
        const body = store.get(req.url);
        res.writeHead(body ? 200 : 404);
        return res.end(body);
      }
      if (req.method !== 'PUT') { res.writeHead(405); return res.end(); }
      if (store.has(req.url)) { req.resume(); res.writeHead(409); return res.end(); }
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => { store.set(req.url, Buffer.concat(chunks)); res.writeHead(200); res.end(); });
    }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve({ url: `http://127.0.0.1:${d.toString().trim()}`, kill: () => child.kill() }));
  });
}
