/**
 * The damaged-state table's harness (core/run/damaged-state.test.ts): a real workspace folder run
 * through the workspace pass (what the pre-task hook does), the model (graph construction), the engine
 * and the run records, without Nx; then every file of one kind that nx-steps keeps is damaged one way,
 * and everything runs again. The verdict says what happened: no exception may escape, no diagnostic may
 * be NXS900, every step either has the right result or failed with a diagnostic that names a file, and a
 * step cleared on this machine is never served its pre-clear entry.
 *
 * No vitest here: the unreadable column runs this module in a child process as an unprivileged user when
 * the tests run as root (root reads a `chmod 000` file), `node --import tsx damaged-state.ts <kind>`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { step } from '../../../api/step';
import type { Diagnostic } from '../../diagnostics';
import { fingerprintEnvName } from '../../fingerprint/env-name';
import { updateLock } from '../../fingerprint/lock-file';
import { fingerprintWorkspace, saltStep } from '../../fingerprint/workspace-pass';
import { buildRunRecord } from '../../records/build-record';
import { experimentTable } from '../../records/experiments';
import { readRunRecords, writeRunRecord } from '../../records/record-store';
import { summarize } from '../../records/summarize';
import { createServices, loadWorkspaceModel } from '../../workspace';
import type { RunStepOutcome } from '../run-step';
import { runStep } from '../run-step';
import { keptLog, MemoryCache, storedValue } from './engine';

export const DAMAGES = ['corrupt', 'truncated', 'swapped', 'unreadable', 'directory'] as const;
export type Damage = (typeof DAMAGES)[number];

const PIPELINE = 'etl/etl.pipeline.ts';
const FILES: Readonly<Record<string, string>> = {
  [PIPELINE]: `import { dir, file, pipeline, step } from 'nx-steps';
import { rate } from './helper';
export default pipeline({ name: 'etl' });
export const one = step({ args: { raw: file('raw.csv'), imgs: dir('imgs') } }, ({ raw }, ctx) => [rate(), raw.length, 3]);
export const two = step({ needs: { xs: one }, params: { factor: 10, api_key: 'k' } }, ({ xs, factor }) => xs.map((x) => x * factor));
`,
  'etl/helper.ts': 'export function rate(): number {\n  return 1;\n}\n',
  'etl/raw.csv': 'a,b\n1,2\n',
  'etl/imgs/a.txt': 'a\n',
  'etl/imgs/sub/b.txt': 'b\n',
};
const STEPS = ['one', 'two'] as const;
/** The hasher's clock an hour ahead: files written now are remembered by the stat memo, so it has records to damage. */
const AHEAD = (): bigint => (BigInt(Date.now()) + 3_600_000n) * 1_000_000n;
const EXPECTED: Readonly<Record<(typeof STEPS)[number], unknown>> = { one: [1, 2, 3], two: [10, 20, 30] };

/** The module the pipeline file is, as the engine would load it (its declarations are read from FILES). */
const MODULE = {
  one: step((_input: unknown, ctx: { outDir: string; metric(n: string, v: number): void }) => {
    fs.writeFileSync(path.join(ctx.outDir, 'rows.txt'), 'rows\n');
    ctx.metric('n', 1);
    return [1, 2, 3];
  }),
  two: step((input: { xs?: number[]; factor?: number }) => (input.xs ?? []).map((x) => x * (input.factor ?? 0))),
};

/** One kind of file nx-steps keeps: where its files are in a warmed workspace (folders for folder kinds). */
interface FileKind {
  readonly name: string;
  /** One per workspace (or machine): "another key's" is another workspace's. */
  readonly single?: true;
  readonly find: (root: string) => string[];
  /**
   * For kinds that exist only while a step runs: the leftovers of a run killed while it wrote them (the
   * step's outputs gone too, so the next run goes through them: it takes the lock, restores by step key).
   */
  readonly leftovers?: (root: string, entryKeys: readonly string[]) => void;
}

const under =
  (rel: string, test: (f: string) => boolean = () => true) =>
  (root: string) =>
    walk(path.join(root, rel)).filter(test);
const MACHINE = '.machine';

