/**
 * What a module's code is made of, for function-level code hashing.
 *
 * Each top-level declaration becomes a CodeUnit: the digest of its syntax
 * tree (comments, layout and types excluded, see tokens.ts) and the
 * top-level names it refers to. A step's code is then its function's unit
 * plus the units it reaches, across modules, plus what runs when each module
 * it loads is loaded (see closure.ts).
 *
 * The index is plain JSON, cached on disk by the file's content digest.
 */
import type { TS } from '../util/typescript';
import { typescript } from '../util/typescript';
import type { EffectScope } from './effects';
import { API_FUNCTIONS, factoryNames, mayHaveEffects, pipelineConsts } from './effects';
import { isErasedDeclaration } from './erasure';
import type { RuntimeLoads } from './loads';
import type { References } from './references';
import { bindingNames, referencesOf } from './references';
import { tokenDigest } from './tokens';
import { emptyRecord } from '../util/own';

export { feedTokens, tokenDigest } from './tokens';

/** Bump when the shape or meaning of a ModuleIndex or CodeUnit changes: it keys the module cache. */
export const MODULE_INDEX_VERSION = 6;

/** The nx-steps API module, whose calls `step(...)`, `pipeline(...)`, `file(...)`, `dir(...)` only build descriptors. */
const API_MODULE = 'nx-steps';

export interface CodeUnit extends Partial<RuntimeLoads> {
  /** Digest of the unit's tokens. */
  readonly digest: string;
  /** Top-level names of this module (declarations or import bindings) the unit mentions outside types. */
  readonly refs: readonly string[];
  /** Literal specifiers of modules the unit loads while it runs (`import('x')`, `require('x')`, ...). */
  readonly dynamicImports: readonly string[];
  /** Top-level names used only as `ns.member`, as `ns\0member` (references.ts). */
  readonly members?: readonly string[];
  /** What in the unit may reveal who the step is, as `line:col text` (identity.ts). */
  readonly identity?: readonly string[];
  /** JSX in the unit: calls of the JSX factory the compiler inserts. */
  readonly jsx?: References['jsx'];
  readonly usesThis?: true;
  /** It reads its own module's exports: the whole module counts for it. */
  readonly selfExports?: true;
  /** For a step's function: why it may learn who it is through its context parameter (identity.ts `stepContextReasons`). */
  readonly context?: readonly string[];
}

export interface ImportBinding {
  readonly specifier: string;
  /** The exported name imported, 'default', or '*' for a namespace import. */
  readonly imported: string;
  readonly typeOnly: boolean;
}

export type ExportTarget =
  { readonly kind: 'local'; readonly local: string } | { readonly kind: 'reexport'; readonly specifier: string; readonly imported: string };

/** One thing that happens when the module loads, in source order. */
export type LoadItem =
  | { readonly kind: 'unit'; readonly unit: CodeUnit }
  /** A module this one loads: an import that is kept in the emitted code, or a re-export. */
  | { readonly kind: 'import'; readonly specifier: string };

export interface ModuleIndex {
  /** Top-level declarations by name, every one of them (enums, namespaces and functions merge); names declared together share a unit. */
  readonly decls: Readonly<Record<string, readonly CodeUnit[]>>;
  /** What runs when the module loads: statements that may have effects, and the modules it loads, in source order. */
  readonly load: readonly LoadItem[];
  readonly imports: Readonly<Record<string, ImportBinding>>;
  readonly exports: Readonly<Record<string, ExportTarget>>;
  readonly starExports: readonly string[];
  /** Too deeply nested to parse (`unparsedModule`): any use of it takes it, and each module it names, whole. */
  readonly unparsed?: true;
  /** Digest of every token of the module. */
  readonly whole: string;
  /**
   * Its exports are exactly `exports` and what `starExports` give: ES module
   * syntax, no `export =` and no `module`/`exports` of CommonJS. A name it
   * does not export then comes from nowhere, instead of from the whole module.
   */
  readonly closedExports?: true;
  /** JSX pragmas in its comments (`@jsx h`, `@jsxFrag F`, `@jsxRuntime classic`, `@jsxImportSource x`): they change what JSX compiles to. */
  readonly jsxPragmas?: readonly string[];
  /** It holds JSX somewhere: the automatic runtime then imports `<source>/jsx-runtime` when it loads. */
  readonly hasJsx?: true;
}

