/**
 * A step's code: its function, the top-level declarations it reaches in its
 * file (transitively), the declarations it reaches in local modules it
 * imports (transitively, through tsconfig paths and workspace packages too),
 * the load-time statements of every module it touches, and the name and
 * version of every npm package it imports. Comments and layout never count
 * (units are token digests); anything unreachable from the function never
 * counts, so editing step B or a helper only B uses leaves step A's code
 * digest unchanged.
 *
 * The result for a pipeline file is cached with the observations that
 * produced it (file digests, paths probed during resolution); it is reused
 * while repeating those observations gives the same answers, so a warm run
 * reads no source file it has not seen change and never loads TypeScript.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashParts } from '../hash/xxhash';
import type { FileHasher } from '../hash/file-hasher';
import type { DiskCache } from '../util/disk-cache';
import { relativePosix } from '../util/paths';
import { parseSource } from '../util/typescript';
import { PARSER_VERSION } from '../discovery/parse-pipeline';
import type { CodeUnit, ModuleIndex } from './module-index';
import { buildModuleIndex } from './module-index';
import type { PathKind } from './resolve';
import { Observations, Resolver } from './resolve';

const CLOSURE_VERSION = 2;
const CODE_EXTENSIONS = /\.[cm]?[jt]sx?$/;

export interface StepCode {
  readonly digest: string;
  /** Workspace-relative file → digests of the code units of that file in the step's code. */
  readonly files: Readonly<Record<string, readonly string[]>>;
  /** npm package → installed version. */
  readonly packages: Readonly<Record<string, string>>;
  readonly builtins: readonly string[];
  /** Imports that did not resolve (they still take part in the digest). */
  readonly unresolved: readonly string[];
}

interface ClosureRecord {
  readonly version: number;
  readonly steps: Readonly<Record<string, StepCode>>;
  readonly kinds: Readonly<Record<string, PathKind>>;
  readonly contents: Readonly<Record<string, string>>;
}

export interface StepFunctionRef {
  readonly name: string;
  readonly fn: CodeUnit;
}

export class CodeAnalyzer {
  private readonly indexes = new Map<string, ModuleIndex>();

  constructor(
    private readonly workspaceRoot: string,
    private readonly cache: DiskCache,
    private readonly hasher: FileHasher,
  ) {}

  /** The code of each step of one pipeline file (workspace-relative path). */
  stepCodes(pipelineFile: string, steps: readonly StepFunctionRef[]): Record<string, StepCode> {
    const key = hashParts([String(CLOSURE_VERSION), String(PARSER_VERSION), pipelineFile]);
    const cached = this.cache.get<ClosureRecord>('closures', key);
    const wanted = steps.map((s) => s.name).sort();
    if (cached && cached.version === CLOSURE_VERSION && this.stillValid(cached) && sameKeys(cached.steps, wanted) && wanted.every((n) => cached.steps[n])) {
      return { ...cached.steps };
    }
    const obs = new Observations();
    const contents = new Map<string, string>();
    const resolver = new Resolver(this.workspaceRoot, obs);
    const abs = path.join(this.workspaceRoot, pipelineFile);
    const out: Record<string, StepCode> = {};
    for (const s of steps) {
      const walk = new ClosureWalk(this, resolver, contents);
      walk.visitFile(abs);
      walk.addUnit(abs, s.fn);
      out[s.name] = walk.result();
    }
    for (const f of obs.contents) {
      if (!contents.has(f)) contents.set(f, this.digestOf(f));
    }
    this.cache.set('closures', key, {
      version: CLOSURE_VERSION,
      steps: out,
      kinds: Object.fromEntries(obs.kinds),
      contents: Object.fromEntries(contents),
    } satisfies ClosureRecord);
    return out;
  }

  private stillValid(rec: ClosureRecord): boolean {
    for (const [file, digest] of Object.entries(rec.contents)) {
      if (this.digestOf(file) !== digest) return false;
    }
    const obs = new Observations();
    for (const [p, kind] of Object.entries(rec.kinds)) {
      if (obs.kind(p) !== kind) return false;
    }
    return true;
  }

  digestOf(file: string): string {
    try {
      return this.hasher.digest(file);
    } catch {
      return 'missing';
    }
  }

  /** The code index of a module, cached by content. */
  index(file: string, contents: Map<string, string>): ModuleIndex {
    const digest = this.digestOf(file);
    contents.set(file, digest);
    const memoKey = `${file}\0${digest}`;
    const known = this.indexes.get(memoKey);
    if (known) return known;
    const cacheKey = `${PARSER_VERSION}-${digest}`;
    let idx = CODE_EXTENSIONS.test(file) ? this.cache.get<ModuleIndex>('modules', cacheKey) : undefined;
    if (!idx) {
      if (CODE_EXTENSIONS.test(file) && digest !== 'missing') {
        idx = buildModuleIndex(parseSource(file, fs.readFileSync(file, 'utf8')));
        this.cache.set('modules', cacheKey, idx);
      } else {
        // JSON and other data modules: the whole content is the code.
        idx = { decls: {}, always: [], sideEffectImports: [], imports: {}, exports: {}, starExports: [], whole: digest };
      }
    }
    this.indexes.set(memoKey, idx);
    return idx;
  }

