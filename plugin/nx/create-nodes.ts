/**
 * Graph construction: one project per pipeline folder, one target per step.
 * Reads pipeline files statically (no user code runs) through a disk cache,
 * so a warm graph build only hashes the files.
 *
 * It never throws for a problem in a pipeline file: Nx would then drop the
 * whole graph (an AggregateCreateNodesError fails `nx show projects` even
 * with partial results, verified on 24.0.6). A broken step becomes a target
 * that fails with its diagnostic, and errors are printed here too.
 */
import type { CreateNodes, CreateNodesResult } from '@nx/devkit';
import type { Diagnostic } from '../core/diagnostics';
import { formatDiagnostic, isError } from '../core/diagnostics';
import { committedLock } from '../core/fingerprint/committed-lock';
import { checkLock } from '../core/fingerprint/lock-check';
import * as fs from 'node:fs';
import { LOCK_FILE, lockPath, readLock } from '../core/fingerprint/lock-file';
import { KeyBuilder } from '../core/fingerprint/step-key';
import type { StepModel, WorkspaceModel } from '../core/model/project-model';
import type { Services } from '../core/workspace';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { atPluginBoundary } from './boundary';
import { discoverPipelineFiles } from './discover';
import { pluginLog } from './nx-internals';
import type { NxStepsPluginOptions } from '../core/plugin-options';
import { normalizeOptions } from '../core/plugin-options';
import { projectConfiguration } from './targets';

/** See discover.ts for why the anchor is nx.json rather than the pipeline files. */
export const CREATE_NODES_ANCHOR = 'nx.json';

const printed = new Set<string>();

function printOnce(text: string): void {
  if (printed.has(text)) return;
  printed.add(text);
  pluginLog('warn', text);
}

/**
 * Steps that the lock committed at HEAD does not describe, with the files
 * their targets read instead (see core/fingerprint/lock-check.ts), and
 * whether the lock counts at all: not outside git, where `nx affected`
 * cannot compare commits.
 */
function staleLockFallback(services: Services, model: WorkspaceModel): { stale: Map<StepModel, readonly string[]>; git: boolean } {
  const out = new Map<StepModel, readonly string[]>();
  const committed = committedLock(services.workspaceRoot);
  if (committed.kind === 'no-git') return { stale: out, git: false };
  const keys = new KeyBuilder(services, Date.now());
  const onDisk = readLock(services.workspaceRoot)?.steps ?? {};
  let describedOnDisk = true;
  for (const project of model.projects) {
    for (const step of project.steps) {
      const check = checkLock(keys, project, step, committed.steps);
      if (!check.fallbackFiles) continue;
      out.set(step, check.fallbackFiles);
      if (checkLock(keys, project, step, onDisk).fallbackFiles) describedOnDisk = false;
    }
  }
  if (out.size > 0) {
    const names = [...out.keys()].map((s) => `${model.projects.find((p) => p.root === s.projectRoot)?.displayName ?? s.projectRoot}:${s.name}`);
    printOnce(`\n${staleLockWarning(names, describedOnDisk)}\n`);
  }
  return { stale: out, git: true };
}

/** Whether the working-tree lock is a file now: Nx hashes only files in its file map, made before this ran. */
function lockPresent(workspaceRoot: string): boolean {
  try {
    return fs.statSync(lockPath(workspaceRoot)).isFile();
  } catch {
    return false;
  }
}

/**
 * What to do, which depends on the file on disk: the pre-task hook rewrites
 * it on every local run (and `nx sync` then says it is up to date), so the
 * usual action is to commit it. Graph time comes before that hook, so a
 * stale file on disk is current once a run of the steps ends.
 */
export function staleLockWarning(steps: readonly string[], describedOnDisk: boolean): string {
  const which = `${steps.length} step(s) (${steps.slice(0, 5).join(', ')}${steps.length > 5 ? ', ...' : ''})`;
  const action = describedOnDisk
    ? `and the file on disk does: commit it (git add ${LOCK_FILE}).`
    : 'nor does the file on disk yet: a local run of these steps updates it (so does `nx sync`), then commit it.';
  return `nx-steps: ${LOCK_FILE} as committed does not describe ${which}, ${action} Until then \`nx affected\` selects these steps by the files their code is made of.`;
}

/**
 * Graph time names each problem on one line: the step it concerns prints it
 * in full (code frame, what to do) when it runs, so a command that runs it
 * shows it once, and one that does not (`nx show projects`) still says what
 * is broken.
 */
export function problemsHeadline(errors: readonly Diagnostic[]): string {
  const lines = errors.map(({ hint: _hint, ...headline }) => `  ${formatDiagnostic(headline)}`);
  return `nx-steps: ${errors.length} problem(s) in pipeline files; the steps they concern fail with them when run (npx nx-steps check shows each in full):\n${lines.join('\n')}`;
}

export const createNodes: CreateNodes<NxStepsPluginOptions> = [
  CREATE_NODES_ANCHOR,
  (configFiles, rawOptions, context) =>
    atPluginBoundary(async () => {
      const options = normalizeOptions(rawOptions);
      const files = await discoverPipelineFiles(context.workspaceRoot, options.pipelines);
      if (files.length === 0) return [];
      const services = createServices(context.workspaceRoot, { secretParams: options.secretParams });
      const model = loadWorkspaceModel(services, files);
      const { stale, git } = staleLockFallback(services, model);
      // The lock field is an input only where it is stable from one command to the next (lock-check.ts).
      const present = lockPresent(context.workspaceRoot);
      const targetContext = { fallbackFiles: (step: StepModel) => stale.get(step), lockField: (step: StepModel) => git && present && !stale.has(step) };
      const projects: NonNullable<CreateNodesResult['projects']> = {};
      for (const project of model.projects) projects[project.root] = projectConfiguration(project, targetContext);
      services.flush();

      const errors = model.projects.flatMap((p) => p.diagnostics.filter(isError));
      if (errors.length) printOnce(`\n${problemsHeadline(errors)}\n`);
      return [[configFiles[0] ?? CREATE_NODES_ANCHOR, { projects }]];
    }),
];
