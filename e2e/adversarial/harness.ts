/**
 * The adversarial suite's machinery (issue 14): cases as data, many cases per
 * workspace, and verdicts against a forced recompute. See the header of
 * e2e/adversarial.e2e.test.ts for how to add a case.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A file of a case: its text, or a symbolic link (target relative to the link's folder, as `ln -s` takes it). */
export type FileSpec = string | { readonly link: string };

/** One change to a file of the case: new text, a [from, to] replacement, a link, or `null` (delete). */
export type FileEdit = string | readonly [from: string, to: string] | { readonly link: string } | null;

/** What an edit may do to the workspace: an Nx workspace (e2e/rig) or an engine rig workspace (e2e/rig/engine). */
export interface CaseWorkspace {
  readonly root: string;
  path(rel: string): string;
  read(rel: string): string;
  write(rel: string, text: string): void;
}

export interface EditContext {
  readonly ws: CaseWorkspace;
  /** The case's folder, workspace-relative (`cases/<id>`). */
  readonly dir: string;
  /** Absolute path of a file of the case. */
  path(rel: string): string;
  /** Applies file edits like the record form does. */
  apply(edits: Readonly<Record<string, FileEdit>>): void;
  /** Runs targets (`project:target`) the way a command does (`nx run`), on this machine. */
  run(targets: readonly string[]): Promise<void>;
  /** `nx-steps clear <project>:<step>` on this machine. */
  clear(target: string): Promise<void>;
  /** Where this machine keeps its salts (nx-steps clear, NX_STEPS_FRESH). */
  saltsFile(): string;
}

/** What a runner lends the edit context. */
export type MachineOps = Pick<EditContext, 'run' | 'clear' | 'saltsFile'>;

export interface AdversarialCase {
  /** Unique; lowercase letters, digits and dashes. The case's folder is `cases/<id>` and its Nx project is `<id>`. */
  readonly id: string;
  /** Which part of the issue it attacks: '1 load-time code', ..., 'precision', 'attacker'. */
  readonly category: string;
  readonly title: string;
  /**
   * The case's files, relative to its folder. One pipeline file (any name
   * ending in .pipeline.ts, usually from `pipelineFile()`), whose steps each
   * call `count('<id>:<step>')` and return a value that reveals behaviour. A
   * package.json in the folder must be named `<id>`.
   */
  readonly files: Readonly<Record<string, FileSpec>>;
  /** The edit made between the first run and the second: file edits, or a function for anything else. */
  readonly edit: Readonly<Record<string, FileEdit>> | ((c: EditContext) => void | Promise<void>);
  /**
   * Whether the edit changes what some step of the case computes. The
   * forced recompute decides; a case whose recompute disagrees with this
   * column fails as mislabelled (the case does not test what it says).
   */
  readonly changes: boolean;
  /** No needless re-run is allowed (comments, formatting, sibling steps, unreached helpers, types, .d.ts). */
  readonly precise?: boolean;
  /**
   * Cases that change something outside their folder (workspace files, the
   * Nx daemon's state, nx-steps' caches) run in a workspace of their own:
   * cases with the same group share one. Default: 'main'.
   */
  readonly group?: string;
  /** Also run in the daemon workspace (NX_DAEMON=true), with the other cases marked so. */
  readonly daemon?: boolean;
  /**
   * Its steps return something new at each run on purpose (a clear must make
   * the step run): a step that ran may differ from the recompute, and one that
   * did not run and differs is the stale result the case looks for.
   */
  readonly impure?: boolean;
  /**
   * The steps judged, when `export const <name> = step(` does not find them
   * (factories, fan-out items, several projects): the key each counts its
   * calls under (`count('<key>')`) → the target, as `<folder in the case>:<target>`
   * ('' for the case folder itself).
   */
  readonly targets?: Readonly<Record<string, string>>;
  /** Where the same keys' steps are after the edit, when it moves or renames them (a renamed step, a moved folder). */
  readonly targetsAfter?: Readonly<Record<string, string>>;
  /** Also run on Nx (e2e/adversarial.e2e.test.ts) by default: one case per category at least. The rest runs there with NXS_ADVERSARIAL_FULL=1. */
  readonly smoke?: boolean;
}

/** One step a case judges: the key its calls are counted under, its folder (case-relative) and target name. */
export interface CaseTarget {
  readonly key: string;
  readonly dir: string;
  readonly target: string;
}

/** The verdict on one step of one case. */
export interface StepVerdict {
  readonly caseId: string;
  readonly step: string;
  readonly before: string;
  /** What the second run served: its result digest, or 'failed'. */
  readonly served: string;
  /** What a forced recompute gives. */
  readonly truth: string;
  /** Whether the step function ran in the second run. */
  readonly ran: boolean;
  /** What a forced recompute of the unedited case gives, and whether the step ran in the first run: judges the first run too (a result served from another step's entry). */
  readonly truthBefore?: string;
  readonly ranFirst?: boolean;
}

