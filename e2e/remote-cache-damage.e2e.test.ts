/**
 * Issue 24: no cache content can fail a run twice. A real cache server
 * (nginx, e2e/rig/remote-cache-server.ts) serves each kind of damage the
 * issue lists (e2e/rig/remote-entries.ts: truncated, random, empty, junk
 * gzip, only terminalOutput and code, an absolute path, a traversal, a
 * symbolic and a hard link, a 3 GiB bomb in 3 MB) for an upstream step and
 * a final step, under Nx's key and under the step's own key. One chain of
 * two steps per kind of damage, so one run of the pipeline covers every kind
 * at once. "Machines" are workspace copies with their own local Nx cache;
 * every claim is a count of step calls and a stored result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { remoteCachePerFile, workspacesPerTest } from './rig';
import type { StoredEntry } from './rig/remote-entries';
import { bytesUnder, DAMAGE, ESCAPE_TARGET, storedEntries } from './rig/remote-entries';

const KINDS = Object.keys(DAMAGE);
const id = (kind: string) => kind.replace(/-/g, '_');

/** Per kind of damage: u_<kind> (an upstream step) and f_<kind> (the final step, which reads it). */
const PIPELINE = `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'dmg' });
${KINDS.map(
  (kind, i) => `
export const u_${id(kind)} = step(() => {
  count('u_${id(kind)}');
  return [${i}, ${i + 1}, ${i + 2}];
});

