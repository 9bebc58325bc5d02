/**
 * A step's code: its function, the declarations it reaches (in its file and
 * in the local modules it imports, transitively), what runs when each module
 * it loads is loaded (statements that may have effects, in order, and the
 * modules those load), the installed npm packages its modules load (name and
 * version, with their dependencies transitively), and the tsconfig settings
 * that change the JavaScript tsx emits. Imports resolve exactly as Node and
 * tsx will resolve them when the step runs; the file that runs is the file
 * hashed. Comments, layout and types never count (units are token digests
 * without them); a declaration nothing reaches and that cannot have effects
 * never counts, so editing step B or a helper only B uses leaves step A's
 * code digest unchanged.
 *
 * The result for a pipeline file is cached with the observations that
 * produced it (file digests, paths probed during resolution, real paths,
 * folder listings); it is reused while repeating those observations gives
 * the same answers, so a warm run reads no source file it has not seen
 * change and never loads TypeScript.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalDigest } from '../hash/canonical';
import type { FileHasher } from '../hash/file-hasher';
import { hashBytes, hashParts } from '../util/xxhash';
import type { DiskCache } from '../util/disk-cache';
import { isStackOverflow } from '../util/nesting';
import { relativePosix } from '../util/paths';
import { parseSource } from '../util/typescript';
import type { StepCode } from './closure-walk';
import { ClosureWalk } from './closure-walk';
import { orderedDigest } from '../hash/canonical';
import type { CanonicalValue } from '../hash/canonical';
import type { CodeUnit, ModuleIndex } from './module-index';
import { buildModuleIndex, MODULE_INDEX_VERSION, opaqueModule, unparsedModule } from './module-index';
import { CODE_EXTENSIONS } from './module-format';
import type { ObservationRecord } from './observations';
import { Observations, stillObserved } from './observations';
import { Resolver } from './resolve';
import { emitterVersions } from './runtime';
import { chooseTsconfig, DEFAULT_JSX, readTsconfig } from './tsconfig';

export type { StepCode } from './closure-walk';

// 5: identity, members, JSX factories, paths relative to the pipeline file, JSON by data.
// 6: tsconfig files are read by jsonc-parser (util/jsonc.ts); a closure cached from the old reader may hold
// settings it misread (`"x,]"` inside a string became `"x]"`).
const CLOSURE_VERSION = 6;

interface ClosureRecord {
  readonly version: number;
  readonly steps: Readonly<Record<string, StepCode>>;
  readonly observed: ObservationRecord;
  /** File → content digest, for every file whose content decided something. */
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
    // tsx reads TSX_TSCONFIG_PATH when the user sets it (load-module.ts sets it otherwise).
    const envTsconfig = process.env['TSX_TSCONFIG_PATH'] ?? '';
    // The workspace's own path too: observations are absolute, and a copy of the workspace (its caches included) must not read the original's.
    const key = hashParts([String(CLOSURE_VERSION), String(MODULE_INDEX_VERSION), this.workspaceRoot, pipelineFile, envTsconfig, emitterVersions()]);
    const cached = this.cache.get<ClosureRecord>('closures', key);
    const wanted = steps.map((s) => s.name).sort();
    if (cached && cached.version === CLOSURE_VERSION && sameKeys(cached.steps, wanted) && this.stillValid(cached)) {
      return { ...cached.steps };
    }
    const obs = new Observations();
    const root = obs.real(this.workspaceRoot) ?? this.workspaceRoot;
    const contents = new Map<string, string>();
    const rel = (file: string): string => {
      const r = relativePosix(root, file);
      return r.startsWith('..') ? file : r;
    };
    const pipelineAbs = obs.real(path.join(root, pipelineFile)) ?? path.join(root, pipelineFile);
    const tsconfigFile = chooseTsconfig(pipelineAbs, root, obs, envTsconfig || undefined);
    const tsconfig = readTsconfig(tsconfigFile, obs);
    const compiler = hashParts([canonicalDigest(tsconfig.emit), emitterVersions()]);
    const stepDir = path.dirname(pipelineAbs);
    const host = {
      obs,
      resolver: new Resolver(obs, tsconfig),
      workspaceRoot: root,
      index: (f: string) => this.index(f, contents),
      rel,
      keyRel: (f: string) => keyPath(stepDir, f, rel),
      jsx: (f: string) => (tsconfig.appliesTo(f) ? tsconfig.jsx : DEFAULT_JSX),
      compiledWithTsconfig: (f: string) => tsconfig.appliesTo(f),
    };
    const out: Record<string, StepCode> = {};
    for (const s of steps) {
      const walk = new ClosureWalk(host, tsconfigFile ? rel(tsconfigFile) : null, compiler);
      walk.visitFile(pipelineAbs);
      walk.addStepFunction(pipelineAbs, s.fn);
      out[s.name] = walk.result();
    }
    for (const f of obs.contents) if (!contents.has(f)) contents.set(f, this.digestOf(f));
    this.cache.set('closures', key, {
      version: CLOSURE_VERSION,
      steps: out,
      observed: obs.record(),
      contents: Object.fromEntries(contents),
    } satisfies ClosureRecord);
    return out;
  }

  private stillValid(rec: ClosureRecord): boolean {
    for (const [file, digest] of Object.entries(rec.contents)) {
      if (this.digestOf(file) !== digest) return false;
    }
    return stillObserved(rec.observed);
  }

  digestOf(file: string): string {
    try {
      return this.hasher.digest(file);
    } catch {
      return 'missing';
    }
  }

  /** The code index of a module, cached by content and kind of file. */
  index(file: string, contents: Map<string, string>): ModuleIndex {
    let digest = this.digestOf(file);
    contents.set(file, digest);
    const known = this.indexes.get(`${file}\0${digest}`);
    if (known) return known;
    if (digest !== 'missing' && file.endsWith('.json')) {
      const data = opaqueModule(jsonDigest(file, digest));
      this.indexes.set(`${file}\0${digest}`, data);
      return data;
    }
    if (!CODE_EXTENSIONS.test(file) || digest === 'missing') return opaqueModule(digest);
    // The extension decides how the text parses (`<T>x` in .ts, JSX in .tsx).
    const cacheKey = (d: string) => `${MODULE_INDEX_VERSION}-${path.extname(file)}-${d}`;
    let idx = this.cache.get<ModuleIndex>('modules', cacheKey(digest));
    if (!idx) {
      const bytes = fs.readFileSync(file);
      // The file may have changed since it was digested: index what was read, under its own digest.
      digest = hashBytes(bytes);
      contents.set(file, digest);
      idx = indexOf(file, bytes.toString('utf8'), digest);
      this.cache.set('modules', cacheKey(digest), idx);
    }
    this.indexes.set(`${file}\0${digest}`, idx);
    return idx;
  }
}

