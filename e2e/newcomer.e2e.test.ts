/**
 * Issue 17: a newcomer's first hour, command by command as the README gives
 * them ("Set up in your workspace", "Before nx-steps is published"), typed
 * in a shell in a fresh Nx workspace that has never seen nx-steps, with the
 * text each command shows. Caching is proved by counting step calls.
 *
 * Also: the packed package holds what users need and nothing else.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import type { NxResult, Workspace } from './rig';
import { createBareWorkspace, taskStatuses } from './rig';
import { checkTarball } from './rig/package-contents';
import { REPO_ROOT } from './rig/template';

/** The files `nx g` says it created or updated. */
function written(output: string): string[] {
  return [...output.matchAll(/^(?:CREATE|UPDATE) (\S+)/gm)].map((m) => m[1] ?? '');
}

function ok(r: NxResult, command: string): NxResult {
  if (r.code !== 0) throw new Error(`${command} exited ${r.code}:\n${r.output.replace(/^/gm, '│ ')}`);
  return r;
}

/** Report text with times replaced and columns closed up: what it says, not how wide its columns are. */
function readable(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/g, '<when>')
    .replace(/\b(\d+m \d+s|\d+h \d+m|\d+(\.\d+)?(ms|s))\b/g, '<t>')
    .replace(/ {2,}/g, '  ')
    .replace(/ +$/gm, '');
}

