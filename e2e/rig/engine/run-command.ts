/**
 * One command of the engine rig, inside its own process (runner.cjs starts
 * it): what `nx run-many` does for step targets, without Nx. The pre-task
 * pass computes every step's `{env}` value and lock entry
 * (fingerprint/workspace-pass.ts); each task, in dependency order, is looked
 * up in the model of Nx's cache by what its Nx hash would see (stores.ts), and
 * on a miss runs through the real engine (`runStep`: kept on disk, the
 * step-keyed entry, execute), whose outputs the model then stores, as Nx
 * does after the executor returns.
 *
 * `runner` decides how steps share a process: 'plain' gives each step fresh
 * engine services and fresh CommonJS modules (Nx without --batch starts a
 * process per step); 'batch' runs them all with one set of services and each
 * module loaded once (the batch executor today). It is a seam: a scheduler
 * that runs steps in workers plugs in here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { saltStep } from '../../../plugin/core/fingerprint/workspace-pass';
import { fingerprintEnvName } from '../../../plugin/core/fingerprint/env-name';
import { lockId } from '../../../plugin/core/fingerprint/step-key';
import { fingerprintWorkspace } from '../../../plugin/core/fingerprint/workspace-pass';
import type { ProjectModel, StepModel, WorkspaceModel } from '../../../plugin/core/model/project-model';
import { evaluateKey } from '../../../plugin/core/run/key';
import { importModule } from '../../../plugin/core/run/load-module';
import type { RunLog } from '../../../plugin/core/run/log';
import type { RunStepDeps, RunStepOutcome, RunStepRequest } from '../../../plugin/core/run/run-step';
import { runStep } from '../../../plugin/core/run/run-step';
import type { Services } from '../../../plugin/core/workspace';
import { createServices, loadWorkspaceModel } from '../../../plugin/core/workspace';
import { needTargets } from '../../../plugin/nx/targets';
import { FolderEntryCache, NxCacheModel, nxTaskHash } from './stores';

export type RunnerMode = 'plain' | 'batch';

export interface RigCommand {
  readonly kind: 'run' | 'clear';
  readonly root: string;
  /** `project:target`; a fan-out's group target means its items. Empty: every step of `projects`. */
  readonly targets: readonly string[];
  /** Project roots whose every step runs when `targets` is empty (default: every project). */
  readonly projects?: readonly string[];
  readonly mode: RunnerMode;
  /** `--skip-nx-cache`: no lookups anywhere (the forced recompute). */
  readonly skipLookups: boolean;
  /** This machine's local cache of step-keyed entries, and a remote shared with other machines. */
  readonly localEntries?: string;
  readonly remoteEntries?: string;
  /** Read the remote, never write it (a read-only token). */
  readonly remoteReadOnly?: boolean;
  /** Nx's own cache on this machine; none: Nx misses every task. */
  readonly nxCache?: string;
  readonly now: number;
  readonly env: Readonly<Record<string, string>>;
}

export interface TaskResult {
  readonly task: string;
  /** The project's root (workspace-relative) and the target. */
  readonly root?: string;
  readonly target?: string;
  readonly status: 'nx-cache' | 'executed' | 'kept' | 'restored' | 'uncached' | 'failed' | 'skipped';
  readonly notes: readonly string[];
  readonly errors: readonly string[];
}

export interface CommandResult {
  readonly tasks: readonly TaskResult[];
  /** What the pre-task pass printed (nx-steps: ...). */
  readonly warnings: readonly string[];
}

/** Pipeline files as the plugin finds them (`**\/*.pipeline.ts` outside node_modules). */
function pipelineFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!['node_modules', '.nx-steps', '.git'].includes(e.name)) out.push(...pipelineFiles(root, r));
    } else if (e.name.endsWith('.pipeline.ts')) out.push(r);
  }
  return out.sort();
}

interface Task {
  readonly id: string;
  readonly project: ProjectModel;
  readonly step: StepModel;
  readonly deps: readonly string[];
}

/** The tasks of the command and what they need, in an order where each comes after its dependencies. */
function plan(model: WorkspaceModel, targets: readonly string[], projects: readonly string[] | undefined): Task[] {
  const byId = new Map<string, Task>();
  const ofProjects = new Set<string>();
  for (const project of model.projects) {
    for (const step of project.steps) {
      const deps = [...new Set(Object.values(step.needs).flatMap((n) => needTargets(project, n)))].map((t) => `${project.displayName}:${t}`);
      byId.set(`${project.displayName}:${step.name}`, { id: `${project.displayName}:${step.name}`, project, step, deps });
      if (!projects || projects.includes(project.root)) ofProjects.add(`${project.displayName}:${step.name}`);
    }
  }
  const wanted = targets.length === 0 ? [...ofProjects] : targets.flatMap((t) => expand(model, t));
  const order: Task[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    const task = byId.get(id);
    if (!task || seen.has(id)) return;
    seen.add(id);
    for (const d of task.deps) visit(d);
    order.push(task);
  };
  for (const id of wanted.sort()) visit(id);
  return order;
}

