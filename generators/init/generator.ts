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
 * The lock must exist before any pipeline runs: Nx hashes only files that
 * were in its file map when a command started, so a lock created by the
 * first run would reach task hashes one command late.
 */
function createLock(tree: Tree): void {
  if (!tree.exists(LOCK_FILE)) tree.write(LOCK_FILE, emptyLock());
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
    logger.info(INSTALL_SCRIPTS_NOTE);
  };
}

export default initGenerator;
