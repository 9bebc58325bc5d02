/**
 * The adversarial tables (e2e/adversarial/cases) on the engine rig, every
 * case in every mode, each verdict against a forced recompute:
 *
 *   plain        a machine runs, the edit is made, it runs again (outputs on
 *                disk, its local step-keyed entries, its Nx cache)
 *   batch        the same, with the steps of a command sharing one process
 *                (services and modules: today's batch executor)
 *   step-keyed   a fresh machine (a copy of the edited checkout: no outputs,
 *                an empty Nx cache) whose remote cache holds what the first
 *                machine stored: every result it serves comes by a step's own
 *                key (class 1 of issue 22 lives here)
 *
 * The truth is the edited checkout with its outputs removed and every lookup
 * skipped; the first run of each mode is judged too, against the same
 * recompute of the unedited checkout (a step served another step's result
 * on a first run, with no edit at all).
 *
 * Steps of one tsconfig share a process: tsx reads one tsconfig per process,
 * as a step process of Nx reads the one nearest its pipeline file. (Nx's
 * --batch today runs every step in one process and fails, NXS214, the steps
 * whose nearest tsconfig is not the first one loaded: an engine matter, issue
 * 23; the batch mode here is what a batch that keeps tsconfigs apart does.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdversarialCase, CaseSummary, CaseTarget, MachineOps, StepVerdict } from '../../adversarial/harness';
import { applyEdit, CASE_ROOT, caseTargets, judge, resultDigest, writeCase } from '../../adversarial/harness';
import type { CommandResult, RigWorkspace, RunnerMode, RunOptions } from './index';
import { createRigWorkspace, newStore, removeStore, runCommand } from './index';

export type RigMode = 'plain' | 'batch' | 'step-keyed';
export const RIG_MODES: readonly RigMode[] = ['plain', 'batch', 'step-keyed'];

/** A machine: a checkout and the caches it uses. */
interface Machine {
  readonly ws: RigWorkspace;
  readonly mode: RunnerMode;
  readonly local?: string;
  readonly remote?: string;
  /** A read-only token: the machine reads the remote and writes nothing to it. */
  readonly remoteReadOnly?: boolean;
  readonly nx?: string;
}

/** The tsconfig tsx would read for a case's project (load-module.ts: the nearest to the pipeline file). */
function tsconfigOf(ws: RigWorkspace, projectRoot: string): string {
  for (let dir = ws.path(projectRoot); ; dir = path.dirname(dir)) {
    for (const name of ['tsconfig.json', 'tsconfig.base.json']) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
    if (dir === ws.root || path.dirname(dir) === dir) return '';
  }
}

function projectRoots(c: AdversarialCase): string[] {
  return [...new Set([...caseTargets(c), ...caseTargets(c, 'after')].map((t) => `${CASE_ROOT}/${c.id}${t.dir ? `/${t.dir}` : ''}`))];
}

/** Runs every step of the cases on a machine, one process per tsconfig, three at a time (runCommand bounds them). */
async function runCases(m: Machine, cases: readonly AdversarialCase[], extra: Partial<RunOptions> = {}): Promise<CommandResult> {
  const groups = new Map<string, string[]>();
  for (const c of cases) for (const root of projectRoots(c)) groups.set(tsconfigOf(m.ws, root), [...(groups.get(tsconfigOf(m.ws, root)) ?? []), root]);
  const results: CommandResult[] = [];
  const queue = [...groups.values()];
  const worker = async () => {
    for (let projects = queue.shift(); projects; projects = queue.shift()) results.push(await runCommand(m.ws, { ...options(m), projects, ...extra }));
  };
  await Promise.all([worker(), worker(), worker()]);
  return { tasks: results.flatMap((r) => r.tasks), warnings: results.flatMap((r) => r.warnings) };
}

function options(m: Machine): RunOptions {
  return {
    mode: m.mode,
    ...(m.local ? { localEntries: m.local } : {}),
    ...(m.remote ? { remoteEntries: m.remote, remoteReadOnly: m.remoteReadOnly ?? false } : {}),
    ...(m.nx ? { nxCache: m.nx } : {}),
  };
}

