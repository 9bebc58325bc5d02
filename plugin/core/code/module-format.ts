/**
 * How Node will run a local file: as CommonJS or as an ES module (by its
 * extension, else the nearest package.json "type"), or as data. The same
 * text means different things in each (strict mode, `this`, default-import
 * interop), so the format is part of the key of every unit of the file.
 */
import * as path from 'node:path';
import type { Conditions } from './node-resolve';
import type { Observations } from './observations';

export type ModuleFormat = 'cjs' | 'esm' | 'json' | 'data';

export const CODE_EXTENSIONS = /\.[cm]?[jt]sx?$/;

export function moduleFormat(obs: Observations, file: string): ModuleFormat {
  if (file.endsWith('.json')) return 'json';
  if (!CODE_EXTENSIONS.test(file)) return 'data';
  if (/\.c[jt]s$/.test(file)) return 'cjs';
  if (/\.m[jt]s$/.test(file)) return 'esm';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (obs.isFile(pkg)) return (obs.readJson(pkg) as { type?: unknown } | undefined)?.type === 'module' ? 'esm' : 'cjs';
    if (path.dirname(dir) === dir) return 'cjs';
  }
}

/** The export conditions a module's static imports resolve with. */
export function conditionsOf(format: ModuleFormat): Conditions {
  return format === 'esm' ? 'import' : 'require';
}
