/**
 * A workspace as it is before `nx add nx-steps`: the template's Nx install
 * without nx-steps (in neither package.json nor node_modules), an nx.json
 * without the plugin, no nx-steps.lock.json and no `.nx-steps` ignore line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inject } from 'vitest';
import { TEMPLATE_FILES } from './template';
import type { Workspace } from './workspace';
import { createWorkspaceFrom } from './workspace';

/**
 * Copies a folder as hard links (symlinks stay symlinks). `nx add` runs
 * `npm install` in the workspace: in the usual folder of links to the
 * template, npm would replace every link with a fresh install; here it finds
 * real folders matching the lock file, adds only nx-steps, and replaces a
 * file (never writes into it), so the shared template is left as it was.
 */
function hardLinkCopy(from: string, to: string, skip: (rel: string) => boolean, rel = ''): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (skip(childRel)) continue;
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dest);
    else if (entry.isDirectory()) hardLinkCopy(src, dest, skip, childRel);
    else fs.linkSync(src, dest);
  }
}

/**
 * `root`: where to put it (a new temporary folder by default); `templateDir`:
 * the installed template to start from (the main one, Nx 24, by default; see
 * `inject('nxTemplates')` for the others).
 */
export function createBareWorkspace(name: string, files: Readonly<Record<string, string>> = {}, root?: string, templateDir = inject('templateDir')): Workspace {
  const ws = createWorkspaceFrom(templateDir, name, files, root);
  // Removes the links only (rm does not follow them).
  fs.rmSync(ws.path('node_modules'), { recursive: true, force: true });
  // npm's record of the install would list nx-steps: without it, npm reads the folders themselves.
  const skipped = new Set(['nx-steps', '.bin/nx-steps', '.package-lock.json']);
  hardLinkCopy(path.join(templateDir, 'node_modules'), ws.path('node_modules'), (rel) => skipped.has(rel));

  const pkg = JSON.parse(ws.read('package.json')) as { devDependencies: Record<string, string> };
  delete pkg.devDependencies['nx-steps'];
  ws.write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  ws.write('nx.json', `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2)}\n`);
  ws.write('.gitignore', (TEMPLATE_FILES['.gitignore'] ?? '').replace(/^\.nx-steps\n/m, ''));
  fs.rmSync(ws.path('nx-steps.lock.json'), { force: true });
  return ws;
}