/** What an edit may run on a machine: the same caches, the same runner. */
function machineOps(m: Machine): MachineOps {
  return {
    run: async (targets) => void (await runCommand(m.ws, { ...options(m), targets })),
    clear: async (target) => void (await runCommand(m.ws, { ...options(m), kind: 'clear', targets: [target] })),
    saltsFile: () => m.ws.path('.nx-steps/state/nx-steps-salts.json'),
  };
}

type Digests = Map<string, string>;

function key(c: AdversarialCase, t: CaseTarget): string {
  return `${c.id}\0${t.key}`;
}

/** Each judged step's result digest after a command ('failed' when its task failed or left none). */
function digests(ws: RigWorkspace, cases: readonly AdversarialCase[], run: CommandResult, when: 'before' | 'after'): Digests {
  const failed = new Set(run.tasks.filter((t) => t.status === 'failed' || t.status === 'skipped').map((t) => `${t.root}\0${t.target}`));
  const out: Digests = new Map();
  for (const c of cases) {
    for (const t of caseTargets(c, when)) {
      const root = `${CASE_ROOT}/${c.id}${t.dir ? `/${t.dir}` : ''}`;
      out.set(key(c, t), failed.has(`${root}\0${t.target}`) ? 'failed' : (resultDigest(ws, c, t) ?? 'failed'));
    }
  }
  return out;
}

async function editAll(m: Machine, cases: readonly AdversarialCase[]): Promise<void> {
  for (const c of cases) await applyEdit(m.ws, c, machineOps(m));
}

interface Phase {
  readonly before: Digests;
  readonly ranFirst: Readonly<Record<string, number>>;
  readonly served: Digests;
  readonly ran: Readonly<Record<string, number>>;
  readonly runs: readonly CommandResult[];
}

/** One mode's two runs around the edit. */
async function twoRuns(first: Machine, second: () => Promise<Machine>, cases: readonly AdversarialCase[]): Promise<Phase> {
  first.ws.resetCalls();
  const run1 = await runCases(first, cases);
  const before = digests(first.ws, cases, run1, 'before');
  const ranFirst = first.ws.calls();
  const m = await second();
  m.ws.resetCalls();
  const run2 = await runCases(m, cases);
  return { before, ranFirst, served: digests(m.ws, cases, run2, 'after'), ran: m.ws.calls(), runs: [run1, run2] };
}

export interface GroupResult {
  readonly summaries: readonly CaseSummary[];
  /** Every command's output, for assertions on what a run says (warnings, notes). */
  readonly runs: Readonly<Record<RigMode, readonly CommandResult[]>>;
}

