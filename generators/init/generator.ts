/**
 * `nx g nx-steps:init`, which `nx add nx-steps` runs after installing the
 * package. Every change is made only when missing, so running it again
 * changes nothing.
 *
 * What the workspace needs to run steps is nothing beyond the package
 * itself: nx-steps depends on tsx (it loads pipeline modules), typescript
 * (the static reader) and @nx/devkit, and its one peer, nx, is what runs this
 * generator. So init adds no dependencies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GeneratorCallback, NxJsonConfiguration, Tree } from '@nx/devkit';
import { formatFiles, logger, readNxJson, updateNxJson } from '@nx/devkit';
import { STATE_DIR } from '../../plugin/core/util/disk-cache';
import { emptyLock, LOCK_FILE, updateLockAfterFlush } from '../shared/lock';
import { isNxStepsPlugin, PLUGIN, readPipelines, SYNC_GENERATOR } from '../shared/workspace';
import type { InitGeneratorSchema } from './schema';

/** Plugin in `plugins`; the sync generator in `sync.globalGenerators`, so `nx sync` / `nx sync:check` cover the lock. Whether the plugin was added. */
function registerPlugin(tree: Tree): boolean {
  const nxJson: NxJsonConfiguration = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const syncGenerators = nxJson.sync?.globalGenerators ?? [];
  const addPlugin = !plugins.some(isNxStepsPlugin);
  const addSync = !syncGenerators.includes(SYNC_GENERATOR);
  if (!addPlugin && !addSync) return false;
  updateNxJson(tree, {
    ...nxJson,
    plugins: addPlugin ? [...plugins, PLUGIN] : plugins,
    sync: { ...nxJson.sync, globalGenerators: addSync ? [...syncGenerators, SYNC_GENERATOR] : syncGenerators },
  });
  return addPlugin;
}

/**
 * npm 11 runs no dependency's install script that the workspace has not
 * approved, and warns about them at every install. nx-steps' dependencies
 * need none of theirs (checked on Linux x64 with npm 11.19): xxhash-addon and
 * msgpackr-extract load the prebuilt binaries they ship (their scripts only
 * compile when none fits), and esbuild (tsx's) finds its platform package
 * without its postinstall. Said once, when nx-steps is added.
 */
export const INSTALL_SCRIPTS_NOTE =
  'nx-steps: if npm warns that install scripts of xxhash-addon, msgpackr-extract or esbuild were not run ("not yet covered by allowScripts"), ' +
  'nx-steps needs none of them: the first two load the prebuilt binaries they ship, and esbuild finds its own. There is nothing to approve for nx-steps.';

/** Any of these lines already keeps `.nx-steps` folders (workspace caches, step outputs) out of git and out of Nx's file map. */
const IGNORED = new RegExp(`^/?(\\*\\*/)?${STATE_DIR.replace('.', '\\.')}/?(\\*\\*?)?$`);

function ignoreStepOutputs(tree: Tree): void {
  const text = tree.read('.gitignore', 'utf-8') ?? '';
  if (text.split(/\r?\n/).some((line) => IGNORED.test(line.trim()))) return;
  const separator = text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  tree.write('.gitignore', `${text}${separator}# nx-steps: step outputs and caches\n${STATE_DIR}\n`);
}

/**
 * The lock exists before any pipeline runs, ready to be committed with the
 * first steps (`nx affected` reads it). Targets read it only once it is
 * committed (core/fingerprint/lock-check.ts): a lock the first run creates
 * costs no second miss either.
 */
function createLock(tree: Tree): void {
  if (!tree.exists(LOCK_FILE)) tree.write(LOCK_FILE, emptyLock());
}

/**
 * nx-steps depends on `@nx/devkit` in the range of the Nx versions it
 * supports, so npm uses the workspace's own devkit when there is one. A
 * workspace that has only `nx` (made by `nx init`, say) gets the newest devkit,
 * which may not declare support for an older Nx (devkit N supports Nx N-1 to
 * N+1): say so, with the command that makes them match. Undefined when they do.
 */
export function devkitMismatch(nx: string | undefined, devkit: string | undefined): string | undefined {
  const major = (v: string | undefined) => Number.parseInt(v?.split('.')[0] ?? '', 10);
  if (!nx || !devkit || Number.isNaN(major(nx)) || Number.isNaN(major(devkit)) || Math.abs(major(nx) - major(devkit)) <= 1) return undefined;
  return `nx-steps: npm installed @nx/devkit ${devkit}, which does not declare support for nx ${nx}. Make them match: npm install -D @nx/devkit@${nx}`;
}

function installedVersion(workspaceRoot: string, pkg: string, from: string): string | undefined {
  try {
    const file = require.resolve(`${pkg}/package.json`, { paths: [from, workspaceRoot] });
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** What init says once, when it adds the plugin. */
function notes(workspaceRoot: string): string[] {
  const devkit = installedVersion(workspaceRoot, '@nx/devkit', path.join(workspaceRoot, 'node_modules/nx-steps'));
  const mismatch = devkitMismatch(installedVersion(workspaceRoot, 'nx', workspaceRoot), devkit);
  return [INSTALL_SCRIPTS_NOTE, ...(mismatch ? [mismatch] : [])];
}

export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<GeneratorCallback> {
  const added = registerPlugin(tree);
  ignoreStepOutputs(tree);
  createLock(tree);
  if (!options.skipFormat) await formatFiles(tree);
  // Pipelines that were already there (the plugin re-added, say) get their entries once the files are on disk.
  const updateLock = updateLockAfterFlush(tree, await readPipelines(tree));
  if (!added) return updateLock;
  return async () => {
    await updateLock();
    for (const note of notes(tree.root)) logger.info(note);
  };
}

export default initGenerator;
