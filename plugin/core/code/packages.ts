/**
 * Installed npm packages, identified by name and version, with what they
 * depend on. Code inside node_modules is not hashed file by file: a package
 * is the version installed there, and so is each package it depends on,
 * transitively (its dependencies, optional and peer dependencies, found as
 * Node finds them: from the package's real folder upwards). Upgrading a
 * dependency of a dependency therefore changes the key of every step that
 * loads the package, while the lock file is never trusted for what is
 * installed: the file that runs is the file counted.
 */
import * as path from 'node:path';
import { nodeModulePaths } from './node-resolve';
import type { Observations } from './observations';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** Real folder. */
  readonly dir: string;
}

interface PackageJson {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly dependencies?: unknown;
  readonly optionalDependencies?: unknown;
  readonly peerDependencies?: unknown;
}

/** The installed package a real file path lies in (the folder after the last `node_modules`), if any. */
export function packageRootOf(file: string): string | undefined {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length - 1) return undefined;
  const scoped = parts[at + 1]?.startsWith('@');
  const end = at + (scoped ? 3 : 2);
  return end <= parts.length - 1 ? parts.slice(0, end).join(path.sep) : undefined;
}

export function readInstalled(obs: Observations, dir: string, fallbackName: string): InstalledPackage {
  const pkg = obs.readJson(path.join(dir, 'package.json')) as PackageJson | undefined;
  return {
    name: typeof pkg?.name === 'string' ? pkg.name : fallbackName,
    version: typeof pkg?.version === 'string' ? pkg.version : 'unknown',
    dir,
  };
}

/** The installed folder of package `name` as seen from `fromDir` (Node's lookup), real path. */
export function findInstalled(obs: Observations, name: string, fromDir: string): string | undefined {
  for (const nm of nodeModulePaths(fromDir)) {
    const dir = path.join(nm, name);
    if (obs.isDir(dir)) return obs.real(dir);
  }
  return undefined;
}

function dependencyNames(pkg: PackageJson | undefined): string[] {
  const names = new Set<string>();
  for (const field of [pkg?.dependencies, pkg?.optionalDependencies, pkg?.peerDependencies]) {
    if (field && typeof field === 'object') for (const n of Object.keys(field)) names.add(n);
  }
  return [...names].sort();
}

/** Every package `root` depends on, transitively, as installed (missing optional or peer dependencies are skipped). */
export function installedDependencies(obs: Observations, root: InstalledPackage): InstalledPackage[] {
  const seen = new Map<string, InstalledPackage>([[root.dir, root]]);
  const queue = [root];
  for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
    const json = obs.readJson(path.join(pkg.dir, 'package.json')) as PackageJson | undefined;
    for (const name of dependencyNames(json)) {
      const dir = findInstalled(obs, name, pkg.dir);
      if (!dir || seen.has(dir)) continue;
      const dep = readInstalled(obs, dir, name);
      seen.set(dir, dep);
      queue.push(dep);
    }
  }
  seen.delete(root.dir);
  return [...seen.values()];
}
