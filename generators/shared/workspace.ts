/**
 * The pipelines of a workspace as a generator sees them: found with devkit's
 * `globAsync(tree, ...)` and read from the Tree, so files a generator created
 * earlier in the same run count and nothing else is read from disk. The
 * declarations go through the same static reader and analysis as the
 * plugin's, so a generator agrees with `nx show project` on every project
 * name, step name and need.
 */
import { createRequire } from 'node:module';
import type { Tree } from '@nx/devkit';
import { globAsync, readNxJson } from '@nx/devkit';
import { listFiles } from '../../plugin/core/discovery/list-files';
import { parsePipelineFile } from '../../plugin/core/discovery/parse-pipeline';
import type { ParsedPipelineFile } from '../../plugin/core/model/declarations';
import { analyzeWorkspace } from '../../plugin/core/model/analyze';
import { readExistingProject } from '../../plugin/core/model/existing-project';
import type { ProjectModel, WorkspaceModel } from '../../plugin/core/model/project-model';
import type { NormalizedOptions } from '../../plugin/core/plugin-options';
import { optionsOfPlugins } from '../../plugin/core/plugin-options';

export { isNxStepsPlugin, PLUGIN } from '../../plugin/core/plugin-options';
export const SYNC_GENERATOR = 'nx-steps:sync';

/** The plugin's options as registered in nx.json (the defaults when it is not registered yet). */
export function pluginOptions(tree: Tree): NormalizedOptions {
  return optionsOfPlugins(readNxJson(tree)?.plugins);
}

export interface PipelineWorkspace {
  /** The glob the plugin finds pipeline files with. */
  readonly pattern: string;
  readonly files: readonly ParsedPipelineFile[];
  readonly model: WorkspaceModel;
}

/** Project names exactly as the plugin gives them, from project.json / package.json in the Tree. */
export function existingProjectIn(tree: Tree, root: string): ReturnType<typeof readExistingProject> {
  return readExistingProject(tree.root, root, (file) => tree.read(file, 'utf-8'));
}

export async function readPipelines(tree: Tree): Promise<PipelineWorkspace> {
  const { pipelines: pattern } = pluginOptions(tree);
  const paths = (await globAsync(tree, [pattern])).filter((f) => !f.split('/').includes('node_modules')).sort();
  const files = paths.map((f) => parsePipelineFile(f, tree.read(f, 'utf-8') ?? ''));
  const model = analyzeWorkspace({ workspaceRoot: tree.root, files, existingProject: (root) => existingProjectIn(tree, root), listFiles });
  return { pattern, files, model };
}

export function findProject(ws: PipelineWorkspace, name: string): ProjectModel | undefined {
  return ws.model.projects.find((p) => p.displayName === name);
}

type Minimatch = (path: string, pattern: string) => boolean;
let minimatch: Minimatch | undefined;

/**
 * Whether the plugin would find `file` (which may not exist yet) with its
 * glob. Nx matches a Tree's new files with its own minimatch (see devkit's
 * globAsync); asking that same module keeps a custom `pipelines` glob's
 * meaning exact. nx is our peer dependency, so it is always there.
 */
export function matchesPipelineGlob(pattern: string, file: string): boolean {
  minimatch ??= (createRequire(require.resolve('nx/package.json'))('minimatch') as { minimatch: Minimatch }).minimatch;
  return minimatch(file, pattern);
}
