/**
 * Loads a pipeline module the way the `tsx` command does: tsx's CommonJS
 * and ESM hooks both registered, then a native import. Stack traces then
 * point at the TypeScript source (tsx enables source maps).
 */
import { pathToFileURL } from 'node:url';

let registered: Promise<void> | undefined;

function registerTsx(): Promise<void> {
  registered ??= (async () => {
    (require('tsx/cjs/api') as { register: () => unknown }).register();
    const esm = (await import('tsx/esm/api')) as { register: () => unknown };
    esm.register();
  })();
  return registered;
}

export async function importModule(absFile: string): Promise<Record<string, unknown>> {
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
