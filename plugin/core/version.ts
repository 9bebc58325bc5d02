/** nx-steps' own version: part of every fingerprint. */
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function nxStepsVersion(): string {
  if (cached) return cached;
  // Walk up from this file (plugin/core in sources, dist/plugin/core when built).
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nx-steps' && pkg.version) return (cached = pkg.version);
    }
    if (path.dirname(dir) === dir) return (cached = '0.0.0-unknown');
  }
}
