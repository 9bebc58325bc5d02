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
import type { GeneratorCallback, NxJsonConfiguration, Tree } from '@nx/devkit';
import { formatFiles, readNxJson, updateNxJson } from '@nx/devkit';
import { STATE_DIR } from '../../plugin/core/util/disk-cache';
import { emptyLock, LOCK_FILE, updateLockAfterFlush } from '../shared/lock';
import { isNxStepsPlugin, PLUGIN, readPipelines, SYNC_GENERATOR } from '../shared/workspace';
import type { InitGeneratorSchema } from './schema';

/** Plugin in `plugins`; the sync generator in `sync.globalGenerators`, so `nx sync` / `nx sync:check` cover the lock. */
function registerPlugin(tree: Tree): void {
  const nxJson: NxJsonConfiguration = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const syncGenerators = nxJson.sync?.globalGenerators ?? [];
  const addPlugin = !plugins.some(isNxStepsPlugin);
  const addSync = !syncGenerators.includes(SYNC_GENERATOR);
  if (!addPlugin && !addSync) return;
  updateNxJson(tree, {
    ...nxJson,
    plugins: addPlugin ? [...plugins, PLUGIN] : plugins,
    sync: { ...nxJson.sync, globalGenerators: addSync ? [...syncGenerators, SYNC_GENERATOR] : syncGenerators },
  });
}

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

export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<GeneratorCallback> {
  registerPlugin(tree);
  ignoreStepOutputs(tree);
  createLock(tree);
  if (!options.skipFormat) await formatFiles(tree);
  // Pipelines that were already there (the plugin re-added, say) get their entries once the files are on disk.
  return updateLockAfterFlush(tree, await readPipelines(tree));
}

export default initGenerator;
