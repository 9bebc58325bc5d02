/**
 * The walk that collects one step's code (see closure.ts for what it is).
 *
 * Two kinds of reach:
 * - a *load* (visitFile): a module is loaded as soon as anything of it is
 *   used, and loading runs its statements that may have effects and loads
 *   the modules it imports, whatever the step uses of them. The order of
 *   these effects is part of the key.
 * - a *use* (visitName, visitExport, visitMember): the declarations the
 *   step's function reaches, transitively, by name, across modules, and the
 *   JSX factory its JSX compiles to calls of.
 * A module whose use cannot be followed by name (a namespace used as a
 * value, a CommonJS module, `require()` in code) is taken whole; a load
 * nx-steps cannot name takes the whole folder of the module that makes it.
 *
 * Paths in the digest are relative to the step's pipeline file inside its
 * folder, workspace-relative outside it (`host.keyRel`), so a project folder
 * moved as a whole keeps its code digest. Whether the code may see where it
 * is decides whether the step's identity is in its key (identity.ts).
 */
import * as path from 'node:path';
import { own } from '../util/own';
import type { CodeUnit, ModuleIndex } from './module-index';
import type { ModuleFormat } from './module-format';
import { CODE_EXTENSIONS, conditionsOf, moduleFormat } from './module-format';
import type { Conditions } from './node-resolve';
import type { Observations } from './observations';
import type { Resolution, Resolver } from './resolve';
import type { JsxSettings } from './tsconfig';
import type { StepCode } from './closure-record';
import { WalkRecord } from './closure-record';

export type { StepCode } from './closure-record';

/** Beyond this many files under a dynamic import's folder, the load is reported instead of followed. */
const MAX_PREFIX_FILES = 2000;
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.nx-steps', '.git', '.nx']);

/** What the walk needs from its analyzer. */
export interface WalkHost {
  readonly obs: Observations;
  readonly resolver: Resolver;
  readonly workspaceRoot: string;
  /** The JSX settings tsx compiles a file with: its tsconfig's where that applies to the file, else esbuild's defaults (a file's pragmas override both). */
  jsx(file: string): JsxSettings;
  /** Whether tsx compiles the file with the tsconfig (its files/include/exclude): part of how the file runs. */
  compiledWithTsconfig(file: string): boolean;
  index(file: string): ModuleIndex;
  /** Workspace-relative, for people (`files`, `why`). */
  rel(file: string): string;
  /** Relative to the step's pipeline file's folder: what the digest holds. */
  keyRel(file: string): string;
}

export class ClosureWalk {
  private readonly record: WalkRecord;
  /** Loaded modules → whether loading them may have effects (true while in progress: cycles count as effects). */
  private readonly loaded = new Map<string, boolean>();
  private readonly seenNames = new Set<string>();
  private readonly seenUnits = new Set<string>();
  private readonly formats = new Map<string, ModuleFormat>();

  constructor(
    private readonly host: WalkHost,
    tsconfig: string | null,
    compilerDigest: string,
  ) {
    this.record = new WalkRecord(tsconfig);
    this.record.entries.add(`compiler\0${compilerDigest}`);
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
    return `${this.host.keyRel(file)}\0${this.format(file)}\0${this.host.compiledWithTsconfig(file) ? 'tsconfig' : 'defaults'}`;
  }

  private resolve(specifier: string, fromFile: string, conditions?: readonly Conditions[]): Resolution {
    const r = this.host.resolver.resolve(specifier, fromFile, conditions ?? [conditionsOf(this.format(fromFile))]);
    // Several files hashed for one request: which of them runs is part of the key too.
    if (r.kind === 'local' && r.files.length > 1)
      this.record.entries.add(`runs\0${this.host.keyRel(fromFile)}\0${specifier}\0${this.host.keyRel(r.files[0] ?? '')}`);
    return r;
  }

  /** The step's own function: what its context parameter may reveal (identity.ts), then its code. */
  addStepFunction(file: string, fn: CodeUnit): void {
    for (const reason of fn.context ?? []) this.record.identityUse(`${this.host.rel(file)}:${reason}`);
    this.addUnit(file, fn);
  }

  addUnit(file: string, unit: CodeUnit): void {
    const key = `${file}\0${unit.digest}`;
    if (this.seenUnits.has(key)) return;
    this.seenUnits.add(key);
    const rel = this.host.rel(file);
    this.record.entries.add(`unit\0${this.where(file)}\0${unit.digest}`);
    this.record.unit(rel, unit.digest);
    for (const use of unit.identity ?? []) this.record.identityUse(`${rel}:${use}`);
    if (unit.selfExports) this.visitWhole(file);
    for (const ref of unit.refs) this.visitName(file, ref);
    for (const m of unit.members ?? []) this.visitMember(file, m.slice(0, m.indexOf('\0')), m.slice(m.indexOf('\0') + 1));
    if (unit.jsx) this.visitJsxFactory(file, unit.jsx);
    for (const spec of unit.dynamicImports) this.visitDynamic(file, spec);
    for (const prefix of unit.dynamicPrefixes ?? []) this.visitPrefix(file, prefix);
    for (const spec of unit.cwdModules ?? []) this.visitCwd(spec);
    for (const o of unit.opaque ?? []) this.visitOpaque(file, `${rel}:${o}`);
  }

