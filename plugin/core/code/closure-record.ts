/**
 * What one closure walk collects (closure-walk.ts), and the `StepCode` it
 * gives: the digest's entries, the units by file, packages, builtins,
 * unresolved and unnamed loads, and why the step may see who it is.
 */
import { hashParts } from '../util/xxhash';
import { IDENTITY_BUILTINS } from './identity';
import type { InstalledPackage } from './packages';

export interface StepCode {
  /** The one value the key takes from a step's code. */
  readonly digest: string;
  /** Workspace-relative file → digests of the code units of that file in the step's code. */
  readonly files: Readonly<Record<string, readonly string[]>>;
  /** npm packages the step's modules load → installed version. */
  readonly packages: Readonly<Record<string, string>>;
  /** What those packages depend on, transitively, as installed: `name@version`. */
  readonly dependencies?: readonly string[];
  readonly builtins: readonly string[];
  /** Imports that did not resolve (they still take part in the digest). */
  readonly unresolved: readonly string[];
  /**
   * Loads nx-steps cannot name (`file:line:col code`): the key takes every
   * file under the loading module's folder instead, and the run says so; a
   * module elsewhere (a package, `../`) is not in it.
   */
  readonly dynamic?: readonly string[];
  /** The tsconfig tsx reads for this step (workspace-relative), whose emit settings are in the key. */
  readonly tsconfig?: string | null;
  /**
   * Whether the step's code may observe who it is (`ctx.step`, `ctx.project`,
   * its modules' paths), and why (`file:line:col what`, or what the walk could
   * not analyse). When it may, its identity is part of its key (identity.ts).
   */
  readonly identity: { readonly observable: boolean; readonly reasons: readonly string[] };
}

/** The nx-steps package: its API builds descriptors and tells a step nothing about itself. */
const OWN_PACKAGE = 'nx-steps';

export class WalkRecord {
  readonly entries = new Set<string>();
  private readonly units = new Map<string, Set<string>>();
  private readonly packages = new Map<string, string>();
  private readonly dependencies = new Set<string>();
  private readonly builtins = new Set<string>();
  private readonly unresolved = new Set<string>();
  private readonly dynamic = new Set<string>();
  private readonly identity = new Set<string>();

  constructor(private readonly tsconfig: string | null) {}

  unit(relFile: string, digest: string): void {
    const set = this.units.get(relFile) ?? new Set<string>();
    set.add(digest);
    this.units.set(relFile, set);
  }

  /** A data module (JSON, ...): its one unit. */
  whole(relFile: string, digest: string): void {
    this.units.set(relFile, new Set([digest]));
  }

  package(pkg: InstalledPackage, dependencies: readonly InstalledPackage[]): void {
    this.packages.set(pkg.name, pkg.version);
    this.entries.add(`pkg\0${pkg.name}\0${pkg.version}`);
    for (const d of dependencies) {
      this.dependencies.add(`${d.name}@${d.version}`);
      this.entries.add(`pkg\0${d.name}\0${d.version}`);
    }
    if (pkg.name !== OWN_PACKAGE) this.identity.add(`package ${pkg.name}@${pkg.version} (code nx-steps does not analyse)`);
  }

  builtin(name: string): void {
    this.builtins.add(name);
    this.entries.add(`builtin\0${name}`);
    if (IDENTITY_BUILTINS.has(name)) this.identity.add(`node:${name} (it reaches the process: its environment, its modules)`);
  }

  /** `shown`: `file: specifier` (workspace-relative); `keyed`: the same relative to the step's folder. */
  unresolvedImport(shown: string, keyed: string): void {
    this.unresolved.add(shown);
    this.entries.add(`unresolved\0${keyed}`);
    this.identity.add(`an import that does not resolve (${shown})`);
  }

  /** A load nx-steps cannot name, or a folder too big to take whole. */
  unnamedLoad(where: string): void {
    this.dynamic.add(where);
    this.identity.add(`a load nx-steps cannot name (${where})`);
  }

  /** Something the code does that may reveal who the step is (`file:line:col what`). */
  identityUse(where: string): void {
    this.identity.add(where);
  }

  result(): StepCode {
    const sorted = (xs: Iterable<string>) => [...xs].sort();
    for (const pkg of this.packages.keys()) this.dependencies.delete(`${pkg}@${this.packages.get(pkg) ?? ''}`);
    return {
      digest: hashParts(sorted(this.entries)),
      files: Object.fromEntries(sorted(this.units.keys()).map((f) => [f, sorted(this.units.get(f) ?? [])])),
      packages: Object.fromEntries(sorted(this.packages.keys()).map((p) => [p, this.packages.get(p) ?? ''])),
      dependencies: sorted(this.dependencies),
      builtins: sorted(this.builtins),
      unresolved: sorted(this.unresolved),
      dynamic: sorted(this.dynamic),
      tsconfig: this.tsconfig,
      identity: { observable: this.identity.size > 0, reasons: sorted(this.identity) },
    };
  }
}
