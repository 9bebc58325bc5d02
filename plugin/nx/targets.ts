/**
 * Builds the Nx configuration of each project from its validated steps.
 * This is the only code that knows the shape of Nx targets.
 *
 * Step-specific data stays out of target options: Nx hashes every target's
 * options into every task hash of the project, so putting params there would
 * invalidate all siblings when one step's params change. Options are `{}`;
 * the executor finds its step through metadata (which Nx does not hash), and
 * the step's fingerprint reaches the hash through inputs only.
 *
 * Every `dependsOn` forwards the command's params (`params: 'forward'`): an
 * override reaches every step of the run that declares it, upstream
 * included, and Nx hashes the overrides into each task it reaches. A fan-out
 * step is one target per item plus a group target of its name (`nx:noop`,
 * no process) over all of them; a step that needs it depends on every item.
 */
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { fingerprintEnvName } from '../core/fingerprint/env-name';
import { lockId } from '../core/fingerprint/step-key';
import { splitPatterns } from '../core/hash/dir-selection';
import { LOCK_FILE } from '../core/fingerprint/lock-file';
import type { FanOutModel, ProjectModel, StepModel } from '../core/model/project-model';
import { OUTPUT_ROOT, UPSTREAM_DIGEST_GLOB } from '../core/outputs/layout';
import { shownParams } from '../core/state/secrets';
import { OBJECT_PROTOTYPE_NAMES, own } from '../core/util/own';

export const EXECUTOR = 'nx-steps:step';

/** What the executor reads back from `metadata.nxSteps`. */
export interface StepTargetMetadata {
  readonly file: string;
  readonly export: string;
  /** Every pipeline file of the project: the executor re-reads only these. */
  readonly pipelineFiles: readonly string[];
}

type Input = NonNullable<TargetConfiguration['inputs']>[number];
type Dependency = NonNullable<TargetConfiguration['dependsOn']>[number];

/** Forwarding: `nx run ml:evaluate --lr=0.05` trains with 0.05 too (core/run/params.ts says who takes it). */
function forward(target: string): Dependency {
  return { target, params: 'forward' };
}

/** The targets a need runs: a fan-out step's items, or the step. */
export function needTargets(project: ProjectModel, upstream: string): readonly string[] {
  return own(project.fanOuts, upstream)?.items.map((i) => i.target) ?? [upstream];
}

function dataInputs(step: StepModel): Input[] {
  const inputs: Input[] = [];
  // A file item of a fan-out: `nx affected` sees an edit of that file select that item alone.
  if (step.item?.source.kind === 'file' && step.item.source.location.scope === 'workspace') inputs.push(`{workspaceRoot}/${step.item.source.location.path}`);
  for (const arg of Object.values(step.args)) {
    if (arg.kind === 'value' || arg.location.scope !== 'workspace') continue;
    // Lets `nx affected` see committed data files. Gitignored data is not in
    // Nx's file map (and is covered by the live fingerprint instead).
    const base = `{workspaceRoot}/${arg.location.path}`;
    if (arg.kind === 'file') {
      inputs.push(base);
      continue;
    }
    // The hasher's reading of the patterns (docs/hashing.md); Nx writes exclusions as `!<fileset>`.
    const { include: includes, exclude: excludes } = splitPatterns(arg);
    if (includes.length === 0) inputs.push(`${base}/**/*`);
    for (const g of includes) inputs.push(`${base}/${g}`);
    for (const g of excludes) inputs.push(`!${base}/${g}`);
  }
  return inputs;
}

function describe(step: StepModel): string {
  const strategy = step.cache.enabled ? step.cache.strategy : 'not cached';
  const needs = Object.values(step.needs);
  const what = step.item?.fanOut ? `Item ${step.item.key} of ${step.item.fanOut.step}` : (step.description ?? `Step ${step.name} of ${step.file}`);
  return `${what} (${strategy}${needs.length ? `; needs ${needs.join(', ')}` : ''})`;
}

/**
 * A custom key runs as a runtime input: Nx runs it while hashing this task
 * only, with the command's environment. `nx-steps key` never fails (see
 * cli/commands/key.ts); the `||` fallback covers the command not starting
 * at all, so even then no two runs share a key.
 */
function keyCommand(step: StepModel): string {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return `node_modules/.bin/nx-steps key ${quote(step.projectRoot)} ${quote(step.name)} || echo "key-unavailable-$$"`;
}

