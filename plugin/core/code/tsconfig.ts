/**
 * The one tsconfig a step's process runs with, read as tsx reads it.
 *
 * tsx reads a single tsconfig for the whole process (`TSX_TSCONFIG_PATH`,
 * which the executor sets to the tsconfig.json or tsconfig.base.json nearest
 * the pipeline file, see run/load-module.ts): its `paths` and `baseUrl`
 * decide how bare specifiers resolve in every module of the process, and its
 * compiler options (target, useDefineForClassFields, experimentalDecorators,
 * jsx, ...) decide the JavaScript esbuild emits. `extends` chains are merged
 * the way get-tsconfig (tsx's reader) merges them.
 */
import * as path from 'node:path';
import type { CanonicalValue } from '../hash/canonical';
import { parseJsonc } from '../util/jsonc';
import type { Observations } from './observations';

export interface PathsMatcher {
  readonly exact: ReadonlyMap<string, readonly string[]>;
  readonly patterns: ReadonlyArray<{ readonly prefix: string; readonly suffix: string; readonly targets: readonly string[] }>;
  /** Where `paths` targets and a bare `baseUrl` lookup start (absolute). */
  readonly base: string;
  readonly hasBaseUrl: boolean;
}

/**
 * What esbuild compiles JSX to, from the tsconfig (a file's `@jsx...`
 * pragmas override it: closure-walk.ts). `jsx: react-jsx` and
 * `react-jsxdev` select the automatic runtime (`<importSource>/jsx-runtime`,
 * `jsx-dev-runtime`); anything else, `preserve` included (tsx compiles it
 * anyway), the classic one (`jsxFactory`, `jsxFragmentFactory`).
 */
export interface JsxSettings {
  readonly runtime: 'classic' | 'automatic';
  readonly dev: boolean;
  readonly factory: string;
  readonly fragment: string;
  readonly importSource: string;
}

export interface TsconfigView {
  /** The file tsx reads, absolute; undefined when there is none. */
  readonly file: string | undefined;
  readonly paths: PathsMatcher | undefined;
  readonly allowJs: boolean;
  /** What of the config changes emitted code, for the key: its options, wherever it sits. */
  readonly emit: CanonicalValue;
  readonly jsx: JsxSettings;
  /** Whether tsx compiles `file` (absolute) with this config: its files, include and exclude (get-tsconfig's isFileIncluded). */
  appliesTo(file: string): boolean;
}

/** esbuild's JSX defaults: what a file gets when no tsconfig applies to it. */
export const DEFAULT_JSX: JsxSettings = { runtime: 'classic', dev: false, factory: 'React.createElement', fragment: 'React.Fragment', importSource: 'react' };

function jsxSettings(options: Readonly<Record<string, unknown>>): JsxSettings {
  const str = (k: string, fallback: string) => (typeof options[k] === 'string' && options[k] !== '' ? (options[k] as string) : fallback);
  const mode = typeof options['jsx'] === 'string' ? options['jsx'].toLowerCase() : '';
  return {
    runtime: mode === 'react-jsx' || mode === 'react-jsxdev' ? 'automatic' : 'classic',
    dev: mode === 'react-jsxdev',
    factory: str('jsxFactory', DEFAULT_JSX.factory),
    fragment: str('jsxFragmentFactory', DEFAULT_JSX.fragment),
    importSource: str('jsxImportSource', DEFAULT_JSX.importSource),
  };
}

/**
 * Options that never change what tsx runs: type checking, declaration and
 * output files, editor and build-mode settings. Every other option (known or
 * not) enters the key. `paths` and `baseUrl` are left out here because what
 * they resolve is in the key already.
 */