function expand(model: WorkspaceModel, target: string): string[] {
  const [projectName, name] = target.split(':') as [string, string];
  const project = model.projects.find((p) => p.displayName === projectName);
  const fanOut = project?.fanOuts[name ?? ''];
  return fanOut ? fanOut.items.map((i) => `${projectName}:${i.target}`) : [target];
}

function collectingLog(notes: string[]): RunLog {
  return { note: (m) => notes.push(m), info: () => undefined, warn: () => undefined, error: () => undefined };
}

function lockField(root: string, step: StepModel): string {
  try {
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'nx-steps.lock.json'), 'utf8')) as { steps?: Record<string, unknown> };
    return JSON.stringify(lock.steps?.[lockId(step)] ?? null);
  } catch {
    return 'unreadable';
  }
}

/** Forgets the workspace's CommonJS modules: the next step loads them afresh, as a new process would. */
function freshModules(root: string): void {
  for (const file of Object.keys(require.cache)) if (file.startsWith(`${root}${path.sep}`)) delete require.cache[file];
}

/** Sets these variables in this process's environment; returns what puts them back. */
function taskEnv(vars: Readonly<Record<string, string>>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** The `{runtime}` input of a step with a custom key: what `nx-steps key` prints. */
async function runtimeInput(root: string, project: ProjectModel, step: StepModel, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!step.cache.enabled || !step.cache.key) return undefined;
  try {
    const key = await evaluateKey(await importModule(path.join(root, step.file), root), root, project.displayName, step, env);
    return key.ok ? `key:${key.value}` : `key-error:${Math.random()}`;
  } catch {
    return `key-error:${Math.random()}`;
  }
}

interface Context {
  readonly cmd: RigCommand;
  readonly shared: Services;
  readonly env: Record<string, string>;
  readonly nx: NxCacheModel | undefined;
}

async function runTask(ctx: Context, task: Task, failed: ReadonlySet<string>): Promise<TaskResult> {
  const result = await runTaskUnlabelled(ctx, task, failed);
  return { ...result, root: task.project.root, target: task.step.name };
}

async function runTaskUnlabelled(ctx: Context, task: Task, failed: ReadonlySet<string>): Promise<TaskResult> {
  const { cmd } = ctx;
  const notes: string[] = [];
  if (task.deps.some((d) => failed.has(d))) return { task: task.id, status: 'skipped', notes, errors: [] };
  const { project, step } = task;
  const out = path.join(cmd.root, project.root, '.nx-steps', 'out', step.name);
  const env = { ...process.env, ...ctx.env };
  const upstream = task.deps.map((d) => {
    const [, t] = d.split(':');
    const f = path.join(cmd.root, project.root, '.nx-steps', 'out', t ?? '', 'result.xxh128');
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : 'missing';
  });
  const runtime = await runtimeInput(cmd.root, project, step, env);
  const hash = nxTaskHash({
    project: project.displayName,
    target: step.name,
    overrides: {},
    lockField: lockField(cmd.root, step),
    env: ctx.env[fingerprintEnvName(step.projectRoot, step.name)] ?? '',
    upstream,
    ...(runtime ? { runtime } : {}),
  });
  const cached = step.cache.enabled && step.errors.length === 0;
  if (cached && !cmd.skipLookups && ctx.nx?.restore(hash, out)) return { task: task.id, status: 'nx-cache', notes, errors: [] };
  const req: RunStepRequest = {
    workspaceRoot: cmd.root,
    project: project.displayName,
    projectRoot: project.root,
    step: step.name,
    pipelineFiles: project.pipelineFiles,
    overrides: {},
    runSteps: undefined,
    hashedAs: ctx.env[fingerprintEnvName(step.projectRoot, step.name)],
    nxHash: hash,
  };
  const deps: RunStepDeps = { log: collectingLog(notes), runTime: cmd.now, env, skipLookups: cmd.skipLookups, ...entryCaches(cmd) };
  // What Nx puts in a task's environment (tasks-runner/task-env.js): a step can read who it is there.
  const restoreEnv = taskEnv({ NX_TASK_TARGET_PROJECT: project.displayName, NX_TASK_TARGET_TARGET: step.name, NX_TASK_HASH: hash });
  let outcome: RunStepOutcome;
  try {
    outcome = await RUNNERS[cmd.mode](req, deps, ctx.shared);
  } catch (e) {
    outcome = { ok: false, diagnostics: [{ code: 'NXS900', severity: 'error', message: (e as Error).stack ?? String(e), hint: '' }] };
  } finally {
    restoreEnv();
  }
  if (!outcome.ok) return { task: task.id, status: 'failed', notes, errors: outcome.diagnostics.map((d) => `${d.code}: ${d.message}`) };
  if (cached) ctx.nx?.store(hash, out);
  return { task: task.id, status: outcome.status, notes, errors: [] };
}