/** Per-step facts about the workspace that shape a target beyond the step itself. */
export interface TargetContext {
  /** Files the target reads because the committed lock does not describe the step (core/fingerprint/lock-check.ts). */
  readonly fallbackFiles?: (step: StepModel) => readonly string[] | undefined;
  /**
   * Whether the target reads the step's field of nx-steps.lock.json: only where the lock committed at HEAD
   * describes the step (default: always). Nx hashes a file only when it was in its file map when the
   * command started: a lock the pre-task hook creates or rewrites would make the next command's hashes
   * differ from this one's (lock-check.ts).
   */
  readonly lockField?: (step: StepModel) => boolean;
}

export function stepTarget(project: ProjectModel, step: StepModel, context: TargetContext = {}): TargetConfiguration {
  const metadata = {
    description: step.errors.length ? `BROKEN: ${step.errors[0]?.message ?? ''}` : describe(step),
    technologies: ['nx-steps'],
    help: {
      command: `npx nx-steps why ${project.displayName}:${step.name}`,
      // Nx keeps this in its project graph: a secret's default (if it has one) is not copied there.
      example: { options: shownParams(step.params, step.secrets) },
    },
    nxSteps: { file: step.file, export: step.exportName, pipelineFiles: project.pipelineFiles } satisfies StepTargetMetadata,
  };
  const needs = [...new Set(Object.values(step.needs).flatMap((n) => needTargets(project, n)))];
  const base: TargetConfiguration = {
    executor: EXECUTOR,
    options: {},
    outputs: [`{projectRoot}/${OUTPUT_ROOT}/${step.name}`],
    dependsOn: needs.map(forward),
    metadata,
  };
  if (step.errors.length > 0) return { ...base, cache: false, inputs: [] };
  return {
    ...base,
    cache: step.cache.enabled,
    inputs: [
      ...((context.lockField?.(step) ?? true) ? [{ json: `{workspaceRoot}/${LOCK_FILE}`, fields: [`steps.${lockId(step)}`] }] : []),
      { env: fingerprintEnvName(step.projectRoot, step.name) },
      ...(context.fallbackFiles?.(step) ?? []).map((f) => `{workspaceRoot}/${f}`),
      ...dataInputs(step),
      ...(needs.length ? [{ dependentTasksOutputFiles: UPSTREAM_DIGEST_GLOB, transitive: false }] : []),
      ...(step.cache.enabled && step.cache.key ? [{ runtime: keyCommand(step) }] : []),
      // Package versions a step imports are part of its code digest, so a
      // lockfile change for a package no step imports invalidates nothing.
      { externalDependencies: [] },
    ],
  };
}

/** `nx run sims:simulate` runs every item of the fan-out (a no-op target: Nx starts no process for it). */
function fanOutTarget(project: ProjectModel, fanOut: FanOutModel): TargetConfiguration {
  return {
    executor: 'nx:noop',
    dependsOn: fanOut.items.map((i) => forward(i.target)),
    metadata: {
      description: `Every item of fan-out step ${fanOut.name} (${fanOut.items.length}, one target each: ${fanOut.name}.<item>)`,
      technologies: ['nx-steps'],
      help: { command: `npx nx-steps shard ${project.displayName}:${fanOut.name} 1/4`, example: {} },
    },
  };
}

export function projectConfiguration(project: ProjectModel, context: TargetContext = {}): Omit<ProjectConfiguration, 'root'> & { root?: string } {
  const targets: Record<string, TargetConfiguration> = {};
  const groups = new Map<string, string[]>();
  const group = (file: string, target: string): void => {
    const name = file.split('/').pop() ?? file;
    groups.set(name, [...(groups.get(name) ?? []), target]);
  };
  for (const step of project.steps) {
    // Nx cannot run a target named like a property of Object.prototype: such a step is only its diagnostic (NXS108).
    if (OBJECT_PROTOTYPE_NAMES.has(step.name)) continue;
    targets[step.name] = stepTarget(project, step, context);
    if (!step.item?.fanOut) group(step.file, step.name);
  }
  for (const fanOut of Object.values(project.fanOuts)) {
    targets[fanOut.name] = fanOutTarget(project, fanOut);
    group(fanOut.file, fanOut.name);
  }
  return {
    ...(project.name !== undefined ? { name: project.name } : {}),
    targets,
    metadata: { technologies: ['nx-steps'], targetGroups: Object.fromEntries(groups) },
  };
}