export const f_${id(kind)} = step({ needs: { xs: u_${id(kind)} } }, ({ xs }) => {
  count('f_${id(kind)}');
  return \`${kind}=\${xs.reduce((a, b) => a + b, 0)}\`;
});
`,
).join('')}`;

const FILES = { 'dmg/dmg.pipeline.ts': PIPELINE };
const UPSTREAM = KINDS.map((k) => `u_${id(k)}`);
const FINAL = KINDS.map((k) => `f_${id(k)}`);

const open = workspacesPerTest();
const remote = remoteCachePerFile();

const machine = (name: string): Workspace => open.create(name, FILES);

function run(ws: Workspace, env: Record<string, string> = {}): { code: number; calls: Record<string, number>; output: string } {
  ws.resetCalls();
  const r = ws.nx(['run-many', '-t', ...FINAL, '-p', 'dmg', '--output-style=static'], {
    env: { ...remote.server.nxEnv('read-write'), ...env },
    timeoutMs: 300_000,
  });
  return { code: r.code, calls: ws.calls(), output: r.output };
}

/** Every final result correct: what the chain computes, whatever the server served. */
function expectCorrect(ws: Workspace): void {
  for (const [i, kind] of KINDS.entries()) expect(ws.stored(`dmg/.nx-steps/out/f_${id(kind)}`), kind).toBe(`${kind}=${3 * i + 3}`);
}

/** Nothing written outside the workspace, nothing of a bomb kept, no entry left in transit. */
function expectNothingLeftBehind(ws: Workspace): void {
  expect(fs.existsSync(ESCAPE_TARGET)).toBe(false);
  expect(bytesUnder(ws.cacheDir)).toBeLessThan(64 * 1024 * 1024);
  expect(bytesUnder(ws.root) - bytesUnder(ws.path('node_modules'))).toBeLessThan(64 * 1024 * 1024);
  const inTransit = ws.path('.nx-steps/entries');
  expect(fs.existsSync(inTransit) ? fs.readdirSync(inTransit).filter((e) => !e.endsWith('.lock')) : []).toEqual([]);
}

describe('a cache server that serves damaged entries (issue 24)', () => {
  let genuine: Map<string, StoredEntry>;

  /** Serves damage `kind` for step `<prefix>_<kind>` under `key`, and every other entry as it was stored. */
  async function damage(key: 'nx' | 'step', prefix: 'u' | 'f'): Promise<void> {
    for (const entry of genuine.values()) remote.server.replaceEntry(entry.hash, entry.body);
    for (const kind of KINDS) {
      const entry = genuine.get(`${key}:${prefix}_${id(kind)}`);
      if (!entry) throw new Error(`no ${key} entry of ${prefix}_${id(kind)}`);
      remote.server.replaceEntry(entry.hash, await DAMAGE[kind]!(entry));
    }
  }

  beforeAll(() => {
    const a = machine('seed');
    expect(run(a).code).toBe(0);
    genuine = storedEntries(remote.server);
    expect(genuine.size).toBe(4 * KINDS.length);
  });

  it("Nx's entry of an upstream step: every kind is a miss (restored by the step's key), the empty one is recomputed in process; the next run calls nothing", async () => {
    await damage('nx', 'u');
    const b = machine('upstream-nx-key');
    const first = run(b);
    expect(first.code, first.output).toBe(0);
    // Nx restored u_only_output's entry (it holds no outputs); f_only_output recomputed it, in its own process.
    expect(first.calls).toEqual({ u_only_output: 1 });
    expect(first.output).toContain('upstream step dmg:u_only_output is unusable (missing, though Nx counted its task done)');
    expect(first.output).toContain('served 9 unusable entries, taken as misses: ');
    for (const kind of KINDS.filter((k) => k !== 'only-output')) expect(first.output).toContain(`dmg:u_${id(kind)} (`);
    expect(first.output).toContain('dmg:u_bomb (it unpacks to more than 2 GiB (the cap on one entry))');
    expectCorrect(b);
    expectNothingLeftBehind(b);
    const again = run(b);
    expect(again.code).toBe(0);
    expect(again.calls).toEqual({});
  });

  it("Nx's entry of a final step: every kind is a miss, but the empty one, which fails the first run with the command that fixes it", async () => {
    await damage('nx', 'f');
    const c = machine('final-nx-key');
    const first = run(c);
    expect(first.code).toBe(1);
    expect(first.calls).toEqual({});
    expect(first.output).toContain('NXS207: Nx restored dmg:f_only_output from its cache, but the result is unusable');
    expect(first.output).toContain('Run the command again: nx run-many -t');
    expect(c.exists('dmg/.nx-steps/out/f_only_output')).toBe(false);
    const again = run(c);
    expect(again.code, again.output).toBe(0);
    expect(again.calls).toEqual({ f_only_output: 1 });
    expectCorrect(c);
    expectNothingLeftBehind(c);
  });

  it("the step's own key, upstream and final: every kind is a miss and the step runs", async () => {
    await damage('step', 'u');
    for (const kind of KINDS) {
      const entry = genuine.get(`step:f_${id(kind)}`)!;
      remote.server.replaceEntry(entry.hash, await DAMAGE[kind]!(entry));
    }
    // Another target in the project: every Nx hash changes, so only the step-keyed entries can restore.
    const d = machine('step-key');
    d.write('dmg/project.json', `${JSON.stringify({ name: 'dmg', targets: { lint: { command: 'echo lint' } } })}\n`);
    const r = run(d);
    expect(r.code, r.output).toBe(0);
    expect(r.calls).toEqual(Object.fromEntries([...UPSTREAM, ...FINAL].map((s) => [s, 1])));
    expectCorrect(d);
    expectNothingLeftBehind(d);
  });

  it('without the guard (remoteCache.guard: false, or NX_STEPS_REMOTE_GUARD=off), Nx fails on a damaged entry; `nx-steps clear <step>` is the way out', async () => {
    for (const entry of genuine.values()) remote.server.replaceEntry(entry.hash, entry.body);
    const upstream = genuine.get('nx:u_truncated')!;
    remote.server.replaceEntry(upstream.hash, await DAMAGE['truncated']!(upstream));
    const e = machine('no-guard');
    const off = { NX_STEPS_REMOTE_GUARD: 'off' };
    const failed = run(e, off);
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/Failed to unpack entry|Failed to read entr/);
    expect(e.cli(['clear', 'dmg:u_truncated']).code).toBe(0);
    const fixed = run(e, off);
    expect(fixed.code, fixed.output).toBe(0);
    expect(fixed.calls).toEqual({ u_truncated: 1 });
    expectCorrect(e);
    expect(path.isAbsolute(ESCAPE_TARGET)).toBe(true);
  });
});
