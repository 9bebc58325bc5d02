/**
 * Loads a pipeline module the way the `tsx` command does: tsx's CommonJS
 * and ESM hooks both registered, then a native import. Stack traces then
 * point at the TypeScript source (tsx enables source maps).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

let registered: Promise<void> | undefined;

/**
 * tsx reads one tsconfig (for `paths`, which is how Nx workspaces reach their
 * libraries), by default ./tsconfig.json. Nx workspaces often only have
 * tsconfig.base.json at the root, or a tsconfig.json per project: use the
 * nearest one to the pipeline file, unless the user chose one.
 */
function chooseTsconfig(pipelineFile: string, workspaceRoot: string): void {
  if (process.env['TSX_TSCONFIG_PATH']) return;
  for (let dir = path.dirname(pipelineFile); ; dir = path.dirname(dir)) {
    for (const name of ['tsconfig.json', 'tsconfig.base.json']) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) {
        process.env['TSX_TSCONFIG_PATH'] = candidate;
        return;
      }
    }
    if (dir === workspaceRoot || path.dirname(dir) === dir) return;
  }
}

function registerTsx(): Promise<void> {
  registered ??= (async () => {
    (require('tsx/cjs/api') as { register: () => unknown }).register();
    const esm = (await import('tsx/esm/api')) as { register: () => unknown };
    esm.register();
  })();
  return registered;
}

export async function importModule(absFile: string, workspaceRoot: string): Promise<Record<string, unknown>> {
  chooseTsconfig(absFile, workspaceRoot);
  await registerTsx();
  return (await import(pathToFileURL(absFile).href)) as Record<string, unknown>;
}

/** A named export, also when the module was compiled to CommonJS (named exports then sit on `default`). */
export function namedExport(ns: Record<string, unknown>, name: string): unknown {
  if (name in ns) return ns[name];
  const d = ns['default'];
  if (d && typeof d === 'object' && name in d) return (d as Record<string, unknown>)[name];
  return undefined;
}
