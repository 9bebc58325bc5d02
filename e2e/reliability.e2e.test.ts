/**
 * Issue 10: crashes, concurrency, corruption and bad input lose nothing.
 * Each case counts real step calls in a fresh workspace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace, workspacesPerTest } from './rig';
import { ETL_FILES } from './fixtures/etl';

const open = workspacesPerTest();
function workspace(name: string, files: Record<string, string> = ETL_FILES): Workspace {
  const ws = createWorkspace(name, files);
  open.push(ws);
  return ws;
}

describe('crashes', () => {
  it('SIGKILL while a step writes its outputs: the partial output is never trusted, only that step recomputes', async () => {
    const ws = workspace('killed', {
      ...ETL_FILES,
      'big/big.pipeline.ts': `import { writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';
export default pipeline({ name: 'big' });
export const source = step(() => { count('source'); return 'seed'; });
export const write_big = step({ needs: { source } }, async ({ source }, ctx) => {
  count('write_big');
  writeFileSync(join(ctx.outDir, 'part-1.bin'), Buffer.alloc(1024 * 1024, 1));
  if (process.env.NXS_TEST_PAUSE) {
    writeFileSync('writing.pid', String(process.pid));
    await new Promise((r) => setTimeout(r, 120_000)); // killed here
  }
  appendFileSync(join(ctx.outDir, 'part-2.bin'), Buffer.alloc(1024, 2));
  return { source, parts: 2 };
});
`,
    });
    ws.runSteps('big:source');
    ws.resetCalls();
    const run = ws.nxAsync(['run', 'big:write_big'], { env: { NXS_TEST_PAUSE: '1' } });
    await ws.waitForFile('writing.pid');
    process.kill(Number(ws.read('writing.pid')), 'SIGKILL');
    const killed = await run.done;
    expect(killed.code).not.toBe(0);
    // The step wrote a private work folder (named after its process), never its output folder.
    const pid = ws.read('writing.pid');
    const work = fs.readdirSync(ws.path('.nx-steps/work')).filter((d) => d.startsWith(`${pid}-`));
    expect(work).toHaveLength(1);
    expect(ws.exists(`.nx-steps/work/${work[0]}/result/files/part-1.bin`)).toBe(true);
    expect(ws.exists('big/.nx-steps/out/write_big')).toBe(false);

    const again = ws.runSteps('big:write_big');
    // The killed run's work folder is swept by the next run.
    expect(ws.exists(`.nx-steps/work/${work[0]}`)).toBe(false);
    expect(again.calls).toEqual({ write_big: 1 });
    expect(again.statuses['big:source']).toBe('local');
    expect(ws.stored('big/.nx-steps/out/write_big')).toEqual({ source: 'seed', parts: 2 });
  });

  it('a step that throws: its own stack trace at the TypeScript source, nothing cached, the rerun resumes', () => {
    const ws = workspace('throws');
    ws.edit('etl/etl.pipeline.ts', "  count('summary');", "  count('summary');\n  if (clean.length > 0) throw new Error('bad row');");
    const line =
      ws
        .read('etl/etl.pipeline.ts')
        .split('\n')
        .findIndex((l) => l.includes("throw new Error('bad row')")) + 1;
    ws.resetCalls();
    const failed = ws.nx(['run', 'etl:report']);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('error NXS204: The step function threw:');
    expect(failed.output).toContain('Error: bad row');
    expect(failed.output).toMatch(new RegExp(`etl/etl\\.pipeline\\.ts:${line}:\\d+`));
    expect(ws.exists('etl/.nx-steps/out/summary/step.json')).toBe(false);

    ws.edit('etl/etl.pipeline.ts', "  if (clean.length > 0) throw new Error('bad row');\n", '');
    const fixed = ws.runSteps('etl:report');
    expect(fixed.calls).toEqual({ summary: 1, report: 1 });
    expect(fixed.statuses['etl:clean_data']).toBe('local');
  });
});

describe('two runs at once', () => {
  it('both finish with correct results; one waits for the other instead of mixing outputs', async () => {
    const ws = workspace('concurrent');
    ws.edit('etl/etl.pipeline.ts', "  count('summary');", "  count('summary');\n  await new Promise((r) => setTimeout(r, 1500));\n  count('summary:end');");
    ws.edit(
      'etl/etl.pipeline.ts',
      'export const summary = step({ needs: { clean: clean_data }, params: { scale: 1 } }, ({ clean, scale }) => {',
      'export const summary = step({ needs: { clean: clean_data }, params: { scale: 1 } }, async ({ clean, scale }) => {',
    );
    const a = ws.nxAsync(['run', 'etl:report']);
    const b = ws.nxAsync(['run', 'etl:report']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(ws.stored('etl/.nx-steps/out/report')).toBe('total=40');
    expect(ws.stored('etl/.nx-steps/out/summary')).toEqual({ total: 40 });
    // Never more than one call per step per run, and the outputs verify.
    for (const [step, n] of Object.entries(ws.calls())) expect(n, step).toBeLessThanOrEqual(2);
    // The two runs never wrote summary's outputs at the same time: each call ended before another began.
    const summaryCalls = ws
      .read('calls.log')
      .split('\n')
      .filter((l) => l.startsWith('summary'));
    expect(summaryCalls.join(',')).toMatch(/^(summary,summary:end,?)+$/);
    expect(ws.runSteps('etl:report').calls).toEqual({});
  });
});

describe('corruption', () => {
  it('an altered output on disk is detected and recomputed, never used', () => {
    const ws = workspace('corrupt-disk');
    ws.runSteps('etl:report');
    fs.rmSync(ws.cacheDir, { recursive: true, force: true }); // no cache entry to fall back on
    const file = 'etl/.nx-steps/out/clean_data/value/value.msgpack';
    ws.write(file, alterOneByte(fs.readFileSync(ws.path(file))));
    const r = ws.runSteps('etl:report');
    expect(r.calls).toEqual({ clean_data: 1 });
    expect(ws.stored('etl/.nx-steps/out/clean_data')).toContainEqual({ id: 3, value: 30 });
    expect(ws.stored('etl/.nx-steps/out/report')).toBe('total=40');
  });

  it('a tampered cache entry restored by Nx is detected by the next step that reads it, recomputed, and never used again', () => {
    const ws = workspace('corrupt-cache');
    ws.runSteps('etl:report');
    const entries = fs.readdirSync(ws.cacheDir).filter((h) => fs.existsSync(path.join(ws.cacheDir, h, 'etl/.nx-steps/out/clean_data/value/value.msgpack')));
    expect(entries).toHaveLength(1);
    const cached = path.join(ws.cacheDir, entries[0] as string, 'etl/.nx-steps/out/clean_data/value/value.msgpack');
    fs.writeFileSync(cached, alterOneByte(fs.readFileSync(cached)));
    fs.rmSync(ws.path('etl/.nx-steps'), { recursive: true });

    // clean_data is restored from the tampered entry; summary must run to read it.
    ws.edit('etl/etl.pipeline.ts', 'params: { scale: 1 }', 'params: { scale: 2 }');
    const r = ws.runSteps('etl:report');
    expect(r.statuses['etl:clean_data']).toBe('local');
    expect(r.result.output).toContain('etl:clean_data is unusable (');
    expect(r.calls).toEqual({ clean_data: 1, summary: 1, report: 1 });
    expect(ws.stored('etl/.nx-steps/out/report')).toBe('total=80');

    // The tampered entry is never restored again.
    fs.rmSync(ws.path('etl/.nx-steps'), { recursive: true });
    const next = ws.runSteps('etl:report');
    expect(ws.stored('etl/.nx-steps/out/clean_data')).toContainEqual({ id: 3, value: 30 });
    expect(next.calls.clean_data ?? 0).toBeLessThanOrEqual(1);
    expect(ws.stored('etl/.nx-steps/out/report')).toBe('total=80');
  });
});

describe('bad input', () => {
  it('bad declarations in some pipelines: each step says what is wrong, every other project still loads and runs', () => {
    const head = "import { file, pipeline, step } from 'nx-steps';\n";
    const ws = workspace('bad-declarations', {
      ...ETL_FILES,
      'dup/a.pipeline.ts': `${head}export default pipeline({ name: 'dup' });\nexport const load = step(() => 1);\n`,
      'dup/b.pipeline.ts': `${head}export const load = step(() => 2);\n`,
      'cyc/cyc.pipeline.ts': `${head}export default pipeline({ name: 'cyc' });\nexport const prep = step({ needs: { x: fit } }, ({ x }) => x);\nexport const fit = step({ needs: { y: prep } }, ({ y }) => y);\n`,
      'syn/syn.pipeline.ts': `${head}export default pipeline({ name: 'syn' });\nexport const broken = step(() => { return [1, 2; });\n`,
      'esc/esc.pipeline.ts': `${head}export default pipeline({ name: 'esc' });\nexport const load = step({ args: { src: file('../../elsewhere.csv') } }, ({ src }) => src);\n`,
      'ttl/ttl.pipeline.ts': `${head}export default pipeline({ name: 'ttl' });\nexport const rates = step({ cache: { ttl: 'soon' } }, () => 1);\n`,
    });
    const projects = ws.nxOk(['show', 'projects']);
    expect(projects.stdout.split('\n').filter(Boolean).sort()).toEqual(['cyc', 'dup', 'esc', 'etl', 'syn', 'ttl']);
    expect(projects.output).toContain("syn/syn.pipeline.ts:3:48 - error NXS100: Syntax error: ',' expected.");
    const fails = (target: string, text: string) => {
      const r = ws.nx(['run', target]);
      expect(r.code, target).not.toBe(0);
      expect(r.output).toContain(text);
    };
    fails('dup:load', 'error NXS104: Step name `load` is declared 2 times in project dup');
    fails('cyc:fit', 'error NXS105: Steps need each other in a cycle: fit → prep → fit.');
    fails('esc:load', "esc/esc.pipeline.ts:3:41 - error NXS109: file('../../elsewhere.csv') leaves the workspace");
    fails('ttl:rates', 'error NXS113: Invalid time-to-live "soon".');
    expect(ws.runSteps('etl:report').calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1 });
  });

  it('a missing data file and a vanished upstream output are clear errors naming the step and argument', () => {
    const ws = workspace('runtime-input');
    ws.runSteps('etl:report');
    fs.rmSync(ws.path('etl/.nx-steps/out/clean_data'), { recursive: true });
    const vanished = ws.nx(['run', 'etl:summary', '--exclude-task-dependencies', '--skip-nx-cache']);
    expect(vanished.code).not.toBe(0);
    expect(vanished.output).toContain(
      'error NXS203: The result of upstream step clean_data (needed as `clean`) is missing. (project etl, step summary, argument clean)',
    );

    fs.rmSync(ws.path('etl/data/raw.csv'));
    const missing = ws.nx(['run', 'etl:load_data']);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain('error NXS201: The file argument `file_path` of etl:load_data does not exist: etl/data/raw.csv.');
  });
});

describe.runIf(process.env['NX_STEPS_STRESS'] === '1')('load (a long case: runs when NX_STEPS_STRESS=1, which .ci/run sets)', () => {
  it('500 steps run cold, warm and after one edit, with exactly the expected step calls', { timeout: 1_800_000 }, () => {
    const files: Record<string, string> = {};
    for (let p = 0; p < 50; p++) {
      const lines = [
        "import { pipeline, step } from 'nx-steps';",
        "import { count } from '../tools/count';",
        `export default pipeline({ name: 'p${p}' });`,
        `export const s0_${p} = step(() => { count('p${p}.s0'); return ${p}; });`,
      ];
      for (let s = 1; s < 10; s++)
        lines.push(`export const s${s}_${p} = step({ needs: { prev: s${s - 1}_${p} } }, ({ prev }) => { count('p${p}.s${s}'); return prev + ${s}; });`);
      files[`p${p}/p${p}.pipeline.ts`] = `${lines.join('\n')}\n`;
    }
    const ws = workspace('load', files);
    const targets = Array.from({ length: 10 }, (_, s) => Array.from({ length: 50 }, (_, p) => `s${s}_${p}`)).flat();
    const runAll = () => {
      ws.resetCalls();
      ws.nxOk(['run-many', '-t', ...targets, '--parallel=2'], { timeoutMs: 1_500_000 });
      return ws.calls();
    };
    const cold = runAll();
    expect(Object.keys(cold)).toHaveLength(500);
    expect(Object.values(cold).every((n) => n === 1)).toBe(true);
    expect(runAll()).toEqual({});
    ws.edit('p7/p7.pipeline.ts', 'return prev + 4; });', 'return prev + 4 + 1; });');
    expect(runAll()).toEqual({ 'p7.s4': 1, 'p7.s5': 1, 'p7.s6': 1, 'p7.s7': 1, 'p7.s8': 1, 'p7.s9': 1 });
  });
});

/** The same bytes with the number 30 (MessagePack 0x1e) turned into 31: a same-size alteration. */
function alterOneByte(bytes: Buffer): Buffer {
  const at = bytes.indexOf(0x1e);
  if (at < 0) throw new Error('alterOneByte: no 0x1e byte to alter');
  const out = Buffer.from(bytes);
  out[at] = 0x1f;
  return out;
}
