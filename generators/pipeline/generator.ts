/**
 * `nx g nx-steps:pipeline <name> [--directory]`: a project folder with a
 * pipeline file, a small sample data file and two steps, so that
 * `nx run <name>:summarize` works at once and a second run is a cache hit.
 *
 * Recipe: normalize options (every check before anything is written) →
 * init (idempotent) → generateFiles → formatFiles; the lock follows once the
 * files are on disk (see shared/lock.ts).
 */
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { formatFiles, generateFiles, getProjects, installPackagesTask, readJson, runTasksInSerial, updateJson } from '@nx/devkit';
import type { Result } from '../../plugin/core/util/result';
import { ok } from '../../plugin/core/util/result';
import { escapesRoot, joinPosix, toPosix } from '../../plugin/core/util/paths';
import { initGenerator } from '../init/generator';
import type { GeneratorFailure } from '../shared/failure';
import { failure, valueOrThrow } from '../shared/failure';
import { updateLockAfterFlush } from '../shared/lock';
import { templateDir } from '../shared/template-dir';
import { existingProjectIn, findProject, matchesPipelineGlob, readPipelines } from '../shared/workspace';
import type { PipelineGeneratorSchema } from './schema';

/** A valid Nx project name that is also a plain file name (the pipeline file is `<name>.pipeline.ts`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The last step of the template: what `nx run <name>:<LAST_STEP>` runs. */
export const LAST_STEP = 'summarize';

export interface NormalizedPipelineOptions {
  readonly projectName: string;
  /** Workspace-relative POSIX folder of the project. */
  readonly projectRoot: string;
  /** Workspace-relative path of the pipeline file. */
  readonly pipelineFile: string;
  readonly skipFormat: boolean;
}

function normalizeDirectory(raw: string): Result<string, GeneratorFailure> {
  const dir = joinPosix(toPosix(raw.trim()).replace(/^\.\//, '') || '.');
  if (escapesRoot(dir) || /^[A-Za-z]:/.test(dir)) {
    return failure(
      'invalid-option',
      `--directory "${raw}" is outside the workspace.`,
      'Give a folder relative to the workspace root, e.g. --directory=pipelines/etl.',
    );
  }
  return ok(dir);
}

export async function normalizeOptions(tree: Tree, options: PipelineGeneratorSchema): Promise<Result<NormalizedPipelineOptions, GeneratorFailure>> {
  const name = (options.name ?? '').trim();
  if (!NAME.test(name)) {
    return failure(
      'invalid-name',
      `"${name}" is not a valid pipeline name.`,
      "Use letters, digits, '.', '_' and '-', starting with a letter or digit: nx g nx-steps:pipeline etl.",
    );
  }
  const dir = normalizeDirectory(options.directory ?? name);
  if (!dir.ok) return dir;
  const projectRoot = dir.value;
  const pipelineFile = joinPosix(projectRoot, `${name}.pipeline.ts`);

  const ws = await readPipelines(tree);
  // The folder of a pipeline file is its project: a folder that already is one would absorb the new steps under its own name.
  const here = ws.model.projects.find((p) => p.root === projectRoot);
  if (here) {
    return failure(
      'directory-taken',
      `${projectRoot} already holds the pipeline project ${here.displayName} (${here.pipelineFiles.join(', ')}).`,
      `Add steps to it with nx g nx-steps:step <name> --pipeline ${here.displayName}, or choose another --directory.`,
    );
  }
  const existing = existingProjectIn(tree, projectRoot);
  if (existing) {
    return failure(
      'directory-taken',
      `${projectRoot} already holds the project ${existing.name ?? projectRoot} (${projectRoot === '.' ? '' : `${projectRoot}/`}${existing.source}).`,
      'A pipeline there would join that project under its name; choose another --directory.',
    );
  }
  const sameName = findProject(ws, name)?.root ?? getProjects(tree).get(name)?.root;
  if (sameName !== undefined) {
    return failure('name-taken', `A project named ${name} already exists (in ${sameName}).`, 'Project names are unique in a workspace: choose another name.');
  }
  if (!matchesPipelineGlob(ws.pattern, pipelineFile)) {
    return failure(
      'not-a-pipeline-file',
      `nx-steps/plugin would not find ${pipelineFile}: its "pipelines" glob in nx.json is "${ws.pattern}".`,
      'Choose a --directory the glob covers, or widen the glob.',
    );
  }
  return ok({ projectName: name, projectRoot, pipelineFile, skipFormat: options.skipFormat === true });
}

/**
 * The generated code reads its sample file with `node:fs/promises`: without
 * Node's types (not in a fresh Nx workspace) it does not type-check (TS2307).
 * Adds `@types/node` for the Node major that runs the generator to the
 * devDependencies, unless the workspace declares it; the returned task
 * installs it. (Not devkit's addDependenciesToPackageJson: it also writes an
 * empty `"dependencies": {}` into a package.json that had none.)
 */
function ensureNodeTypes(tree: Tree): GeneratorCallback | undefined {
  if (!tree.exists('package.json')) return undefined;
  const pkg = readJson<{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(tree, 'package.json');
  if (pkg.dependencies?.['@types/node'] || pkg.devDependencies?.['@types/node']) return undefined;
  updateJson<{ devDependencies?: Record<string, string> }>(tree, 'package.json', (json) => {
    const devDependencies = { ...json.devDependencies, '@types/node': `^${process.versions.node.split('.')[0]}.0.0` };
    return { ...json, devDependencies: Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b))) };
  });
  return () => installPackagesTask(tree);
}

export async function pipelineGenerator(tree: Tree, options: PipelineGeneratorSchema): Promise<GeneratorCallback> {
  const o = valueOrThrow('nx-steps:pipeline', await normalizeOptions(tree, options));
  await initGenerator(tree, { skipFormat: true });
  generateFiles(tree, templateDir('pipeline'), o.projectRoot, { projectName: o.projectName, fileName: o.projectName, tmpl: '' });
  const installTypes = ensureNodeTypes(tree);
  if (!o.skipFormat) await formatFiles(tree);
  const updateLock = updateLockAfterFlush(tree, await readPipelines(tree));
  return installTypes ? runTasksInSerial(installTypes, updateLock) : updateLock;
}

export default pipelineGenerator;
