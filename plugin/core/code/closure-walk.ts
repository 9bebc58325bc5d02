/**
 * The walk that collects one step's code (see closure.ts for what it is).
 *
 * Two kinds of reach:
 * - a *load* (visitFile): a module is loaded as soon as anything of it is
 *   used, and loading runs its statements that may have effects and loads
 *   the modules it imports, whatever the step uses of them. The order of
 *   these effects is part of the key.
 * - a *use* (visitName, visitExport): the declarations the step's function
 *   reaches, transitively, by name, across modules.
 * A module whose use cannot be followed by name (a namespace import, a
 * CommonJS module, `require()` in code) is taken whole.
 */
import * as path from 'node:path';
import { own } from '../util/own';
import { hashParts } from '../util/xxhash';
import type { CodeUnit, ModuleIndex } from './module-index';
import type { ModuleFormat } from './module-format';
import { CODE_EXTENSIONS, conditionsOf, moduleFormat } from './module-format';
import type { Conditions } from './node-resolve';
import type { Observations } from './observations';
import type { InstalledPackage } from './packages';
import type { Resolution, Resolver } from './resolve';

/** Beyond this many files under a dynamic import's folder, the load is reported instead of followed. */
const MAX_PREFIX_FILES = 2000;
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.nx-steps', '.git', '.nx']);

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
  /** Loads whose target cannot be known statically (`file:line:col code`): their targets are not in the key. */
  readonly dynamic?: readonly string[];
  /** The tsconfig tsx reads for this step (workspace-relative), whose emit settings are in the key. */
  readonly tsconfig?: string | null;
}

/** What the walk needs from its analyzer. */
export interface WalkHost {
  readonly obs: Observations;
  readonly resolver: Resolver;
  readonly workspaceRoot: string;
  index(file: string): ModuleIndex;
  rel(file: string): string;
}

export class ClosureWalk {
  private readonly entries = new Set<string>();
  private readonly units = new Map<string, Set<string>>();
  private readonly packages = new Map<string, string>();
  private readonly dependencies = new Set<string>();
  private readonly builtins = new Set<string>();
  private readonly unresolved = new Set<string>();
  private readonly dynamic = new Set<string>();
  /** Loaded modules → whether loading them may have effects (true while in progress: cycles count as effects). */
  private readonly loaded = new Map<string, boolean>();
  private readonly seenNames = new Set<string>();
  private readonly seenUnits = new Set<string>();
  private readonly formats = new Map<string, ModuleFormat>();

  constructor(
    private readonly host: WalkHost,
    private readonly tsconfig: string | null,
    compilerDigest: string,
  ) {
    this.entries.add(`compiler\0${compilerDigest}`);
  }

  private format(file: string): ModuleFormat {
    let f = this.formats.get(file);
    if (!f) {
      f = moduleFormat(this.host.obs, file);
      this.formats.set(file, f);
    }
    return f;
  }

  private where(file: string): string {
    return `${this.host.rel(file)}\0${this.format(file)}`;
  }

  private resolve(specifier: string, fromFile: string, conditions?: readonly Conditions[]): Resolution {
    const r = this.host.resolver.resolve(specifier, fromFile, conditions ?? [conditionsOf(this.format(fromFile))]);
    // Several files hashed for one request: which of them runs is part of the key too.
    if (r.kind === 'local' && r.files.length > 1) this.entries.add(`runs\0${this.host.rel(fromFile)}\0${specifier}\0${this.host.rel(r.files[0] ?? '')}`);
    return r;
  }

  addUnit(file: string, unit: CodeUnit): void {
    const key = `${file}\0${unit.digest}`;
    if (this.seenUnits.has(key)) return;
    this.seenUnits.add(key);
    const rel = this.host.rel(file);
    this.entries.add(`unit\0${this.where(file)}\0${unit.digest}`);
    const set = this.units.get(rel) ?? new Set<string>();
    set.add(unit.digest);
    this.units.set(rel, set);
    for (const ref of unit.refs) this.visitName(file, ref);
    for (const spec of unit.dynamicImports) this.visitDynamic(file, spec);
    for (const prefix of unit.dynamicPrefixes ?? []) this.visitPrefix(file, prefix);
    for (const spec of unit.cwdModules ?? []) this.visitCwd(spec);
    for (const o of unit.opaque ?? []) this.dynamic.add(`${rel}:${o}`);
  }

