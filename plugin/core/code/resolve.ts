/**
 * Resolves a module specifier to what the step's process will load, exactly
 * as Node and tsx will at run time (node-resolve.ts, tsx-resolve.ts), then
 * says what it is: local code (hashed as code), an installed npm package
 * (identified by name and version, with its dependencies), a Node builtin,
 * or nothing that resolves. Every probe is recorded in `Observations`, so a
 * cached closure can later be checked by repeating only those probes.
 */
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import type { Conditions } from './node-resolve';
import { isPathRequest, splitPackageRequest } from './node-resolve';
import type { Observations } from './observations';
import type { InstalledPackage } from './packages';
import { findInstalled, installedDependencies, packageRootOf, readInstalled } from './packages';
import type { TsconfigView } from './tsconfig';
import { plausibleFiles, TsxResolver } from './tsx-resolve';

export type Resolution =
  /** Real paths: the first is the file that runs; any others are files the request could also mean, hashed too. */
  | { readonly kind: 'local'; readonly files: readonly string[] }
  | { readonly kind: 'package'; readonly pkg: InstalledPackage; readonly dependencies: readonly InstalledPackage[] }
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'unresolved'; readonly specifier: string };

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);
const API_PACKAGE = 'nx-steps';

export class Resolver {
  private readonly tsx: TsxResolver;
  private readonly packages = new Map<string, Resolution>();

  constructor(
    private readonly obs: Observations,
    tsconfig: TsconfigView,
  ) {
    this.tsx = new TsxResolver(obs, tsconfig);
  }

  /** What `specifier` loads from `fromFile` (a real path), under each of `conditions`. */
  resolve(specifier: string, fromFile: string, conditions: readonly Conditions[]): Resolution {
    const results = conditions.map((c) => this.resolveOne(specifier, fromFile, c));
    const first = results[0] ?? { kind: 'unresolved', specifier };
    if (first.kind !== 'local') return first;
    const files = new Set<string>();
    for (const r of results) if (r.kind === 'local') for (const f of r.files) files.add(f);
    return { kind: 'local', files: [...files] };
  }

  private resolveOne(specifier: string, fromFile: string, conditions: Conditions): Resolution {
    if (specifier.startsWith('node:')) return { kind: 'builtin', name: specifier.slice(5) };
    let found = this.tsx.viaPaths(specifier, fromFile, conditions);
    if (!found && BUILTINS.has(specifier)) return { kind: 'builtin', name: specifier };
    found ??= this.tsx.direct(specifier, fromFile, conditions);
    if (found.ok) {
      const root = packageRootOf(found.file);
      if (root) return this.installed(root, path.basename(root));
      const also = plausibleFiles(this.obs, specifier, fromFile).filter((f) => f !== found.file);
      return { kind: 'local', files: [found.file, ...also] };
    }
    // Not resolvable as Node would: if a package of that name is installed,
    // count it by version rather than lose it (the step may still load it).
    const parts = isPathRequest(specifier) || specifier.startsWith('#') ? undefined : splitPackageRequest(specifier);
    const dir = parts ? findInstalled(this.obs, parts.name, path.dirname(fromFile)) : undefined;
    if (dir && packageRootOf(path.join(dir, 'package.json'))) return this.installed(dir, parts?.name ?? specifier);
    const also = plausibleFiles(this.obs, specifier, fromFile);
    return also.length > 0 ? { kind: 'local', files: also } : { kind: 'unresolved', specifier };
  }

  private installed(dir: string, fallbackName: string): Resolution {
    const known = this.packages.get(dir);
    if (known) return known;
    const pkg = readInstalled(this.obs, dir, fallbackName);
    // nx-steps' own API loads only nx-steps' files, whose version is in every
    // key; what it depends on at run time (tsx, esbuild) is in the compiler
    // part of the key. Its peer dependency on nx would otherwise make every
    // Nx upgrade re-run every step.
    const dependencies = pkg.name === API_PACKAGE ? [] : installedDependencies(this.obs, pkg);
    const r: Resolution = { kind: 'package', pkg, dependencies };
    this.packages.set(dir, r);
    return r;
  }
}
