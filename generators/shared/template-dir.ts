/**
 * Where a generator's `files/` templates are. The package ships them as
 * sources (`generators/<name>/files/**`, see package.json "files") while the
 * code runs from `dist/generators/<name>/`, and unit tests run the sources:
 * the package root is the nearest folder above with generators.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function templateDir(generator: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'generators.json'))) return path.join(dir, 'generators', generator, 'files');
    if (path.dirname(dir) === dir) throw new Error(`nx-steps internal error: no generators.json above ${__dirname}`);
  }
}