export const KINDS: readonly FileKind[] = [
  { name: 'parse cache', find: under('.nx-steps/cache/parse') },
  { name: 'modules cache', find: under('.nx-steps/cache/modules') },
  { name: 'closures cache', find: under('.nx-steps/cache/closures') },
  { name: 'stat memo', find: under('.nx-steps/cache/stat-memo', (f) => f.endsWith('.bin')) },
  { name: 'dir listings', find: under('.nx-steps/cache/dir-listings') },
  { name: 'salts', single: true, find: under(MACHINE, (f) => f.includes('nx-steps-salts.json')) },
  { name: 'secret key', single: true, find: under(MACHINE, (f) => f.endsWith('nx-steps-secret.key')) },
  { name: 'lock', single: true, find: (root) => [path.join(root, 'nx-steps.lock.json')] },
  { name: 'step.json', find: under('etl/.nx-steps/out', (f) => f.endsWith('step.json')) },
  { name: 'task.json', find: under('etl/.nx-steps/out', (f) => f.endsWith('task.json')) },
  { name: 'result parts', find: under('etl/.nx-steps/out', (f) => !f.endsWith('step.json') && !f.endsWith('task.json')) },
  { name: 'output folders', find: (root) => STEPS.map((s) => path.join(root, 'etl/.nx-steps/out', s)) },
  { name: 'output locks', find: (root) => STEPS.map((s) => path.join(root, `etl/.nx-steps/out/${s}.lock`)), leftovers: (root) => lockFiles(root) },
  { name: 'work folders', find: under('.nx-steps/work'), leftovers: (root) => leftoverFolder(root, ['.nx-steps/work/999999-dead/result']) },
  {
    name: 'entries',
    find: under('.nx-steps/entries'),
    leftovers: (root, keys) =>
      leftoverFolder(
        root,
        keys.map((k) => `.nx-steps/entries/${k}`),
      ),
  },
  { name: 'run records', find: under('.nx-steps/runs') },
  { name: 'metrics', find: under('.nx-steps/metrics') },
  { name: 'param values', find: under('.nx-steps/params') },
];

function walk(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name === '.gitignore' ? [] : [path.join(dir, e.name)]));
}

function lockFiles(root: string): void {
  for (const s of STEPS) {
    fs.rmSync(path.join(root, 'etl/.nx-steps/out', s), { recursive: true, force: true });
    fs.writeFileSync(path.join(root, `etl/.nx-steps/out/${s}.lock`), JSON.stringify({ pid: 999999, host: os.hostname(), at: '' }));
  }
}

function leftoverFolder(root: string, rels: readonly string[]): void {
  for (const s of STEPS) fs.rmSync(path.join(root, 'etl/.nx-steps/out', s), { recursive: true, force: true });
  for (const rel of rels) {
    fs.mkdirSync(path.join(root, rel), { recursive: true });
    fs.writeFileSync(path.join(root, rel, 'step.json'), '{"schema":2}');
    fs.writeFileSync(path.join(root, `${rel}.lock`), JSON.stringify({ pid: 999999, host: os.hostname(), at: '' }));
  }
}

/** The same kind of file made for another key: the next file of the kind, or another workspace's. */
function swapped(kind: FileKind, files: readonly string[], i: number, other: string): Buffer | undefined {
  const next = files[(i + 1) % files.length];
  const source = !kind.single && files.length > 1 && next ? next : other;
  try {
    return fs.statSync(source).isFile() ? fs.readFileSync(source) : undefined;
  } catch {
    return undefined;
  }
}

