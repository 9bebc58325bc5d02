/**
 * The versions of what turns a step's TypeScript into running JavaScript:
 * tsx and the esbuild it uses, as installed next to nx-steps (the executor
 * loads these same copies). nx-steps accepts a range of tsx versions, so
 * two machines with the same nx-steps can run different emitters.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

let cached: string | undefined;

function versionAt(req: NodeJS.Require, pkg: string): { version: string; file?: string } {
  try {
    const file = req.resolve(`${pkg}/package.json`);
    return { version: String((JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown'), file };
  } catch {
    return { version: 'missing' };
  }
}

export function emitterVersions(): string {
  if (cached !== undefined) return cached;
  const tsx = versionAt(require, 'tsx');
  const esbuild = tsx.file ? versionAt(createRequire(tsx.file), 'esbuild') : { version: 'missing' };
  cached = `tsx@${tsx.version} esbuild@${esbuild.version}`;
  return cached;
}