const NOT_EMITTED: ReadonlySet<string> = new Set([
  'noImplicitAny',
  'noImplicitReturns',
  'noImplicitThis',
  'noImplicitOverride',
  'noUnusedLocals',
  'noUnusedParameters',
  'noFallthroughCasesInSwitch',
  'noUncheckedIndexedAccess',
  'noPropertyAccessFromIndexSignature',
  'exactOptionalPropertyTypes',
  'strictNullChecks',
  'strictFunctionTypes',
  'strictBindCallApply',
  'strictPropertyInitialization',
  'strictBuiltinIteratorReturn',
  'useUnknownInCatchVariables',
  'skipLibCheck',
  'skipDefaultLibCheck',
  'types',
  'typeRoots',
  'lib',
  'noLib',
  'declaration',
  'declarationMap',
  'declarationDir',
  'emitDeclarationOnly',
  'outDir',
  'outFile',
  'rootDir',
  'rootDirs',
  'sourceMap',
  'inlineSourceMap',
  'inlineSources',
  'sourceRoot',
  'mapRoot',
  'noEmit',
  'noEmitOnError',
  'composite',
  'incremental',
  'tsBuildInfoFile',
  'forceConsistentCasingInFileNames',
  'resolveJsonModule',
  'allowUnreachableCode',
  'allowUnusedLabels',
  'checkJs',
  'maxNodeModuleJsDepth',
  'pretty',
  'listFiles',
  'listEmittedFiles',
  'diagnostics',
  'extendedDiagnostics',
  'generateCpuProfile',
  'generateTrace',
  'traceResolution',
  'explainFiles',
  'plugins',
  'paths',
  'baseUrl',
  'newLine',
  'removeComments',
  'stripInternal',
  'noErrorTruncation',
  'disableSizeLimit',
  'disableSourceOfProjectReferenceRedirect',
  'disableSolutionSearching',
  'disableReferencedProjectLoad',
  'assumeChangesOnlyAffectDirectDependencies',
  'isolatedDeclarations',
  'noCheck',
  'erasableSyntaxOnly',
  'noUncheckedSideEffectImports',
  'allowArbitraryExtensions',
  'allowImportingTsExtensions',
  'resolvePackageJsonExports',
  'resolvePackageJsonImports',
  'moduleSuffixes',
  'preserveSymlinks',
  'libReplacement',
  'emitBOM',
  'keyofStringsOnly',
  'suppressExcessPropertyErrors',
  'suppressImplicitAnyIndexErrors',
  'noStrictGenericChecks',
  'customConditions',
]);

interface Merged {
  options: Record<string, unknown>;
  /** Folder of the config that declared `paths`, when no baseUrl applies. */
  pathsBase?: string;
  files?: readonly string[];
  include?: readonly string[];
  exclude?: readonly string[];
  /** The folder the files/include/exclude lists are relative to. */
  listsBase?: string;
  error?: string;
}

type RawConfig = { extends?: unknown; compilerOptions?: Record<string, unknown>; files?: unknown; include?: unknown; exclude?: unknown };