  /**
   * Loads a module: its statements that may have effects and the modules it
   * imports, in order. Returns whether loading it may have effects.
   */
  visitFile(file: string): boolean {
    const known = this.loaded.get(file);
    if (known !== undefined) return known;
    this.loaded.set(file, true);
    const sequence: string[] = [];
    for (const item of this.host.index(file).load) {
      if (item.kind === 'unit') {
        this.addUnit(file, item.unit);
        sequence.push(`u:${item.unit.digest}`);
      } else {
        sequence.push(...this.loadImport(file, item.specifier));
      }
    }
    const effects = sequence.length > 0;
    this.loaded.set(file, effects);
    if (effects) this.entries.add(`load\0${this.where(file)}\0${sequence.join('\0')}`);
    return effects;
  }

  /** Loads what `specifier` names; returns the ids of the loads that may have effects. */
  private loadImport(fromFile: string, specifier: string): string[] {
    const r = this.resolve(specifier, fromFile);
    switch (r.kind) {
      case 'local':
        return r.files.flatMap((f) => {
          // Loading JSON only parses it: no effect on other code, so it joins the key of the steps that read it (visitImport), not of every step.
          if (f.endsWith('.json')) return [];
          if (!CODE_EXTENSIONS.test(f)) {
            this.addWhole(f);
            return [];
          }
          return this.visitFile(f) ? [`m:${this.host.rel(f)}`] : [];
        });
      case 'package':
        // Loading a package runs code nx-steps does not analyse: it counts as an effect.
        this.addPackage(r.pkg, r.dependencies);
        return [`p:${r.pkg.name}@${r.pkg.version}`];
      case 'builtin':
        this.addBuiltin(r.name);
        return [];
      case 'unresolved':
        this.addUnresolved(fromFile, specifier);
        return [`x:${specifier}`];
    }
  }

  private visitName(file: string, name: string): void {
    const key = `${file}\0${name}`;
    if (this.seenNames.has(key)) return;
    this.seenNames.add(key);
    this.visitFile(file);
    const idx = this.host.index(file);
    const units = own(idx.decls, name);
    if (units) {
      for (const unit of units) this.addUnit(file, unit);
      return;
    }
    const binding = own(idx.imports, name);
    if (binding && !binding.typeOnly) this.useImport(file, binding.specifier, binding.imported);
  }

  /** Uses export `imported` ('*' for all) of what `specifier` names from `fromFile`. */
  private useImport(fromFile: string, specifier: string, imported: string, conditions?: readonly Conditions[]): void {
    const r = this.resolve(specifier, fromFile, conditions);
    switch (r.kind) {
      case 'local':
        for (const f of r.files) {
          if (CODE_EXTENSIONS.test(f)) this.visitExport(f, imported);
          else this.addWhole(f);
        }
        return;
      case 'package':
        this.addPackage(r.pkg, r.dependencies);
        return;
      case 'builtin':
        this.addBuiltin(r.name);
        return;
      case 'unresolved':
        this.addUnresolved(fromFile, specifier);
        return;
    }
  }

  private visitExport(file: string, exported: string): void {
    this.visitFile(file);
    const idx = this.host.index(file);
    if (exported === '*') return this.visitWhole(file);
    const target = own(idx.exports, exported);
    if (target?.kind === 'local') return this.visitName(file, target.local);
    if (target?.kind === 'reexport') return this.useImport(file, target.specifier, target.imported);
    if (idx.starExports.length > 0) {
      for (const spec of idx.starExports) this.useImport(file, spec, exported);
      return;
    }
    // No static export of that name (CommonJS, or generated code): take the whole module.
    this.visitWhole(file);
  }

