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
import { formatWorkspaceDiagnostics, isError } from '../core/diagnostics';
import { committedLock } from '../core/fingerprint/committed-lock';
import { checkLock } from '../core/fingerprint/lock-check';
import * as fs from 'node:fs';
import { LOCK_FILE, lockPath } from '../core/fingerprint/lock-file';
import { KeyBuilder } from '../core/fingerprint/step-key';
import type { StepModel, WorkspaceModel } from '../core/model/project-model';
import type { Services } from '../core/workspace';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { atPluginBoundary } from './boundary';
import { discoverPipelineFiles } from './discover';
import type { NxStepsPluginOptions } from '../core/plugin-options';
import { normalizeOptions } from '../core/plugin-options';
import { projectConfiguration } from './targets';

/** See discover.ts for why the anchor is nx.json rather than the pipeline files. */
export const CREATE_NODES_ANCHOR = 'nx.json';

const printed = new Set<string>();

function printOnce(text: string): void {
  if (printed.has(text)) return;
  printed.add(text);
  console.error(text);
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
  for (const project of model.projects) {
    for (const step of project.steps) {
      const check = checkLock(keys, project, step, committed.steps);
      if (check.fallbackFiles) out.set(step, check.fallbackFiles);
    }
  }
  if (out.size > 0) {
    const names = [...out.keys()].map((s) => `${model.projects.find((p) => p.root === s.projectRoot)?.displayName ?? s.projectRoot}:${s.name}`);
    printOnce(
      `\nnx-steps: ${LOCK_FILE} as committed does not describe ${names.length} step(s) (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}); ` +
        '`nx affected` selects them by the files their code is made of until it does. Run `nx sync` and commit the lock.\n',
    );
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
      const text = errors.length ? formatWorkspaceDiagnostics(context.workspaceRoot, errors) : '';
      if (text) printOnce(`\nnx-steps: ${errors.length} problem(s) in pipeline files; these steps fail when run until fixed:\n\n${text}\n`);
      return [[configFiles[0] ?? CREATE_NODES_ANCHOR, { projects }]];
    }),
];