describe("a newcomer's first hour, as the README tells it", () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-newcomer-'));
  let ws: Workspace;
  afterAll(() => {
    ws?.remove();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('from nx add (a packed tarball, before publication) to a report', { timeout: 900_000 }, () => {
    // `npm pack` in a clone of nx-steps wrote the tarball (the rig ran that same command); the workspace is a sibling folder.
    const tarball = inject('tarball');
    fs.mkdirSync(path.join(parent, 'nx-steps'));
    fs.copyFileSync(tarball, path.join(parent, 'nx-steps', path.basename(tarball)));
    expect(path.basename(tarball)).toMatch(/^nx-steps-\d+\.\d+\.\d+\.tgz$/);
    ws = createBareWorkspace('newcomer', {}, path.join(parent, 'my-workspace'));
    const sh = (command: string) => ok(ws.sh(command), command);

    // $ npx nx add nx-steps@file:../nx-steps/nx-steps-0.1.0.tgz
    const added = sh(`npx nx add nx-steps@file:../nx-steps/${path.basename(tarball)}`);
    expect(added.output).toContain('Package nx-steps added successfully.');
    // npm 11 warns about install scripts it did not run: nx-steps says none of them is needed.
    expect(added.output).toContain('There is nothing to approve for nx-steps.');
    expect(JSON.parse(ws.read('package.json')).devDependencies['nx-steps']).toBe(`file:../nx-steps/${path.basename(tarball)}`);

    // $ npx nx g nx-steps:pipeline etl
    const generated = sh('npx nx g nx-steps:pipeline etl');
    expect(written(generated.output).sort()).toEqual(['etl/data/sample.csv', 'etl/etl.pipeline.ts', 'package.json']);
    // The generated code type-checks: the generator added (and installed) Node's types.
    expect(ws.exists('node_modules/@types/node/package.json')).toBe(true);
    expect(sh('npx tsc --noEmit -p tsconfig.base.json').output.trim()).toBe('');

    // (The tests count step calls: tools/count.ts, called from each step.)
    ws.edit('etl/etl.pipeline.ts', "from 'nx-steps';", "from 'nx-steps';\nimport { count } from '../tools/count';");
    ws.edit('etl/etl.pipeline.ts', 'async ({ csv }) => {', "async ({ csv }) => {\n    count('load_data');");
    ws.edit('etl/etl.pipeline.ts', '({ rows }) => ({', "({ rows }) => (count('summarize'), {");

    // $ npx nx run etl:summarize      # runs load_data, then summarize
    const first = sh('npx nx run etl:summarize');
    expect(taskStatuses(first.output)).toEqual({ 'etl:load_data': 'run', 'etl:summarize': 'run' });
    expect(ws.calls()).toEqual({ load_data: 1, summarize: 1 });
    // The result, back in a script (nx-steps/results reads what is on disk, runs nothing with { run: false }).
    const loaded = sh(
      `node -e "import('nx-steps/results').then((r) => r.loadResult('etl:summarize', { run: false })).then((v) => console.log(JSON.stringify(v)))"`,
    );
    expect(JSON.parse(loaded.stdout.trim().split('\n').pop() ?? '')).toEqual({ count: 3, total: 60 });

    // $ npx nx run etl:summarize      # both come from the cache
    ws.resetCalls();
    const second = sh('npx nx run etl:summarize');
    expect(taskStatuses(second.output)).toEqual({ 'etl:load_data': 'local', 'etl:summarize': 'local' });
    expect(ws.calls()).toEqual({});
    // Nx replays the output of the run that made each result: nx-steps says they were restored, and when they were made.
    expect(readable(second.output)).toMatch(
      /nx-steps: step functions called: 0 of 2\. Not called: 2 restored from the local cache \(results made <when>( to <when>)?\)\./,
    );

    // $ npx nx g nx-steps:step report --pipeline etl --needs summarize
    expect(written(sh('npx nx g nx-steps:step report --pipeline etl --needs summarize').output)).toEqual(['etl/etl.pipeline.ts']);
    ws.edit('etl/etl.pipeline.ts', "ctx.log.info('report:", "count('report');\n  ctx.log.info('report:");
    // $ npx nx run etl:report
    const third = sh('npx nx run etl:report');
    expect(ws.calls()).toEqual({ report: 1 });
    // A new step changes every task hash of the project (Nx hashes the list of targets): the executor keeps the outputs on disk.
    expect(taskStatuses(third.output)).toEqual({ 'etl:load_data': 'run', 'etl:summarize': 'run', 'etl:report': 'run' });
    expect(third.output).toContain('nx-steps ▸ etl:load_data outputs on disk already match this step');
    // Nx's "Cache: 0/3 hit" counts those as misses; nx-steps counts the calls.
    expect(third.output).toContain('nx-steps: step functions called: 1 of 3 (etl:report). Not called: 2 kept on disk.');

    // $ npx nx-steps report --last
    expect(readable(sh('npx nx-steps report --last').stdout)).toBe(
      [
        'Last run: nx run etl:report, <when>: <t> wall time, <t> of it running tasks',
        '',
        '  step  result  time  original  saved',
        '  etl:load_data  hit: kept on disk  <t>  <t>  <t>',
        '  etl:summarize  hit: kept on disk  <t>  <t>  <t>',
        '  etl:report  executed  <t>  <t>',
        '',
        'Cache performance:',
        '  Lookups:  3',
        '  Hits:  2 (67%): 0 local, 0 remote, 0 by step key (0 local, 0 remote), 2 kept on disk',
        '  Misses:  1',
        "  Time saved:  <t> (each hit: the step's original duration minus the time the hit took)",
        '',
      ].join('\n'),
    );

    // $ npx nx show project etl --web=false      # the targets, one per step
    const shown = sh('npx nx show project etl --web=false').output;
    expect(shown).toContain('Targets: \n');
    // (Nx lists them in no fixed order.)
    expect(
      shown
        .split('\n')
        .filter((l) => l.startsWith('- '))
        .map((l) => l.replace(/ +/g, ' ').trim())
        .sort(),
    ).toEqual(['- load_data: nx-steps:step', '- report: nx-steps:step', '- summarize: nx-steps:step']);
    // $ npx nx show project etl --json           # each step's description in targets.<step>.metadata.description
    const project = JSON.parse(sh('npx nx show project etl --json').stdout) as { targets: Record<string, { metadata: { description: string } }> };
    expect(project.targets['load_data']?.metadata.description).toBe('Read data/sample.csv into rows (code_hash)');
    expect(project.targets['summarize']?.metadata.description).toBe('Count the rows and add up their values (code_hash; needs load_data)');

    // $ npx nx-steps --version
    expect(sh('npx nx-steps --version').stdout).toBe(`${JSON.parse(ws.read('node_modules/nx-steps/package.json')).version}\n`);

    // A typo: the run fails with one diagnostic (the graph names it in a line, the step prints it in full once).
    ws.edit('etl/etl.pipeline.ts', 'rows.length,', 'rows.length,,');
    const typo = ws.sh('npx nx run etl:summarize');
    expect(typo.code).not.toBe(0);
    expect(typo.output.match(/etl\/etl\.pipeline\.ts:\d+:\d+ - error NXS100: /g)).toHaveLength(2);
    expect(typo.output.match(/\^/g)).toHaveLength(1);
    expect(typo.output).toContain('1 problem(s) in pipeline files; the steps they concern fail with them when run');
  });
});

describe('the packed package', () => {
  it('holds every file its package.json, executors.json and generators.json point at, the templates, and no tests, maps or fixtures', () => {
    expect(checkTarball(inject('tarball'), REPO_ROOT)).toEqual({ missing: [], unwanted: [] });
  });

  it('has types that resolve from CommonJS and ES modules (NodeNext, Bundler, node10), with no @types/node and no skipLibCheck', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-types-'));
    try {
      const template = inject('templateDir');
      fs.mkdirSync(path.join(dir, 'node_modules'));
      for (const name of ['nx-steps', 'typescript']) fs.symlinkSync(path.join(template, 'node_modules', name), path.join(dir, 'node_modules', name));
      fs.writeFileSync(
        path.join(dir, 'a.pipeline.ts'),
        [
          "import { file, pipeline, step, type StepResult } from 'nx-steps';",
          "export default pipeline({ name: 'a' });",
          "export const one = step({ args: { f: file('x.csv') }, params: { k: 2 } }, ({ f, k }) => f.length * k);",
          'export const two = step({ needs: { one } }, ({ one }) => one * 2);',
          'export const n: StepResult<typeof two> = 4;',
          '// @ts-expect-error: a result is typed by its step',
          "export const s: StepResult<typeof two> = 'four';",
          '',
        ].join('\n'),
      );
      const tsc = (type: 'module' | 'commonjs', options: string[]) => {
        fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'types-probe', type }));
        const r = spawnSync(
          process.execPath,
          [path.join(dir, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'ES2022', '--lib', 'es2022', ...options, 'a.pipeline.ts'],
          { cwd: dir, encoding: 'utf8' },
        );
        return `${r.status} ${r.stdout}${r.stderr}`.trim();
      };
      expect(tsc('module', ['--module', 'NodeNext', '--moduleResolution', 'NodeNext'])).toBe('0');
      expect(tsc('module', ['--module', 'ESNext', '--moduleResolution', 'Bundler'])).toBe('0');
      expect(tsc('commonjs', ['--module', 'NodeNext', '--moduleResolution', 'NodeNext'])).toBe('0');
      expect(tsc('commonjs', ['--module', 'CommonJS', '--moduleResolution', 'node10'])).toBe('0');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