/** A module with nothing in it but its digest: JSON and other data files, unreadable files. */
export function opaqueModule(whole: string): ModuleIndex {
  return { decls: emptyRecord(), load: [], imports: emptyRecord(), exports: emptyRecord(), starExports: [], whole };
}

/**
 * A code module too deeply nested to parse (util/nesting.ts): taken whole, conservatively. Loading it counts
 * as an effect of its whole text (so every step that loads it changes with any edit of it), any use of it
 * takes it whole, and every module its text names in an import, export or require() is loaded too.
 */
export function unparsedModule(whole: string, text: string): ModuleIndex {
  const specifiers = new Set<string>();
  for (const m of text.matchAll(/\b(?:from|import|require)\s*\(?\s*(['"])([^'"\n]+)\1/g)) if (m[2]) specifiers.add(m[2]);
  const unit: CodeUnit = { digest: whole, refs: [], dynamicImports: [] };
  const load: LoadItem[] = [{ kind: 'unit', unit }, ...[...specifiers].map((specifier): LoadItem => ({ kind: 'import', specifier }))];
  // As star exports too: taking this module whole takes each of them whole (what its code may use of them is unknown).
  return { ...opaqueModule(whole), load, starExports: [...specifiers], unparsed: true };
}

const JSX_PRAGMA = /@jsx(?:Frag|Runtime|ImportSource)?\s+[^\s*]+/g;

/** The JSX pragmas esbuild reads from a file's comments (every match: over-reading only adds to keys). */
function jsxPragmas(sf: TS.SourceFile): string[] {
  const found = new Set<string>();
  for (const m of sf.text.matchAll(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g)) for (const p of m[0].matchAll(JSX_PRAGMA)) found.add(p[0]);
  return [...found].sort();
}

/** Whether the module's exports are exactly its static ones (see ModuleIndex.closedExports). */
function hasClosedExports(ts: typeof TS, sf: TS.SourceFile): boolean {
  let esm = false;
  let cjs = false;
  const walk = (n: TS.Node): void => {
    if (cjs) return;
    if (ts.isExportAssignment(n) && n.isExportEquals) cjs = true;
    else if (ts.isIdentifier(n) && (n.text === 'module' || n.text === 'exports' || n.text === 'require')) cjs = true;
    else ts.forEachChild(n, walk);
  };
  for (const s of sf.statements) {
    if (
      ts.isImportDeclaration(s) ||
      ts.isExportDeclaration(s) ||
      ts.isExportAssignment(s) ||
      (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
    )
      esm = true;
    walk(s);
  }
  return esm && !cjs;
}

/** Top-level names of a module: declarations and import bindings. */
export function topLevelNames(module: ModuleIndex): Set<string> {
  return new Set([...Object.keys(module.decls), ...Object.keys(module.imports)]);
}

/** A node's code unit: its token digest, the top-level names it mentions and what it loads. */
export function codeUnitOf(node: TS.Node, sf: TS.SourceFile, topLevel: ReadonlySet<string>): CodeUnit {
  const r = referencesOf(node, sf, topLevel);
  return {
    digest: tokenDigest(node, sf),
    refs: r.refs,
    dynamicImports: r.dynamicImports,
    ...(r.dynamicPrefixes.length > 0 ? { dynamicPrefixes: r.dynamicPrefixes } : {}),
    ...(r.cwdModules.length > 0 ? { cwdModules: r.cwdModules } : {}),
    ...(r.opaque.length > 0 ? { opaque: r.opaque } : {}),
    ...(r.members.length > 0 ? { members: r.members } : {}),
    ...(r.identity.length > 0 ? { identity: r.identity } : {}),
    ...(r.jsx.length > 0 ? { jsx: r.jsx } : {}),
    ...(r.usesThis ? { usesThis: true as const } : {}),
    ...(r.selfExports ? { selfExports: true as const } : {}),
  };
}

function hasModifier(ts: typeof TS, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

/** Names a top-level statement declares (empty for statements that only run). */
export function declaredNames(ts: typeof TS, s: TS.Statement): string[] {
  const names: string[] = [];
  if (ts.isVariableStatement(s)) {
    for (const d of s.declarationList.declarations) bindingNames(ts, d.name, names);
  } else if (
    ts.isFunctionDeclaration(s) ||
    ts.isClassDeclaration(s) ||
    ts.isEnumDeclaration(s) ||
    ts.isInterfaceDeclaration(s) ||
    ts.isTypeAliasDeclaration(s) ||
    ts.isModuleDeclaration(s)
  ) {
    if (s.name && ts.isIdentifier(s.name)) names.push(s.name.text);
    else if (hasModifier(ts, s, ts.SyntaxKind.DefaultKeyword)) names.push('default');
  } else if (ts.isExportAssignment(s)) {
    names.push('default');
  } else if (ts.isImportEqualsDeclaration(s)) {
    names.push(s.name.text);
  }
  return names;
}

interface ImportScan {
  readonly imports: Record<string, ImportBinding>;
  readonly api: Set<string>;
  readonly apiNames: Map<string, string>;
  readonly apiNamespaces: Set<string>;
}

/** Records an import declaration's bindings. */
function scanImport(ts: typeof TS, s: TS.ImportDeclaration, into: ImportScan): void {
  if (!ts.isStringLiteral(s.moduleSpecifier)) return;
  const specifier = s.moduleSpecifier.text;
  const clause = s.importClause;
  if (!clause || clause.isTypeOnly) return;
  if (clause.name) into.imports[clause.name.text] = { specifier, imported: 'default', typeOnly: false };
  const nb = clause.namedBindings;
  if (nb && ts.isNamespaceImport(nb)) {
    into.imports[nb.name.text] = { specifier, imported: '*', typeOnly: false };
    if (specifier === API_MODULE) into.apiNamespaces.add(nb.name.text);
  } else if (nb) {
    for (const el of nb.elements) {
      const imported = (el.propertyName ?? el.name).text;
      into.imports[el.name.text] = { specifier, imported, typeOnly: el.isTypeOnly };
      if (specifier === API_MODULE && !el.isTypeOnly && API_FUNCTIONS.has(imported)) {
        into.api.add(el.name.text);
        into.apiNames.set(el.name.text, imported);
      }
    }
  }
}

/** Pass 1: every top-level name (declared or imported), so that pass 2 knows what a reference is. */
function scanTopLevel(ts: typeof TS, sf: TS.SourceFile): { topLevel: Set<string>; functions: Set<string>; scan: ImportScan } {
  // Keyed by names the user chose (`export function toString`): maps without a prototype (util/own.ts).
  const scan: ImportScan = { imports: emptyRecord(), api: new Set(), apiNames: new Map(), apiNamespaces: new Set() };
  const topLevel = new Set<string>();
  const functions = new Set<string>();
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) continue;
    if (isErasedDeclaration(ts, s)) continue;
    for (const n of declaredNames(ts, s)) topLevel.add(n);
    if (ts.isFunctionDeclaration(s) && s.name) functions.add(s.name.text);
  }
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) scanImport(ts, s, scan);
  }
  for (const name of Object.keys(scan.imports)) topLevel.add(name);
  return { topLevel, functions, scan };
}

export function buildModuleIndex(sf: TS.SourceFile): ModuleIndex {
  const ts = typescript();
  const { topLevel, functions, scan } = scanTopLevel(ts, sf);
  const exportsMap = emptyRecord<ExportTarget>();
  const starExports: string[] = [];
  const load: LoadItem[] = [];

  // Pass 2, in source order: units, what runs at load, exports.
  const decls = emptyRecord<CodeUnit[]>();
  const unitOf = (node: TS.Node): CodeUnit => codeUnitOf(node, sf, topLevel);
  const initialised = new Set<string>();
  const pipelines = new Set<string>();
  const base: EffectScope = {
    api: scan.api,
    apiNames: scan.apiNames,
    apiNamespaces: scan.apiNamespaces,
    safeNames: new Set([...Object.keys(scan.imports), ...functions]),
    initialised,
    pipelines,
  };
  const scope: EffectScope = { ...base, factories: factoryNames(ts, sf, base) };

  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) {
      // Every import but `import type` counts as a load. esbuild also drops
      // imports whose bindings are only used as types, but counting them only
      // adds code to keys (and `verbatimModuleSyntax` keeps them).
      if (ts.isStringLiteral(s.moduleSpecifier) && !s.importClause?.isTypeOnly) load.push({ kind: 'import', specifier: s.moduleSpecifier.text });
      continue;
    }
    if (ts.isExportDeclaration(s)) {
      readExportDeclaration(ts, s, exportsMap, starExports, load);
      continue;
    }
    if (isErasedDeclaration(ts, s)) continue;
    const names = declaredNames(ts, s);
    if (ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference) && ts.isStringLiteral(s.moduleReference.expression)) {
      // `import h = require('./a')`: loads the module, binds its exports object.
      const specifier = s.moduleReference.expression.text;
      scan.imports[s.name.text] = { specifier, imported: '*', typeOnly: s.isTypeOnly };
      if (!s.isTypeOnly) load.push({ kind: 'import', specifier });
      if (hasModifier(ts, s, ts.SyntaxKind.ExportKeyword)) exportsMap[s.name.text] = { kind: 'reexport', specifier, imported: '*' };
      continue;
    }
    if (ts.isEmptyStatement(s)) continue;
    const unit = unitOf(s);
    if (mayHaveEffects(ts, s, scope)) load.push({ kind: 'unit', unit });
    for (const n of names) (decls[n] ??= []).push(unit);
    for (const n of names) initialised.add(n);
    for (const n of pipelineConsts(ts, s, scope)) pipelines.add(n);
    recordExports(ts, s, names, exportsMap);
  }

  return { decls, load, imports: scan.imports, exports: exportsMap, starExports, whole: tokenDigest(sf, sf), ...moduleFacts(ts, sf, decls, load) };
}