function damage(root: string, kind: FileKind, how: Damage, otherRoot: string, entryKeys: readonly string[] = []): string[] {
  kind.leftovers?.(root, entryKeys);
  const files = kind.find(root);
  const others = kind.find(otherRoot);
  files.forEach((file, i) => {
    const isDir = fs.existsSync(file) && fs.statSync(file).isDirectory();
    if (how === 'unreadable') fs.chmodSync(file, 0);
    else if (how === 'directory') {
      // A folder where a file was, or a file where a folder was.
      fs.rmSync(file, { recursive: true, force: true });
      if (isDir) fs.writeFileSync(file, 'not a folder');
      else fs.mkdirSync(path.join(file, 'inside'), { recursive: true });
    } else if (!isDir) {
      const bytes = fs.readFileSync(file);
      if (how === 'corrupt') fs.writeFileSync(file, Buffer.from(Array.from({ length: Math.max(16, bytes.length) }, (_, k) => (k * 37 + 11) % 256)));
      if (how === 'truncated') fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      if (how === 'swapped') fs.writeFileSync(file, swapped(kind, files, i, others[i % Math.max(1, others.length)] ?? '') ?? Buffer.from('{}'));
    } else {
      for (const inner of walk(file)) damage(path.dirname(inner), { ...kind, find: () => [inner], leftovers: () => undefined }, how, otherRoot);
    }
    // A killed run's leftovers are old: a lock is taken over only when it is.
    const old = new Date(Date.now() - 60_000);
    if (fs.existsSync(file) && how !== 'unreadable') fs.utimesSync(file, old, old);
  });
  return files;
}

export interface Verdict {
  readonly kind: string;
  readonly damage: Damage;
  /** What went wrong with the rule (empty: the case holds). */
  readonly problems: readonly string[];
  /** How each step ended, for the report. */
  readonly outcomes: readonly string[];
}

interface Phase {
  readonly outcomes: Map<string, RunStepOutcome>;
  readonly warnings: string[];
  readonly restoredKeys: string[];
}

/** Nx's cache for this workspace, recording what it was asked to restore. */
class WatchedCache extends MemoryCache {
  readonly asked: string[] = [];
  override async restore(key: string, relDir: string): Promise<'local' | 'miss'> {
    const got = await super.restore(key, relDir);
    if (got !== 'miss') this.asked.push(key);
    return got;
  }
}

/** One command: the pre-task hook's pass (and the lock it writes), the graph, each step, the post-task record. */
async function command(root: string, cache: WatchedCache): Promise<Phase> {
  const services = createServices(root, { machineStateDir: path.join(root, MACHINE), env: {}, clock: AHEAD });
  const warnings: string[] = [];
  const outcomes = new Map<string, RunStepOutcome>();
  const startedAt = Date.now();
  try {
    const model = loadWorkspaceModel(services, [PIPELINE]);
    const pass = fingerprintWorkspace(services, model, { now: 0, env: {} });
    warnings.push(...pass.warnings);
    const lock = updateLock(root, pass.lockText);
    if (!lock.ok) warnings.push(lock.error.message);
    const asked = cache.asked.length;
    for (const name of STEPS) {
      const req = { workspaceRoot: root, project: 'etl', projectRoot: 'etl', step: name, pipelineFiles: [PIPELINE], overrides: {} };
      const hashedAs = pass.env[fingerprintEnvName('etl', name)];
      outcomes.set(
        name,
        await runStep({ ...req, hashedAs }, { services, log: keptLog(), importModule: async () => MODULE, runTime: 0, env: {}, entries: cache }),
      );
    }
    const tasks = STEPS.map((s) => ({
      project: 'etl',
      projectRoot: 'etl',
      step: s,
      nxStatus: 'success',
      cacheable: true,
      startTime: startedAt,
      endTime: Date.now(),
    }));
    const record = buildRunRecord(root, { id: String(startedAt), argv: ['node', 'nx', 'run', 'etl:two'], startTime: startedAt, endTime: Date.now(), tasks });
    if (record) writeRunRecord(root, record);
    const records = readRunRecords(root);
    summarize(records);
    experimentTable(records);
    return { outcomes, warnings, restoredKeys: cache.asked.slice(asked) };
  } finally {
    services.flush();
  }
}

/** A workspace after a few commands: every kind of file exists, and step `one` was cleared once (a salt). */
async function warmed(root: string, variant = ''): Promise<{ cache: WatchedCache; preClear: string }> {
  for (const [rel, text] of Object.entries({ ...FILES, 'etl/helper.ts': `export function rate(): number {\n  return 1${variant};\n}\n` })) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  const cache = new WatchedCache(root);
  await command(root, cache);
  const preClear = [...cache.entries.keys()][0] ?? '';
  const services = createServices(root, { machineStateDir: path.join(root, MACHINE), env: {} });
  const model = loadWorkspaceModel(services, [PIPELINE]);
  const project = model.projects[0];
  const one = project?.steps.find((s) => s.name === 'one');
  if (!project || !one || !saltStep(services, project, one, 'clear', 0).ok) throw new Error('could not clear step one');
  fs.rmSync(path.join(root, 'etl/.nx-steps/out/one'), { recursive: true, force: true });
  services.flush();
  await command(root, cache);
  return { cache, preClear };
}