  /**
   * Loads a module: its statements that may have effects and the modules it
   * imports, in order. Returns whether loading it may have effects.
   */
  visitFile(file: string): boolean {
    const known = this.loaded.get(file);
    if (known !== undefined) return known;
    this.loaded.set(file, true);
    const idx = this.host.index(file);
    // JSX pragmas are comments: the tokens do not see them, the compiler does.
    if (idx.jsxPragmas) this.record.entries.add(`jsx-pragmas\0${this.where(file)}\0${idx.jsxPragmas.join('\0')}`);
    // The automatic runtime: esbuild imports `<source>/jsx-runtime` at the top of a module that holds JSX.
    const sequence: string[] = idx.hasJsx ? this.jsxRuntimeModules(file, idx).flatMap((spec) => this.loadImport(file, spec)) : [];
    for (const item of idx.load) {
      if (item.kind === 'unit') {
        this.addUnit(file, item.unit);
        sequence.push(`u:${item.unit.digest}`);
      } else {
        sequence.push(...this.loadImport(file, item.specifier));
      }
    }
    const effects = sequence.length > 0;
    this.loaded.set(file, effects);
    if (effects) this.record.entries.add(`load\0${this.where(file)}\0${sequence.join('\0')}`);
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
          return this.visitFile(f) ? [`m:${this.host.keyRel(f)}`] : [];
        });
      case 'package':
        // Loading a package runs code nx-steps does not analyse: it counts as an effect.
        this.record.package(r.pkg, r.dependencies);
        return [`p:${r.pkg.name}@${r.pkg.version}`];
      case 'builtin':
        this.record.builtin(r.name);
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

  /**
   * `ns.f`: of a namespace import only its export `f` (and what that
   * reaches), unless `f` may use `this` (called as `ns.f()`, it sees the
   * whole namespace). Any other name: the name itself.
   */
  private visitMember(file: string, name: string, member: string): void {
    const binding = this.host.index(file).imports[name];
    if (this.host.index(file).decls[name] || !binding || binding.imported !== '*' || binding.typeOnly) return this.visitName(file, name);
    const key = `${file}\0${name}.${member}`;
    if (this.seenNames.has(key)) return;
    this.seenNames.add(key);
    this.visitFile(file);
    const r = this.resolve(binding.specifier, file);
    if (r.kind !== 'local') return this.useImport(file, binding.specifier, '*');
    for (const f of r.files) {
      if (!CODE_EXTENSIONS.test(f)) this.addWhole(f);
      else if (this.memberMayUseThis(f, member, 0)) this.visitExport(f, '*');
      else this.visitExport(f, member);
    }
  }

  /** Whether export `member` of `file` may be a function that reads `this` (when not known: yes). */
  private memberMayUseThis(file: string, member: string, depth: number): boolean {
    const idx = this.host.index(file);
    const target = idx.exports[member];
    if (depth > 8 || !idx.closedExports) return true;
    if (target?.kind === 'local') return (idx.decls[target.local] ?? []).some((u) => u.usesThis) || !idx.decls[target.local];
    const next = (spec: string, name: string): boolean => {
      const r = this.host.resolver.resolve(spec, file, [conditionsOf(this.format(file))]);
      return r.kind !== 'local' || r.files.some((f) => !CODE_EXTENSIONS.test(f) || this.memberMayUseThis(f, name, depth + 1));
    };
    if (target?.kind === 'reexport') return target.imported === '*' || next(target.specifier, target.imported);
    return idx.starExports.some((spec) => next(spec, member));
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
        this.record.package(r.pkg, r.dependencies);
        return;
      case 'builtin':
        this.record.builtin(r.name);
        return;
      case 'unresolved':
        this.addUnresolved(fromFile, specifier);
        return;
    }
  }

  private visitExport(file: string, exported: string): void {
    this.visitFile(file);
    const idx = this.host.index(file);
    if (exported === '*' || idx.unparsed) return this.visitWhole(file);
    const target = own(idx.exports, exported);
    if (target?.kind === 'local') return this.visitName(file, target.local);
    if (target?.kind === 'reexport') return this.useImport(file, target.specifier, target.imported);
    if (idx.starExports.length > 0) {
      for (const spec of idx.starExports) this.useImport(file, spec, exported);
      return;
    }
    // A module whose exports are all static does not have this one: nothing of it is used (it is loaded, above).
    if (idx.closedExports) return;
    // No static export of that name (CommonJS, or generated code): take the whole module.
    this.visitWhole(file);
  }

  private visitWhole(file: string): void {
    const key = `${file}\0*`;
    if (this.seenNames.has(key)) return;
    this.seenNames.add(key);
    const idx = this.host.index(file);
    this.record.entries.add(`whole\0${this.where(file)}\0${idx.whole}`);
    this.visitFile(file);
    for (const units of Object.values(idx.decls)) for (const unit of units) this.addUnit(file, unit);
    for (const b of Object.values(idx.imports)) if (!b.typeOnly) this.useImport(file, b.specifier, b.imported);
    for (const t of Object.values(idx.exports)) if (t.kind === 'reexport') this.useImport(file, t.specifier, t.imported);
    for (const spec of idx.starExports) this.useImport(file, spec, '*');
  }

  /** The modules esbuild's automatic JSX runtime imports into a module with JSX (none for the classic runtime). */
  private jsxRuntimeModules(file: string, idx: ModuleIndex): string[] {
    const jsx = this.effectiveJsx(file, idx);
    if (jsx.runtime !== 'automatic') return [];
    return jsx.importSources.map((source) => `${source}/${jsx.dev ? 'jsx-dev-runtime' : 'jsx-runtime'}`);
  }

  /** What a file's JSX compiles to: the tsconfig's settings, overridden by the file's pragmas (every pragma found is followed). */
  private effectiveJsx(
    file: string,
    idx: ModuleIndex,
  ): { runtime: 'classic' | 'automatic'; dev: boolean; factories: string[]; fragments: string[]; importSources: string[] } {
    const base = this.host.jsx(file);
    const pragmas = idx.jsxPragmas ?? [];
    const values = (name: string) => pragmas.filter((p) => p.startsWith(`@${name} `)).map((p) => p.slice(name.length + 2));
    const runtime = values('jsxRuntime').includes('classic') ? 'classic' : values('jsxRuntime').includes('automatic') ? 'automatic' : base.runtime;
    const or = (xs: string[], fallback: string) => (xs.length > 0 ? xs : [fallback]);
    return {
      runtime,
      dev: base.dev,
      factories: or(values('jsx'), base.factory),
      fragments: or(values('jsxFrag'), base.fragment),
      importSources: or(values('jsxImportSource'), base.importSource),
    };
  }

  /**
   * JSX in a unit calls a function the source does not name: the classic
   * runtime's factory (`React.createElement`, `h`, a pragma's) and fragment,
   * resolved in the unit's module; the automatic runtime's `jsx`/`jsxs`/
   * `Fragment` of `<source>/jsx-runtime`, and `createElement` of `<source>`
   * for a `key` after a spread.
   */
  private visitJsxFactory(file: string, kinds: NonNullable<CodeUnit['jsx']>): void {
    const idx = this.host.index(file);
    const jsx = this.effectiveJsx(file, idx);
    if (jsx.runtime === 'automatic') {
      for (const spec of this.jsxRuntimeModules(file, idx)) this.useImport(file, spec, '*');
      if (kinds.includes('key-after-spread')) for (const source of jsx.importSources) this.useImport(file, source, 'createElement');
      return;
    }
    const names = [...jsx.factories, ...(kinds.includes('fragment') ? jsx.fragments : [])];
    for (const name of names) {
      const [root, member] = name.split('.');
      if (!root) continue;
      if (member !== undefined) this.visitMember(file, root, member);
      else this.visitName(file, root);
    }
  }

  /** A module loaded while code runs (`require('x')`, `import('x')`): either condition set, all of it. */
  private visitDynamic(fromFile: string, specifier: string): void {
    this.useImport(fromFile, specifier, '*', ['require', 'import']);
  }

  /** import(`./plugins/${name}`): every module under the folder the prefix names. Returns false when there are too many to take. */
  private visitPrefix(fromFile: string, prefix: string): boolean {
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
      this.record.unnamedLoad(`${this.host.rel(fromFile)}: more than ${MAX_PREFIX_FILES} files under ${prefix}`);
      return false;
    }
    this.record.entries.add(`prefix\0${this.host.keyRel(dir)}\0${start}\0${files.map((f) => this.host.keyRel(f)).join('\0')}`);
    for (const f of files) {
      const real = this.host.obs.real(f) ?? f;
      if (CODE_EXTENSIONS.test(real)) this.visitWhole(real);
      else this.addWhole(real);
    }
    return true;
  }

  /**
   * A load nx-steps cannot name (`require(name)`, `require` handed on as a
   * value, `eval`): what it loads is most likely beside the module, so every
   * file under the module's folder joins the key; the load is named in the
   * run's output and in `nx-steps fingerprint`, and the step's identity joins
   * its key (what it loads is not known).
   */
  private visitOpaque(file: string, where: string): void {
    this.record.unnamedLoad(where);
    this.visitPrefix(file, './');
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
    this.record.entries.add(`whole\0${this.where(file)}\0${whole}`);
    this.record.whole(this.host.rel(file), whole);
  }

  private addUnresolved(fromFile: string, specifier: string): void {
    this.record.unresolvedImport(`${this.host.rel(fromFile)}: ${specifier}`, `${this.host.keyRel(fromFile)}: ${specifier}`);
  }

  result(): StepCode {
    return this.record.result();
  }
}