/** What the compiler and Node decide for the module as a whole: closed exports, JSX pragmas, JSX anywhere. */
function moduleFacts(ts: typeof TS, sf: TS.SourceFile, decls: Record<string, CodeUnit[]>, load: readonly LoadItem[]): Partial<ModuleIndex> {
  const pragmas = /\.[jt]sx$/.test(sf.fileName) ? jsxPragmas(sf) : [];
  const hasJsx = Object.values(decls).some((us) => us.some((u) => u.jsx)) || load.some((l) => l.kind === 'unit' && l.unit.jsx);
  return {
    ...(hasClosedExports(ts, sf) ? { closedExports: true as const } : {}),
    ...(pragmas.length > 0 ? { jsxPragmas: pragmas } : {}),
    ...(hasJsx ? { hasJsx: true as const } : {}),
  };
}

function readExportDeclaration(
  ts: typeof TS,
  s: TS.ExportDeclaration,
  exportsMap: Record<string, ExportTarget>,
  starExports: string[],
  load: LoadItem[],
): void {
  if (s.isTypeOnly) return;
  const spec = s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
  if (spec) load.push({ kind: 'import', specifier: spec });
  if (!s.exportClause) {
    if (spec) starExports.push(spec);
  } else if (ts.isNamespaceExport(s.exportClause)) {
    if (spec) exportsMap[s.exportClause.name.text] = { kind: 'reexport', specifier: spec, imported: '*' };
  } else {
    for (const el of s.exportClause.elements) {
      if (el.isTypeOnly) continue;
      const exported = el.name.text;
      const original = (el.propertyName ?? el.name).text;
      exportsMap[exported] = spec ? { kind: 'reexport', specifier: spec, imported: original } : { kind: 'local', local: original };
    }
  }
}

function recordExports(ts: typeof TS, s: TS.Statement, names: readonly string[], exportsMap: Record<string, ExportTarget>): void {
  if (ts.isExportAssignment(s)) {
    exportsMap['default'] = { kind: 'local', local: 'default' };
  } else if (hasModifier(ts, s, ts.SyntaxKind.ExportKeyword)) {
    if (hasModifier(ts, s, ts.SyntaxKind.DefaultKeyword)) {
      exportsMap['default'] = { kind: 'local', local: names[0] ?? 'default' };
    } else {
      for (const n of names) exportsMap[n] = { kind: 'local', local: n };
    }
  }
}