/** Runs one case in a fresh workspace under `base`. */
export async function runCase(base: string, kindName: string, how: Damage): Promise<Verdict> {
  const kind = KINDS.find((k) => k.name === kindName);
  if (!kind) throw new Error(`no file kind ${kindName}`);
  const root = fs.mkdtempSync(path.join(base, 'ws-'));
  const other = await otherWorkspace(base);
  const problems: string[] = [];
  let outcomes: string[] = [];
  try {
    const { cache, preClear } = await warmed(root);
    const damaged = damage(root, kind, how, other, [...cache.entries.keys()]);
    if (damaged.length === 0) problems.push(`no ${kind.name} file to damage`);
    // Twice: the first command meets the damage, the second what the first left.
    for (const round of [1, 2]) {
      const phase = await command(root, cache);
      outcomes = [...phase.outcomes].map(([s, o]) => `${s}: ${o.ok ? o.status : o.diagnostics.map((d) => d.code).join('+')}`);
      problems.push(...judge(root, phase, preClear).map((p) => `round ${round}: ${p}`));
    }
  } catch (e) {
    problems.push(`threw: ${(e as Error).stack ?? String(e)}`);
  } finally {
    for (const f of walkAll(root)) fs.chmodSync(f, 0o700);
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { kind: kind.name, damage: how, problems, outcomes };
}

const others = new Map<string, Promise<string>>();

/** A workspace with other keys (another helper), made once per base: where "another key's" files come from. */
function otherWorkspace(base: string): Promise<string> {
  let made = others.get(base);
  if (!made) {
    const dir = fs.mkdtempSync(path.join(base, 'other-'));
    made = warmed(dir, ' + 0').then(() => dir);
    others.set(base, made);
  }
  return made;
}

function walkAll(dir: string): string[] {
  const out = [dir];
  try {
    fs.chmodSync(dir, 0o700);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) out.push(...walkAll(p));
      else out.push(p);
    }
  } catch {
    // gone, or a file
  }
  return out;
}

function judge(root: string, phase: Phase, preClear: string): string[] {
  const problems: string[] = [];
  if (phase.restoredKeys.includes(preClear)) problems.push('the entry made before `one` was cleared was restored: the clear was undone');
  for (const [name, outcome] of phase.outcomes) {
    if (!outcome.ok) {
      for (const d of outcome.diagnostics) problems.push(...unlocated(name, d));
      continue;
    }
    try {
      const value = storedValue(path.join(root, 'etl/.nx-steps/out', name));
      if (JSON.stringify(value) !== JSON.stringify(EXPECTED[name as keyof typeof EXPECTED])) problems.push(`${name}: wrong result ${JSON.stringify(value)}`);
    } catch (e) {
      problems.push(`${name}: ${outcome.status}, but its outputs do not verify: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** A failure must be an NXS code of its own (never NXS900) that names where (a location, or a path in its message). */
function unlocated(step: string, d: Diagnostic): string[] {
  if (d.code === 'NXS900') return [`${step}: NXS900 ${d.message.split('\n')[0]}`];
  if (d.location || /[\w.-]+\/[\w.-]+/.test(d.message)) return [];
  return [`${step}: ${d.code} without a location: ${d.message}`];
}

// The child process of the unreadable column: `node --import tsx damaged-state.ts <base> <kind>...`.
if (require.main === module) {
  const [base, ...kinds] = process.argv.slice(2);
  void (async () => {
    const verdicts: Verdict[] = [];
    for (const k of kinds) verdicts.push(await runCase(base ?? os.tmpdir(), k, 'unreadable'));
    process.stdout.write(`${JSON.stringify(verdicts)}\n`);
  })();
}
