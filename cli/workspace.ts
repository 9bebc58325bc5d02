/**
 * Finding the workspace and its pipelines from a command line: the nearest
 * folder with nx.json, and the plugin options registered there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceModel } from '../plugin/core/model/project-model';
import type { Services } from '../plugin/core/workspace';
import { createServices, loadWorkspaceModel } from '../plugin/core/workspace';
import { machineStateDir } from '../plugin/nx/nx-cache';
import { discoverPipelineFiles } from '../plugin/nx/discover';
import type { NormalizedOptions } from '../plugin/core/plugin-options';
import { optionsOfPlugins } from '../plugin/core/plugin-options';
import { parseJsonc } from '../plugin/core/util/jsonc';
import { own } from '../plugin/core/util/own';
import { UsageError } from './args';

export function findWorkspaceRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new UsageError(`nx-steps: no nx.json in ${from} or any folder above it; run this inside an Nx workspace.`);
  }
}

/** The options of nx-steps/plugin in nx.json (defaults when registered as a plain string). */
export function pluginOptions(workspaceRoot: string): NormalizedOptions {
  // nx.json may hold comments, as Nx allows.
  const nxJson = parseJsonc(fs.readFileSync(path.join(workspaceRoot, 'nx.json'), 'utf8')) as {
    plugins?: Array<string | { plugin: string; options?: unknown }>;
  };
  return optionsOfPlugins(nxJson.plugins);
}

export interface LoadedWorkspace {
  readonly root: string;
  readonly services: Services;
  readonly model: WorkspaceModel;
}

export async function loadWorkspace(cwd: string): Promise<LoadedWorkspace> {
  const root = findWorkspaceRoot(cwd);
  const options = pluginOptions(root);
  const files = await discoverPipelineFiles(root, options.pipelines);
  const services = createServices(root, { machineStateDir: machineStateDir(root), secretParams: options.secretParams });
  return { root, services, model: loadWorkspaceModel(services, files) };
}

/** Resolves `project:step` (or `project`) against the model, with a clear error otherwise. */
export function resolveTarget(
  model: WorkspaceModel,
  spec: string,
): { project: WorkspaceModel['projects'][number]; step?: WorkspaceModel['projects'][number]['steps'][number] } {
  const [projectName, stepName, extra] = spec.split(':');
  if (!projectName || extra !== undefined) throw new UsageError(`nx-steps: expected <project> or <project>:<step>, got "${spec}".`);
  const project = model.projects.find((p) => p.displayName === projectName);
  if (!project) {
    throw new UsageError(
      `nx-steps: no pipeline project named "${projectName}". Pipeline projects: ${model.projects.map((p) => p.displayName).join(', ') || '(none)'}.`,
    );
  }
  if (stepName === undefined) return { project };
  const step = project.steps.find((s) => s.name === stepName);
  const fanOut = own(project.fanOuts, stepName);
  if (!step && fanOut) {
    throw new UsageError(
      `nx-steps: ${projectName}:${stepName} is a fan-out step of ${fanOut.items.length} item(s), one target each: name one, e.g. ${projectName}:${fanOut.items[0]?.target ?? `${stepName}.<item>`}.`,
    );
  }
  if (!step) {
    const names = project.steps
      .filter((s) => !s.item?.fanOut)
      .map((s) => s.name)
      .concat(Object.keys(project.fanOuts));
    throw new UsageError(`nx-steps: project ${projectName} has no step "${stepName}". Steps: ${names.join(', ')}.`);
  }
  return { project, step };
}