/** A module's index; one too deeply nested for the parser is taken whole (module-index.ts `unparsedModule`). */
function indexOf(file: string, text: string, digest: string): ModuleIndex {
  try {
    return buildModuleIndex(parseSource(file, text));
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    return unparsedModule(digest, text);
  }
}

/**
 * A file's path as the code digest holds it: relative to the step's pipeline
 * file for a file in its folder, so a project folder moved as a whole keeps
 * its digest, and workspace-relative for one outside it (`../libs/x` from a
 * moved folder is the same file at the same place). The two never meet.
 */
function keyPath(stepDir: string, file: string, rel: (f: string) => string): string {
  const inside = relativePosix(stepDir, file);
  return inside.startsWith('..') || path.isAbsolute(inside) ? `workspace:${rel(file)}` : `./${inside}`;
}

/**
 * A JSON module by the data it parses to (key order kept: `Object.keys` sees
 * it), as Node's JSON loader reads it: reformatting it changes nothing. A
 * file that does not parse counts by its bytes.
 */
function jsonDigest(file: string, bytesDigest: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    return `json:${orderedDigest(JSON.parse(text) as CanonicalValue)}`;
  } catch {
    return bytesDigest;
  }
}

function sameKeys(record: Readonly<Record<string, unknown>>, keys: readonly string[]): boolean {
  const have = Object.keys(record).sort();
  return have.length === keys.length && have.every((k, i) => k === keys[i]);
}
