/**
 * The benchmarks measure the built package (dist/), the code users run;
 * their types come from the sources. `npm run bench` builds first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Absolute path of a module in dist/, e.g. distPath('plugin/core/hash/content.js'). */
export function distPath(rel: string): string {
  const abs = path.join(REPO_ROOT, 'dist', rel);
  if (!fs.existsSync(abs)) throw new Error(`${abs} is missing: run \`npm run build\` (or \`npm run bench\`, which builds first)`);
  return abs;
}

export function fromDist<T>(rel: string): T {
  return require(distPath(rel)) as T;
}