  private visitWhole(file: string): void {
    const key = `${file}\0*`;
    if (this.seenNames.has(key)) return;
    this.seenNames.add(key);
    const idx = this.host.index(file);
    this.entries.add(`whole\0${this.where(file)}\0${idx.whole}`);
    this.visitFile(file);
    for (const units of Object.values(idx.decls)) for (const unit of units) this.addUnit(file, unit);
    for (const b of Object.values(idx.imports)) if (!b.typeOnly) this.useImport(file, b.specifier, b.imported);
    for (const t of Object.values(idx.exports)) if (t.kind === 'reexport') this.useImport(file, t.specifier, t.imported);
    for (const spec of idx.starExports) this.useImport(file, spec, '*');
  }

  /** A module loaded while code runs (`require('x')`, `import('x')`): either condition set, all of it. */
  private visitDynamic(fromFile: string, specifier: string): void {
    this.useImport(fromFile, specifier, '*', ['require', 'import']);
  }

  /** import(`./plugins/${name}`): every module under the folder the prefix names. */
  private visitPrefix(fromFile: string, prefix: string): void {
    const base = path.resolve(path.dirname(fromFile), prefix);
    const dir = prefix.endsWith('/') ? base : path.dirname(base);
    const start = prefix.endsWith('/') ? '' : path.basename(base);
    const files: string[] = [];
    const walk = (d: string, relDir: string): void => {
      for (const name of this.host.obs.list(d)) {
        if (files.length > MAX_PREFIX_FILES) return;
        const rel = relDir ? `${relDir}/${name}` : name;
        const abs = path.join(d, name);
        if (!rel.startsWith(start) && !start.startsWith(rel)) continue;
        if (this.host.obs.isDir(abs)) {
          if (!SKIPPED_FOLDERS.has(name)) walk(abs, rel);
        } else if (rel.startsWith(start) && this.host.obs.isFile(abs)) {
          files.push(abs);
        }
      }
    };
    walk(dir, '');
    if (files.length > MAX_PREFIX_FILES) {
      this.dynamic.add(`${this.host.rel(fromFile)}: more than ${MAX_PREFIX_FILES} files under ${prefix}`);
      return;
    }
    this.entries.add(`prefix\0${this.host.rel(dir)}\0${start}\0${files.map((f) => this.host.rel(f)).join('\0')}`);
    for (const f of files) {
      const real = this.host.obs.real(f) ?? f;
      if (CODE_EXTENSIONS.test(real)) this.visitWhole(real);
      else this.addWhole(real);
    }
  }

  /** new Worker('./w.js'): a path relative to the process's working folder, the workspace root. */
  private visitCwd(spec: string): void {
    const abs = path.resolve(this.host.workspaceRoot, spec);
    const real = this.host.obs.isFile(abs) ? this.host.obs.real(abs) : undefined;
    if (!real) return this.addUnresolved(path.join(this.host.workspaceRoot, 'worker'), spec);
    if (CODE_EXTENSIONS.test(real)) this.visitWhole(real);
    else this.addWhole(real);
  }

  /** A JSON (or other data) module: its whole content is one unit, listed under the file so `why` can name it. */
  private addWhole(file: string): void {
    const whole = this.host.index(file).whole;
    this.entries.add(`whole\0${this.where(file)}\0${whole}`);
    this.units.set(this.host.rel(file), new Set([whole]));
  }

  private addPackage(pkg: InstalledPackage, dependencies: readonly InstalledPackage[]): void {
    this.packages.set(pkg.name, pkg.version);
    this.entries.add(`pkg\0${pkg.name}\0${pkg.version}`);
    for (const d of dependencies) {
      this.dependencies.add(`${d.name}@${d.version}`);
      this.entries.add(`pkg\0${d.name}\0${d.version}`);
    }
  }

  private addBuiltin(name: string): void {
    this.builtins.add(name);
    this.entries.add(`builtin\0${name}`);
  }

  private addUnresolved(fromFile: string, specifier: string): void {
    const u = `${this.host.rel(fromFile)}: ${specifier}`;
    this.unresolved.add(u);
    this.entries.add(`unresolved\0${u}`);
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
    };
  }
}