export const CASE_ROOT = 'cases';

/** A pipeline file for a case: every step is `async`, counts its call, and returns what `body` returns. */
export function pipelineFile(
  id: string,
  spec: { readonly imports?: string; readonly top?: string; readonly steps: Readonly<Record<string, string>>; readonly api?: string },
): string {
  const steps = Object.entries(spec.steps).map(
    ([name, body]) => `export const ${name} = step(async () => {\n  count('${id}:${name}');\n  ${body.trim().split('\n').join('\n  ')}\n});\n`,
  );
  return [
    `import { pipeline, step } from '${spec.api ?? 'nx-steps'}';`,
    `import { count } from '../../tools/count';`,
    spec.imports ?? '',
    '',
    `export default pipeline({ name: '${id}' });`,
    '',
    spec.top ?? '',
    ...steps,
  ].join('\n');
}

/**
 * The steps a case judges: `targets` when given, else each
 * `export const <name> = step(` of its pipeline files, counted under
 * `<pipeline name>:<name>` (what pipelineFile() writes).
 */
export function caseTargets(c: AdversarialCase, when: 'before' | 'after' = 'before'): CaseTarget[] {
  const explicit = when === 'after' ? (c.targetsAfter ?? c.targets) : c.targets;
  if (explicit) {
    return Object.entries(explicit).map(([key, where]) => {
      const at = where.lastIndexOf(':');
      return { key, dir: where.slice(0, at), target: where.slice(at + 1) };
    });
  }
  const out: CaseTarget[] = [];
  for (const [rel, spec] of Object.entries(c.files)) {
    if (!rel.endsWith('.pipeline.ts') || typeof spec !== 'string') continue;
    const dir = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    const project = /pipeline\(\{\s*name:\s*'([^']+)'/.exec(spec)?.[1] ?? c.id;
    for (const m of spec.matchAll(/export const (\w+) = step\(/g)) if (m[1]) out.push({ key: `${project}:${m[1]}`, dir, target: m[1] });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The target names of a case (for `run-many -t`). */
export function stepsOf(c: AdversarialCase, when: 'before' | 'after' = 'before'): string[] {
  return [...new Set(caseTargets(c, when).map((t) => t.target))].sort();
}

function writeSpec(abs: string, spec: FileSpec): void {
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.rmSync(abs, { force: true, recursive: true });
  if (typeof spec === 'string') fs.writeFileSync(abs, spec);
  else fs.symlinkSync(spec.link, abs);
}

export function writeCase(ws: CaseWorkspace, c: AdversarialCase): void {
  for (const [rel, spec] of Object.entries(c.files)) writeSpec(ws.path(`${CASE_ROOT}/${c.id}/${rel}`), spec);
}

export async function applyEdit(ws: CaseWorkspace, c: AdversarialCase, machine: MachineOps): Promise<void> {
  const dir = `${CASE_ROOT}/${c.id}`;
  const ctx: EditContext = {
    ...machine,
    ws,
    dir,
    path: (rel) => ws.path(`${dir}/${rel}`),
    apply: (edits) => {
      for (const [rel, e] of Object.entries(edits)) {
        const abs = ws.path(`${dir}/${rel}`);
        if (e === null) fs.rmSync(abs, { force: true, recursive: true });
        else if (typeof e === 'string' || 'link' in e) writeSpec(abs, e as FileSpec);
        else {
          const [from, to] = e as readonly [string, string];
          const text = fs.readFileSync(abs, 'utf8');
          if (!text.includes(from)) throw new Error(`case ${c.id}: the edit of ${rel} expects ${JSON.stringify(from)}`);
          fs.writeFileSync(abs, text.replace(from, to));
        }
      }
    },
  };
  if (typeof c.edit === 'function') await c.edit(ctx);
  else ctx.apply(c.edit);
}

/** The digest of a step's stored result, or undefined when there is none. */
export function resultDigest(ws: CaseWorkspace, c: AdversarialCase, t: CaseTarget): string | undefined {
  const file = ws.path(`${CASE_ROOT}/${c.id}/${t.dir ? `${t.dir}/` : ''}.nx-steps/out/${t.target}/result.xxh128`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

/** Every step output folder of a case (what a forced recompute removes). */
export function outputFolders(ws: CaseWorkspace, c: AdversarialCase): string[] {
  return [...new Set([...caseTargets(c), ...caseTargets(c, 'after')].map((t) => ws.path(`${CASE_ROOT}/${c.id}/${t.dir ? `${t.dir}/` : ''}.nx-steps/out`)))];
}

/** Nx's list of failed tasks (`- project:target` lines after "failed"). */
export function failedTasks(output: string): Set<string> {
  const out = new Set<string>();
  const lines = output.split('\n');
  let inList = false;
  for (const line of lines) {
    if (/targets? failed|Failed tasks/.test(line)) {
      inList = true;
      continue;
    }
    const m = /^\s*-\s+(\S+:\S+)\s*$/.exec(line);
    if (inList && m?.[1]) out.add(m[1]);
    else if (inList && line.trim() !== '' && !m) inList = /^\s*-/.test(line);
  }
  return out;
}

export interface CaseSummary {
  readonly c: AdversarialCase;
  readonly steps: readonly StepVerdict[];
  readonly stale: readonly StepVerdict[];
  readonly needless: readonly StepVerdict[];
  /** What is wrong with the case itself or the run (not a verdict on nx-steps' key). */
  readonly problems: readonly string[];
}

export function judge(c: AdversarialCase, steps: readonly StepVerdict[]): CaseSummary {
  const problems: string[] = [];
  const firstStale = (s: StepVerdict) => s.truthBefore !== undefined && s.ranFirst === false && s.before !== s.truthBefore;
  const stale = steps.filter((s) => (!s.ran && s.served !== s.truth) || firstStale(s));
  const truthBefore = (s: StepVerdict) => s.truthBefore ?? s.before;
  const needless = steps.filter((s) => s.ran && s.truth === truthBefore(s) && !firstStale(s));
  for (const s of steps) {
    if (s.before === 'failed') problems.push(`${s.step} failed in the first run`);
    if (s.ran && s.served !== s.truth && !c.impure)
      problems.push(`${s.step} ran but differs from the recompute (served ${s.served}, recomputed ${s.truth}): not deterministic?`);
    if (s.served === 'failed' && s.truth !== 'failed') problems.push(`${s.step} failed in the second run but not in the recompute`);
  }
  const changed = steps.some((s) => s.truth !== truthBefore(s));
  if (changed !== c.changes) problems.push(`mislabelled: the recompute says the edit ${changed ? 'changes' : 'does not change'} what the steps compute`);
  if (c.precise && needless.length > 0) problems.push(`precision: needless re-run of ${needless.map((s) => s.step).join(', ')}`);
  return { c, steps, stale, needless, problems };
}

/** The table printed after a run: one line per category, then every stale or needless case. */
export function report(summaries: readonly CaseSummary[], seconds: number, label: string): string {
  const byCategory = new Map<string, CaseSummary[]>();
  for (const s of summaries) byCategory.set(s.c.category, [...(byCategory.get(s.c.category) ?? []), s]);
  const rows = [...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  const count = (xs: CaseSummary[], f: (s: CaseSummary) => number) => xs.reduce((n, s) => n + f(s), 0);
  const lines = [
    `adversarial suite (${label}): ${summaries.length} cases in ${seconds.toFixed(0)} s`,
    '  category                 cases  changed  stale  needless  precise-cases',
  ];
  for (const [cat, xs] of rows) {
    lines.push(
      `  ${cat.padEnd(24)} ${String(xs.length).padStart(5)}  ${String(xs.filter((s) => s.c.changes).length).padStart(7)}  ${String(count(xs, (s) => s.stale.length)).padStart(5)}  ${String(count(xs, (s) => s.needless.length)).padStart(8)}  ${String(xs.filter((s) => s.c.precise).length).padStart(13)}`,
    );
  }
  const all = summaries as CaseSummary[];
  lines.push(
    `  ${'total'.padEnd(24)} ${String(all.length).padStart(5)}  ${String(all.filter((s) => s.c.changes).length).padStart(7)}  ${String(count(all, (s) => s.stale.length)).padStart(5)}  ${String(count(all, (s) => s.needless.length)).padStart(8)}`,
  );
  for (const s of all) {
    for (const v of s.stale)
      lines.push(
        v.ranFirst === false && v.truthBefore !== undefined && v.before !== v.truthBefore
          ? `  STALE on the first run ${s.c.id}:${v.step} (${s.c.title}): served ${v.before}, recompute ${v.truthBefore}`
          : `  STALE ${s.c.id}:${v.step} (${s.c.title}): served ${v.served}, recompute ${v.truth}`,
      );
    for (const v of s.needless) lines.push(`  needless ${s.c.id}:${v.step} (${s.c.title})`);
    for (const p of s.problems) lines.push(`  PROBLEM ${s.c.id} (${s.c.title}): ${p}`);
  }
  return lines.join('\n');
}