/**
 * How a step runs inside the command's process: the seam an engine that runs
 * steps in workers, or in parallel, plugs into (a runner gets what runStep
 * gets, and the command's shared services).
 */
export type StepRunner = (req: RunStepRequest, deps: RunStepDeps, shared: Services) => Promise<RunStepOutcome>;

export const RUNNERS: Readonly<Record<RunnerMode, StepRunner>> = {
  /** A process per step, as Nx without --batch: fresh services, the workspace's CommonJS modules loaded afresh. */
  plain: async (req, deps) => {
    freshModules(req.workspaceRoot);
    const services = createServices(req.workspaceRoot);
    try {
      return await runStep(req, { ...deps, services });
    } finally {
      services.flush();
    }
  },
  /** Today's batch executor: one set of services, each module loaded once, steps one after another. */
  batch: (req, deps, shared) => runStep(req, { ...deps, services: shared }),
};

/** The local cache, and the remote behind it (read after a local miss; written too), as Nx's DbCache gives them. */
function entryCaches(cmd: RigCommand): { entries?: FolderEntryCache | LayeredCache } {
  const local = cmd.localEntries ? new FolderEntryCache(cmd.localEntries, cmd.root, 'local') : undefined;
  const remote = cmd.remoteEntries ? new FolderEntryCache(cmd.remoteEntries, cmd.root, 'remote') : undefined;
  if (local && remote) return { entries: new LayeredCache(local, remote, cmd.remoteReadOnly ?? false) };
  const one = local ?? remote;
  return one ? { entries: one } : {};
}

class LayeredCache {
  constructor(
    private readonly local: FolderEntryCache,
    private readonly remote: FolderEntryCache,
    private readonly readOnly: boolean,
  ) {}
  async restore(key: string, relDir: string): Promise<'local' | 'remote' | 'miss'> {
    const here = await this.local.restore(key, relDir);
    return here !== 'miss' ? here : this.remote.restore(key, relDir);
  }
  async store(key: string, relDir: string, terminalOutput: string): Promise<void> {
    await this.local.store(key, relDir);
    if (!this.readOnly) await this.remote.store(key, relDir, terminalOutput);
  }
}

async function clear(cmd: RigCommand, services: Services, model: WorkspaceModel): Promise<CommandResult> {
  const tasks: TaskResult[] = [];
  for (const target of cmd.targets) {
    const [projectName, name] = target.split(':');
    const project = model.projects.find((p) => p.displayName === projectName);
    const step = project?.steps.find((s) => s.name === name);
    const salted = project && step ? saltStep(services, project, step, 'clear', cmd.now) : { ok: false as const, error: 'no such step' };
    tasks.push({ task: target, status: salted.ok ? 'uncached' : 'failed', notes: [], errors: salted.ok ? [] : [String(salted.error)] });
  }
  return { tasks, warnings: [] };
}

export async function main(cmd: RigCommand): Promise<CommandResult> {
  const services = createServices(cmd.root);
  try {
    // Projects are independent here: the pass over the projects the command runs gives them the values a pass over all would.
    const inScope = (f: string) => !cmd.projects || cmd.projects.some((root) => f.startsWith(`${root}/`));
    const model = loadWorkspaceModel(services, pipelineFiles(cmd.root).filter(inScope));
    if (cmd.kind === 'clear') return await clear(cmd, services, model);
    // The pre-task hook: every step's env value, and the lock it writes.
    const pass = fingerprintWorkspace(services, model, { now: cmd.now, env: { ...process.env, ...cmd.env } });
    if (pass.lockChanged) fs.writeFileSync(path.join(cmd.root, 'nx-steps.lock.json'), pass.lockText);
    const ctx: Context = { cmd, shared: services, env: { ...cmd.env, ...pass.env }, nx: cmd.nxCache ? new NxCacheModel(cmd.nxCache) : undefined };
    const failed = new Set<string>();
    const tasks: TaskResult[] = [];
    for (const task of plan(model, cmd.targets, cmd.projects)) {
      const r = await runTask(ctx, task, failed);
      if (r.status === 'failed' || r.status === 'skipped') failed.add(task.id);
      tasks.push(r);
    }
    return { tasks, warnings: pass.warnings };
  } finally {
    services.flush();
  }
}
