/** What already stands in a folder: a project.json or a package.json with a name. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExistingProject } from './analyze';

/**
 * `readText` reads a workspace-relative POSIX path and may throw or return
 * null when the file is absent; it defaults to the disk. Generators pass
 * their Tree's reader, so they name projects exactly as the plugin does.
 */
export function readExistingProject(
  workspaceRoot: string,
  root: string,
  readText: (file: string) => string | null = (file) => fs.readFileSync(path.join(workspaceRoot, file), 'utf8'),
): ExistingProject | undefined {
  const read = (name: string): { name?: unknown } | undefined => {
    try {
      const text = readText(path.posix.join(root, name));
      return text === null ? undefined : (JSON.parse(text) as { name?: unknown });
    } catch {
      return undefined;
    }
  };
  const projectJson = read('project.json');
  if (projectJson) return { name: typeof projectJson.name === 'string' ? projectJson.name : undefined, source: 'project.json' };
  const packageJson = read('package.json');
  if (packageJson && typeof packageJson.name === 'string') return { name: packageJson.name, source: 'package.json' };
  return undefined;
}
