/**
 * Lists pipeline files through Nx's own index of workspace files (native,
 * already built, and it honours .gitignore and .nxignore).
 *
 * Why not let Nx hand us the files through the createNodes glob: Nx treats
 * every file matched by a createNodes glob as project configuration, and
 * `nx affected` then marks every task of the project whenever that file
 * changes. Pipeline files hold step code, so that would make a one-line edit
 * of one step select all its siblings. nx-steps therefore anchors createNodes
 * on nx.json and finds pipeline files itself; step inputs (lock fields, data
 * files) then decide precisely what a change reaches. (Verified on Nx 24.0.6.)
 *
 * Why `nx/src/utils/workspace-context` before @nx/devkit's public `globAsync`
 * (which wraps the same function): Nx's plugin workers have that module
 * loaded already, while loading @nx/devkit costs about 0.75 s in every worker
 * of every command (measured). If the module moves, the public API is used
 * (nx-internals.ts loads it).
 */
import type { WorkspaceGlob } from './nx-internals';
import { workspaceContextGlob } from './nx-internals';

let glob: WorkspaceGlob | undefined;

function workspaceGlob(): WorkspaceGlob {
  if (glob) return glob;
  const fromNx = workspaceContextGlob();
  if (fromNx) return (glob = (root, patterns) => fromNx(root, patterns));
  const devkit = require('@nx/devkit') as typeof import('@nx/devkit');
  // A tree with no pending changes is the workspace as it is on disk.
  return (glob = (root, patterns) => devkit.globAsync({ root, listChanges: () => [] } as unknown as import('@nx/devkit').Tree, patterns));
}

export async function discoverPipelineFiles(workspaceRoot: string, pattern: string): Promise<string[]> {
  const files = await workspaceGlob()(workspaceRoot, [pattern]);
  return files.filter((f) => !f.split('/').includes('node_modules')).sort();
}
