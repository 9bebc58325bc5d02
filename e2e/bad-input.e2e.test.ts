/**
 * Issue 28, in a real Nx workspace: names users choose that are properties of Object.prototype, and
 * secret params. A helper module exporting `toString` and a step named `constructor` leave every other
 * project working and give located diagnostics where Nx cannot take the name; `--token=S3CRET` and a
 * `secret()` param appear in no file of the workspace, of the Nx cache folder, of the remote store (its
 * entries unpacked), and in no report.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { remoteCachePerFile, taskStatuses, workspacesPerTest } from './rig';

const open = workspacesPerTest();
const remote = remoteCachePerFile();

const NAMES: Record<string, string> = {
  'lib/h.ts': ['export function toString(x: number): number {', '  return x + 1;', '}', 'export const unrelated = 1;', ''].join('\n'),
  'good/good.pipeline.ts': [
    "import { pipeline, step } from 'nx-steps';",
    "import { count } from '../tools/count';",
    "export default pipeline({ name: 'good' });",
    "export const one = step(() => (count('one'), 1));",
    '',
  ].join('\n'),
  'h/h.pipeline.ts': [
    "import { pipeline, step } from 'nx-steps';",
    "import { count } from '../tools/count';",
    "import { toString } from '../lib/h';",
    "export default pipeline({ name: 'h' });",
    "export const uses = step({ params: { constructor: 1 } }, (input) => (count('uses'), toString(input['constructor'] as number)));",
    '',
  ].join('\n'),
  's/s.pipeline.ts': [
    "import { pipeline, step } from 'nx-steps';",
    "export default pipeline({ name: 's' });",
    'export const up = step(() => 1);',
    'export const constructor = step(() => 2);',
    'export const after = step({ needs: { x: constructor } }, ({ x }) => x);',
    'export const then = step({ needs: { u: up } }, ({ u }) => u + 10);',
    '',
  ].join('\n'),
};

describe('names of Object.prototype', () => {
  it('a helper exporting `toString` and a step named `constructor` break nothing else; Nx-forbidden names are located diagnostics', () => {
    const ws = open.create('proto-names', NAMES);
    const projects = ws.nxOk(['show', 'projects']);
    expect(projects.stdout.split('\n').filter(Boolean).sort()).toEqual(['good', 'h', 's']);
    expect(projects.output).toContain('s/s.pipeline.ts:4:14 - error NXS108: Step name `constructor` cannot be a target');
    expect(projects.output).toContain('s/s.pipeline.ts:5:41 - error NXS108: `needs.x` names step `constructor`');

    expect(ws.runSteps('good:one').calls).toEqual({ one: 1 });
    // A param named `constructor`, overridden from the command line; the helper's `toString` is in the step's code.
    expect(ws.runSteps('h:uses', ['--constructor=5']).calls).toEqual({ uses: 1 });
    expect(ws.stored('h/.nx-steps/out/uses')).toBe(6);
    expect(ws.runSteps('h:uses', ['--constructor=5']).calls).toEqual({});
    ws.edit('lib/h.ts', 'x + 1', 'x + 2');
    expect(ws.runSteps('h:uses', ['--constructor=5']).calls).toEqual({ uses: 1 });
    expect(ws.stored('h/.nx-steps/out/uses')).toBe(7);

    // `then` is a name Nx takes: a step like any other.
    ws.runSteps('s:then');
    expect(ws.stored('s/.nx-steps/out/then')).toBe(11);
    const after = ws.nx(['run', 's:after']);
    expect(after.code).not.toBe(0);
    expect(after.output).toContain('s/s.pipeline.ts:5:41 - error NXS108');
    expect(after.output).not.toContain('NXS900');
  });
});

const SECRETS: Record<string, string> = {
  'k/k.pipeline.ts': [
    "import { pipeline, secret, step } from 'nx-steps';",
    "import { count } from '../tools/count';",
    "export default pipeline({ name: 'k' });",
    "export const up = step({ params: { token: 'x' } }, ({ token }) => (count('up'), token.length));",
    "export const go = step({ needs: { n: up }, params: { token: 'x', key: secret(), rows: 2 } }, ({ n, token, key, rows }) => (count('go'), n + token.length + key.length + rows));",
    '',
  ].join('\n'),
};

const TOKEN = 'S3CRET-e2e-token';
const KEY = 'K3Y-e2e-secret';

/** Files under `dir` (links not followed: node_modules is the template's) whose bytes hold `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile() && fs.readFileSync(abs).includes(needle)) out.push(path.relative(dir, abs));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Every entry of the remote store, unpacked (they are gzip tars, as Nx uploads them). */
function unpackedRemote(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-remote-unpacked-'));
  for (const hash of remote.server.entries().keys()) {
    fs.mkdirSync(path.join(dir, hash));
    execFileSync('tar', ['-xzf', remote.server.entryPath(hash), '-C', path.join(dir, hash)]);
  }
  return dir;
}

function leaks(ws: Workspace, texts: readonly string[]): string[] {
  const unpacked = unpackedRemote();
  try {
    return [ws.root, ws.cacheDir, unpacked]
      .flatMap((dir) => [TOKEN, KEY].flatMap((s) => filesHolding(dir, s).map((f) => `${s} in ${dir}/${f}`)))
      .concat(texts.flatMap((t, i) => [TOKEN, KEY].filter((s) => t.includes(s)).map((s) => `${s} in output ${i}`)));
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}

describe('secret params', () => {
  it('`--token=S3CRET` and a secret() param are in no file of the workspace, the Nx cache, the remote store, or any report', () => {
    const ws = open.create('secrets', SECRETS);
    const env = remote.server.nxEnv('read-write');
    const args = ['run', 'k:go', `--token=${TOKEN}`, `--key=${KEY}`];
    ws.resetCalls();
    const first = ws.nxOk(args, { env });
    expect(ws.calls()).toEqual({ up: 1, go: 1 });
    expect(ws.stored('k/.nx-steps/out/go')).toBe(TOKEN.length + TOKEN.length + KEY.length + 2);
    ws.resetCalls();
    const second = ws.nxOk(args, { env });
    expect(ws.calls()).toEqual({});
    expect(taskStatuses(second.output)).toEqual({ 'k:up': 'local', 'k:go': 'local' });
    // Another machine: the same command, outputs and local cache gone: every result comes from the remote store.
    ws.deleteFile('k/.nx-steps');
    fs.rmSync(ws.cacheDir, { recursive: true, force: true });
    ws.resetCalls();
    const third = ws.nxOk(args, { env });
    expect(ws.calls()).toEqual({});
    expect(taskStatuses(third.output)).toEqual({ 'k:up': 'remote', 'k:go': 'remote' });
    expect(remote.server.entries().size).toBeGreaterThan(0);

    const reports = [
      ws.cli(['report']).stdout,
      ws.cli(['report', '--experiments']).stdout,
      ws.cli(['report', '--json']).stdout,
      ws.cli(['fingerprint', 'k:up', '--json']).stdout,
      ws.cli(['why', 'k:up']).stdout,
    ];
    expect(reports[1]).toMatch(/token\s/);
    expect(reports[1]).toContain('•••');
    // What nx-steps itself prints, in every run (Nx echoes the command line it was given in its task headings).
    const ours = [first, second, third].flatMap((r) => r.output.split('\n').filter((l) => l.includes('nx-steps')));
    expect(leaks(ws, [...reports, ...ours])).toEqual([]);
  });
});
