/**
 * What a packed nx-steps tarball must hold: every file its package.json,
 * executors.json and generators.json point at (main, types, exports, bin,
 * implementations, schemas) and every generator template, and none of the
 * repository's tests, source maps or fixtures.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface PackedManifest {
  readonly main: string;
  readonly types: string;
  readonly bin: Record<string, string>;
  readonly exports: Record<string, string | Record<string, string>>;
  readonly executors: string;
  readonly generators: string;
}

type Registry = Record<string, Record<string, Record<string, string | undefined>>>;

/** The files of a tarball, relative to its package folder. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''));
}

function packedJson<T>(tarball: string, rel: string): T {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, `package/${rel.replace(/^\.\//, '')}`], { encoding: 'utf8' })) as T;
}

/** Every file the packed manifests point at. */
export function pointedFiles(tarball: string): string[] {
  const pkg = packedJson<PackedManifest>(tarball, 'package.json');
  const pointed = [
    pkg.main,
    pkg.types,
    'package.json',
    pkg.executors,
    pkg.generators,
    ...Object.values(pkg.bin),
    ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))),
  ];
  for (const e of Object.values(packedJson<Registry>(tarball, pkg.executors)['executors'] ?? {}))
    pointed.push(...[e['implementation'], e['batchImplementation'], e['schema']].filter((p): p is string => p !== undefined));
  for (const g of Object.values(packedJson<Registry>(tarball, pkg.generators)['generators'] ?? {})) pointed.push(`${g['factory'] ?? ''}.js`, g['schema'] ?? '');
  return pointed.map((p) => path.posix.normalize(p.replace(/^\.\//, '')));
}

/** The generator templates of a source tree (`generators/<name>/files/**`), relative to it. */
export function templateFiles(repo: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(repo, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  for (const generator of fs.readdirSync(path.join(repo, 'generators'))) {
    if (fs.existsSync(path.join(repo, 'generators', generator, 'files'))) walk(`generators/${generator}/files`);
  }
  return out.sort();
}

/** What a tarball packed from `repo` lacks, and what it holds that users must not get. */
export function checkTarball(tarball: string, repo: string): { missing: string[]; unwanted: string[] } {
  const files = new Set(tarballFiles(tarball));
  const expected = [...pointedFiles(tarball), ...templateFiles(repo), 'README.md'];
  return {
    missing: [...new Set(expected.filter((f) => !files.has(f)))],
    unwanted: [...files].filter((f) => /\.test\.|\.typetest\.|\.map$|fixtures|test-utils/.test(f)),
  };
}