  rel(file: string): string {
    const r = relativePosix(this.workspaceRoot, file);
    return r.startsWith('..') ? file : r;
  }
}

function sameKeys(record: Readonly<Record<string, unknown>>, keys: readonly string[]): boolean {
  const have = Object.keys(record).sort();
  return have.length === keys.length && have.every((k, i) => k === keys[i]);
}

class ClosureWalk {
  private readonly entries = new Set<string>();
  private readonly units = new Map<string, Set<string>>();
  private readonly packages = new Map<string, string>();
  private readonly builtins = new Set<string>();
  private readonly unresolved = new Set<string>();
  private readonly seenFiles = new Set<string>();
  private readonly seenNames = new Set<string>();
  private readonly seenUnits = new Set<string>();

  constructor(
    private readonly analyzer: CodeAnalyzer,
    private readonly resolver: Resolver,
    private readonly contents: Map<string, string>,
  ) {}

  private idx(file: string): ModuleIndex {
    return this.analyzer.index(file, this.contents);
  }

  addUnit(file: string, unit: CodeUnit): void {
    const key = `${file}\0${unit.digest}`;
    if (this.seenUnits.has(key)) return;
    this.seenUnits.add(key);
    const rel = this.analyzer.rel(file);
    this.entries.add(`unit\0${rel}\0${unit.digest}`);
    const set = this.units.get(rel) ?? new Set<string>();
    set.add(unit.digest);
    this.units.set(rel, set);
    for (const ref of unit.refs) this.visitName(file, ref);
    for (const spec of unit.dynamicImports) this.visitImport(file, spec, '*');
  }

  /** A module's load-time code runs whenever anything of it is used. */
  visitFile(file: string): void {
    if (this.seenFiles.has(file)) return;
    this.seenFiles.add(file);
    const idx = this.idx(file);
    for (const u of idx.always) this.addUnit(file, u);
    for (const spec of idx.sideEffectImports) this.visitImport(file, spec, '*');
  }

  private visitName(file: string, name: string): void {
    const key = `${file}\0${name}`;
    if (this.seenNames.has(key)) return;
    this.seenNames.add(key);
    this.visitFile(file);
    const idx = this.idx(file);
    const unit = idx.decls[name];
    if (unit) return this.addUnit(file, unit);
    const binding = idx.imports[name];
    if (binding && !binding.typeOnly) this.visitImport(file, binding.specifier, binding.imported);
  }

  private visitExport(file: string, exported: string): void {
    this.visitFile(file);
    const idx = this.idx(file);
    if (exported === '*') return this.visitWhole(file, idx);
    const target = idx.exports[exported];
    if (target?.kind === 'local') return this.visitName(file, target.local);
    if (target?.kind === 'reexport') return this.visitImport(file, target.specifier, target.imported);
    if (idx.starExports.length > 0) {
      for (const spec of idx.starExports) this.visitImport(file, spec, exported);
      return;
    }
    // No static export of that name (CommonJS, or generated code): take the whole module.
    this.visitWhole(file, idx);
  }

  private visitWhole(file: string, idx: ModuleIndex): void {
    const key = `${file}\0*`;
    if (this.seenNames.has(key)) return;
    this.seenNames.add(key);
    this.entries.add(`whole\0${this.analyzer.rel(file)}\0${idx.whole}`);
    for (const unit of Object.values(idx.decls)) this.addUnit(file, unit);
    for (const b of Object.values(idx.imports)) if (!b.typeOnly) this.visitImport(file, b.specifier, b.imported);
    for (const t of Object.values(idx.exports)) if (t.kind === 'reexport') this.visitImport(file, t.specifier, t.imported);
    for (const spec of idx.starExports) this.visitImport(file, spec, '*');
  }

  /** A JSON (or other data) module: its whole content is one unit, listed under the file so `why` can name it. */
  private addDataModule(file: string): void {
    const rel = this.analyzer.rel(file);
    const whole = this.idx(file).whole;
    this.entries.add(`whole\0${rel}\0${whole}`);
    this.units.set(rel, new Set([whole]));
  }

  private visitImport(fromFile: string, specifier: string, imported: string): void {
    const r = this.resolver.resolve(specifier, fromFile);
    switch (r.kind) {
      case 'local':
        if (CODE_EXTENSIONS.test(r.file)) this.visitExport(r.file, imported);
        else this.addDataModule(r.file);
        return;
      case 'package':
        this.packages.set(r.name, r.version);
        this.entries.add(`pkg\0${r.name}\0${r.version}`);
        return;
      case 'builtin':
        this.builtins.add(r.name);
        this.entries.add(`builtin\0${r.name}`);
        return;
      case 'unresolved': {
        const u = `${this.analyzer.rel(fromFile)}: ${specifier}`;
        this.unresolved.add(u);
        this.entries.add(`unresolved\0${u}`);
        return;
      }
    }
  }

  result(): StepCode {
    const sorted = (xs: Iterable<string>) => [...xs].sort();
    return {
      digest: hashParts(sorted(this.entries)),
      files: Object.fromEntries(sorted(this.units.keys()).map((f) => [f, sorted(this.units.get(f) ?? [])])),
      packages: Object.fromEntries(sorted(this.packages.keys()).map((p) => [p, this.packages.get(p) ?? ''])),
      builtins: sorted(this.builtins),
      unresolved: sorted(this.unresolved),
    };
  }
}