/** The tsconfig the executor's tsx will read for this pipeline file (the same search as load-module.ts). */
export function chooseTsconfig(pipelineAbs: string, workspaceRoot: string, obs: Observations, envPath: string | undefined): string | undefined {
  if (envPath) return path.resolve(workspaceRoot, envPath);
  for (let dir = path.dirname(pipelineAbs); ; dir = path.dirname(dir)) {
    for (const name of ['tsconfig.json', 'tsconfig.base.json']) {
      const candidate = path.join(dir, name);
      if (obs.isFile(candidate)) return candidate;
    }
    if (dir === workspaceRoot || path.dirname(dir) === dir) break;
  }
  // Nothing set: tsx searches for tsconfig.json from its working folder (the workspace root) upwards.
  for (let dir = workspaceRoot; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (obs.isFile(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The config as tsx reads it. Which files it applies to is a question per
 * file (`appliesTo`), not part of `emit`, so a project folder moved as a
 * whole, under the same config, keeps its digest.
 */
export function readTsconfig(file: string | undefined, obs: Observations): TsconfigView {
  if (!file) return { file, paths: undefined, allowJs: false, emit: { tsconfig: null }, jsx: DEFAULT_JSX, appliesTo: () => false };
  const merged = withConfigDir(readChain(file, obs, new Set()), path.dirname(file));
  const options = Object.fromEntries(
    Object.entries(merged.options)
      .filter(([k]) => !NOT_EMITTED.has(k))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return {
    file,
    paths: pathsMatcher(merged, file),
    allowJs: merged.options['allowJs'] === true || merged.options['checkJs'] === true,
    emit: { tsconfig: 'found', error: merged.error ?? null, options: options as CanonicalValue } as CanonicalValue,
    jsx: jsxSettings(merged.options),
    appliesTo: filesMatcher(merged, file),
  };
}

const IGNORED_FOLDERS = `(?!(node_modules|bower_components|jspm_packages)(/|$))`;
const ANY = '[^/]';
const NOT_DOT = '[^./]';
const escapeRegExp = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const posix = (p: string) => p.split(path.sep).join('/');

/** get-tsconfig's compilePatterns and isFileIncluded, as tsx calls them (case-sensitive, as on Linux). */
function filesMatcher(merged: Merged, file: string): (abs: string) => boolean {
  const dir = merged.listsBase ?? path.dirname(file);
  const resolve = (p: string) => posix(path.isAbsolute(p) ? p : path.join(dir, p));
  const flags = process.platform === 'darwin' || process.platform === 'win32' ? 'i' : '';
  const files = merged.files ? new Set(merged.files.map(resolve)) : undefined;
  const extensions = ['.ts', '.tsx', '.d.ts', '.cts', '.d.cts', '.mts', '.d.mts'];
  if (merged.options['allowJs'] === true) extensions.push('.js', '.jsx', '.cjs', '.mjs');
  const defaultExclude = ['outDir', 'declarationDir'].flatMap((k) => (typeof merged.options[k] === 'string' ? [merged.options[k] as string] : []));
  const exclude = (merged.exclude ?? defaultExclude).map((p) => {
    const e = escapeRegExp(resolve(p)).replaceAll('\\*\\*/', '(.+/)?').replaceAll('\\*', `${ANY}*`).replaceAll('\\?', ANY);
    return new RegExp(`^${e}($|/)`, flags);
  });
  const includeList = merged.files || merged.include ? merged.include : ['**/*'];
  const include = includeList?.map((p) => {
    let y = resolve(p);
    if (/(?:^|\/)[^.*?]+$/.test(y)) y = posix(path.join(y, '**/*'));
    const e = escapeRegExp(y)
      .replaceAll('/\\*\\*', `(/${IGNORED_FOLDERS}${NOT_DOT}${ANY}*)*?`)
      .replace(/(\/)?\\\*/g, (_m, slash?: string) => {
        const v = `(${NOT_DOT}|(\\.(?!min\\.js$))?)*`;
        return slash ? `/${IGNORED_FOLDERS}${NOT_DOT}${v}` : v;
      })
      .replace(/(\/)?\\\?/g, (_m, slash?: string) => (slash ? `/${IGNORED_FOLDERS}${ANY}` : ANY));
    return new RegExp(`^${e}$`, flags);
  });
  return (abs) => {
    const f = posix(abs);
    if (files?.has(f)) return true;
    if (!extensions.some((x) => f.endsWith(x)) || exclude.some((r) => r.test(f))) return false;
    return !!include?.some((r) => r.test(f));
  };
}

/** `${configDir}` (TypeScript 5.5) means the folder of the tsconfig tsx reads, wherever it is written. */
function withConfigDir(merged: Merged, dir: string): Merged {
  const fill = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.includes('${configDir}')
        ? path.resolve(dir, v.replace('${configDir}', '.'))
        : v
      : Array.isArray(v)
        ? v.map(fill)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
          : v;
  const lists = (l: readonly string[] | undefined) => l?.map((x) => fill(x) as string);
  const out: Merged = { ...merged, options: fill(merged.options) as Record<string, unknown> };
  for (const k of ['files', 'include', 'exclude'] as const) {
    const l = lists(merged[k]);
    if (l) out[k] = l;
  }
  return out;
}

function readChain(file: string, obs: Observations, seen: Set<string>): Merged {
  if (seen.has(file) || seen.size > 16) return { options: {}, error: `circular extends at ${file}` };
  seen.add(file);
  const text = obs.read(file);
  if (text === undefined) return { options: {}, error: `cannot read ${file}` };
  let raw: RawConfig;
  try {
    raw = (parseJsonc(text) ?? {}) as RawConfig;
  } catch {
    return { options: {}, error: `cannot parse ${file}` };
  }
  const dir = path.dirname(file);
  let merged: Merged = { options: {} };
  const parents = raw.extends === undefined ? [] : Array.isArray(raw.extends) ? raw.extends : [raw.extends];
  for (const parent of parents) {
    const parentFile = typeof parent === 'string' ? resolveExtends(parent, dir, obs) : undefined;
    const p: Merged = parentFile ? readChain(parentFile, obs, seen) : { options: {}, error: `extends not found: ${String(parent)}` };
    const error = merged.error ?? p.error;
    merged = { ...merged, ...p, options: { ...merged.options, ...p.options }, ...(error ? { error } : {}) };
  }
  const own = { ...(raw.compilerOptions ?? {}) };
  for (const k of ['baseUrl', 'outDir', 'declarationDir', 'rootDir']) {
    const v = own[k];
    if (typeof v === 'string' && !v.startsWith('${configDir}')) own[k] = path.resolve(dir, v);
  }
  const result: Merged = { ...merged, options: { ...merged.options, ...own } };
  if (own['paths'] !== undefined) result.pathsBase = dir;
  for (const k of ['files', 'include', 'exclude'] as const) {
    const list = raw[k];
    if (Array.isArray(list)) {
      result[k] = list.map(String);
      result.listsBase = dir;
    }
  }
  return result;
}

/** get-tsconfig's lookup of an `extends` entry: a path (with or without `.json`), or a package's config. */
function resolveExtends(spec: string, dir: string, obs: Observations): string | undefined {
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    const p = path.resolve(dir, spec === '..' ? '../tsconfig.json' : spec);
    if (obs.isFile(p)) return p;
    if (!p.endsWith('.json') && obs.isFile(`${p}.json`)) return `${p}.json`;
    return undefined;
  }
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
  const sub = spec.slice(name.length + 1);
  for (let d = dir; ; d = path.dirname(d)) {
    const pkgDir = path.join(d, 'node_modules', name);
    if (obs.isDir(pkgDir)) {
      if (!sub) {
        const pkg = obs.readJson(path.join(pkgDir, 'package.json')) as { tsconfig?: unknown } | undefined;
        if (typeof pkg?.tsconfig === 'string' && obs.isFile(path.join(pkgDir, pkg.tsconfig))) return path.join(pkgDir, pkg.tsconfig);
        const def = path.join(pkgDir, 'tsconfig.json');
        return obs.isFile(def) ? def : undefined;
      }
      const p = path.join(pkgDir, sub);
      if (obs.isFile(p)) return p;
      if (obs.isFile(`${p}.json`)) return `${p}.json`;
      if (obs.isFile(path.join(p, 'tsconfig.json'))) return path.join(p, 'tsconfig.json');
      return undefined;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

function pathsMatcher(merged: Merged, file: string): PathsMatcher | undefined {
  const baseUrl = merged.options['baseUrl'];
  const paths = merged.options['paths'];
  if (typeof baseUrl !== 'string' && (typeof paths !== 'object' || paths === null)) return undefined;
  const base = typeof baseUrl === 'string' ? baseUrl : (merged.pathsBase ?? path.dirname(file));
  const exact = new Map<string, string[]>();
  const patterns: Array<{ prefix: string; suffix: string; targets: string[] }> = [];
  for (const [pattern, targets] of Object.entries((paths ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(targets)) continue;
    const abs = targets.map((t) => path.resolve(base, String(t)));
    const star = pattern.indexOf('*');
    if (star < 0) exact.set(pattern, abs);
    else patterns.push({ prefix: pattern.slice(0, star), suffix: pattern.slice(star + 1), targets: abs });
  }
  return { exact, patterns, base, hasBaseUrl: typeof baseUrl === 'string' };
}

/**
 * get-tsconfig's resolvePathAlias: the candidates for a bare specifier. An
 * exact key wins; else the pattern with the longest prefix (only that one);
 * else, with a baseUrl, the specifier under baseUrl.
 */
export function pathAliasCandidates(m: PathsMatcher, specifier: string): string[] {
  if (/^\.{1,2}(\/.*)?$/.test(specifier)) return [];
  const exact = m.exact.get(specifier);
  if (exact) return [...exact];
  let best: PathsMatcher['patterns'][number] | undefined;
  for (const p of m.patterns) {
    if (specifier.startsWith(p.prefix) && specifier.endsWith(p.suffix) && (!best || p.prefix.length > best.prefix.length)) best = p;
  }
  if (!best) return m.hasBaseUrl ? [path.join(m.base, specifier)] : [];
  const captured = specifier.slice(best.prefix.length, specifier.length - best.suffix.length);
  return best.targets.map((t) => t.replace('*', captured));
}
