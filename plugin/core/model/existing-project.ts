/** What already stands in a folder: a project.json or a package.json with a name. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExistingProject } from './analyze';

export function readExistingProject(workspaceRoot: string, root: string): ExistingProject | undefined {
  const dir = path.join(workspaceRoot, root);
  const read = (name: string): { name?: unknown } | undefined => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { name?: unknown };
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