/** Runs one group of cases (one workspace) in the given modes and judges every case in each. */
export async function runGroup(name: string, cases: readonly AdversarialCase[], modes: readonly RigMode[] = RIG_MODES): Promise<GroupResult> {
  const origin = createRigWorkspace(`adv-${name}`);
  const stores: string[] = [];
  const store = (n: string) => {
    const s = newStore(n);
    stores.push(s);
    return s;
  };
  const workspaces: RigWorkspace[] = [origin];
  const copy = (n: string) => {
    const ws = origin.freshCopy(n);
    workspaces.push(ws);
    return ws;
  };
  try {
    for (const c of cases) writeCase(origin, c);
    const phases: Partial<Record<RigMode, Phase>> = {};
    // The modes and the recompute are independent: they run side by side (runCommand bounds the processes).
    const plainChain = async () => {
      if (!modes.includes('plain') && !modes.includes('step-keyed')) return;
      const plain: Machine = { ws: copy('plain'), mode: 'plain', local: store('plain-entries'), nx: store('plain-nx') };
      phases.plain = await twoRuns(
        plain,
        async () => {
          if (modes.includes('step-keyed')) phases['step-keyed'] = await stepKeyed(plain, cases, copy, store);
          await editAll(plain, cases);
          return plain;
        },
        cases,
      );
    };
    const batchChain = async () => {
      if (!modes.includes('batch')) return;
      const batch: Machine = { ws: copy('batch'), mode: 'batch', local: store('batch-entries'), nx: store('batch-nx') };
      phases.batch = await twoRuns(batch, async () => (await editAll(batch, cases), batch), cases);
    };
    const truthRun = async () => {
      const truthWs = copy('truth');
      await editAll({ ws: truthWs, mode: 'plain' }, cases);
      return digests(truthWs, cases, await runCases({ ws: truthWs, mode: 'plain' }, cases, { skipLookups: true }), 'after');
    };
    const [truth] = await Promise.all([truthRun(), plainChain(), batchChain()]);
    const truthBefore = await firstRunTruth(cases, Object.values(phases), copy);
    const summaries = modes.flatMap((mode) => {
      const phase = phases[mode];
      return phase ? cases.map((c) => ({ ...judgeCase(c, phase, truth, truthBefore), mode })) : [];
    });
    return {
      summaries: summaries.map((s) => ({ ...s, c: { ...s.c, category: `${s.c.category} [${s.mode}]` } })),
      runs: Object.fromEntries(modes.map((m) => [m, phases[m]?.runs ?? []])) as Record<RigMode, readonly CommandResult[]>,
    };
  } finally {
    if (!process.env['NXS_KEEP_ADVERSARIAL']) {
      for (const ws of workspaces) ws.remove();
      for (const s of stores) removeStore(s);
    } else console.log(`engine rig workspaces kept: ${workspaces.map((w) => w.root).join(' ')}`);
  }
}

/**
 * The recompute of the unedited checkout, for the cases where a step did not
 * run on a first run (it was served something: was it its own?). When every
 * step ran, its first result is its truth.
 */
async function firstRunTruth(cases: readonly AdversarialCase[], phases: readonly Phase[], copy: (n: string) => RigWorkspace): Promise<Digests> {
  const served = cases.filter((c) => caseTargets(c).some((t) => phases.some((p) => (p.ranFirst[t.key] ?? 0) === 0)));
  if (served.length === 0) return new Map();
  const ws = copy('truth0');
  return digests(ws, served, await runCases({ ws, mode: 'plain' }, served, { skipLookups: true }), 'before');
}

/**
 * A fresh machine whose remote cache is what the first machine stored: a
 * copy of the checkout as the edit leaves it, without outputs, with an empty
 * Nx cache. Its "first run" is the first machine's.
 */
async function stepKeyed(first: Machine, cases: readonly AdversarialCase[], copy: (n: string) => RigWorkspace, store: (n: string) => string): Promise<Phase> {
  const before = digests(first.ws, cases, { tasks: [], warnings: [] }, 'before');
  const ranFirst = first.ws.calls();
  const m: Machine = {
    ws: copy('step-keyed'),
    mode: 'plain',
    ...(first.local ? { remote: first.local } : {}),
    remoteReadOnly: true,
    local: store('step-keyed-local'),
    nx: store('step-keyed-nx'),
  };
  await editAll(m, cases);
  m.ws.resetCalls();
  const run = await runCases(m, cases);
  return { before, ranFirst, served: digests(m.ws, cases, run, 'after'), ran: m.ws.calls(), runs: [run] };
}

function judgeCase(c: AdversarialCase, phase: Phase, truth: Digests, truthBefore: Digests): CaseSummary {
  const steps: StepVerdict[] = caseTargets(c, 'after').map((t) => ({
    caseId: c.id,
    step: t.key,
    before: phase.before.get(key(c, t)) ?? 'failed',
    served: phase.served.get(key(c, t)) ?? 'failed',
    truth: truth.get(key(c, t)) ?? 'failed',
    ran: (phase.ran[t.key] ?? 0) > 0,
    ...(truthBefore.has(key(c, t)) ? { truthBefore: truthBefore.get(key(c, t)) ?? 'failed' } : {}),
    ranFirst: (phase.ranFirst[t.key] ?? 0) > 0,
  }));
  return judge(c, steps);
}
