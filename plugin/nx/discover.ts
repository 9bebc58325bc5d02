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
 */
import { globAsync } from '@nx/devkit';
import type { Tree } from '@nx/devkit';

export async function discoverPipelineFiles(workspaceRoot: string, pattern: string): Promise<string[]> {
  // globAsync reads the workspace index for tree.root and overlays the tree's
  // pending changes; a tree with no changes is the workspace as it is on disk.
  const diskTree = { root: workspaceRoot, listChanges: () => [] } as unknown as Tree;
  const files = await globAsync(diskTree, [pattern]);
  return files.filter((f) => !f.split('/').includes('node_modules')).sort();
}
