/**
 * Node's module resolution (Node 20.19+, `require` and `import` conditions),
 * as plain file probes through `Observations`: relative paths with Node's
 * extension and folder rules (`package.json` "main", `index`), packages in
 * node_modules folders with their "exports", a package importing itself by
 * name, and package "imports" (`#util`). Found files are real paths, as Node
 * loads them. Failures say what tsx needs to retry with TypeScript
 * extensions (see tsx-resolve.ts).
 */
import * as path from 'node:path';
import type { Observations } from './observations';

/** What tsx registers on top of Node's own `.js`, `.json`, `.node`, in this order (verified on tsx 4.23). */
export const NODE_EXTENSIONS = ['.js', '.json', '.node', '.ts', '.tsx', '.jsx'] as const;

export type Conditions = 'require' | 'import';
const CONDITIONS: Readonly<Record<Conditions, ReadonlySet<string>>> = {
  require: new Set(['require', 'node', 'node-addons', 'module-sync', 'default']),
  import: new Set(['import', 'node', 'node-addons', 'module-sync', 'default']),
};

export type Found =
  | { readonly ok: true; readonly file: string }
  | {
      readonly ok: false;
      /** 'not-exported' stops the search (Node throws ERR_PACKAGE_PATH_NOT_EXPORTED). */
      readonly reason: 'not-found' | 'not-exported';
      /** The missing file an "exports"/"imports" target or a "main" named: tsx retries it with TypeScript extensions. */
      readonly missing?: string;
    };

const NOT_FOUND: Found = { ok: false, reason: 'not-found' };
const NOT_EXPORTED: Found = { ok: false, reason: 'not-exported' };

/** Node's test for a path request rather than a package name. */
export function isPathRequest(request: string): boolean {
  return request === '.' || request === '..' || request.startsWith('./') || request.startsWith('../') || path.isAbsolute(request);
}

const PACKAGE_NAME = /^((?:@[^/\\%]+\/)?[^./\\%][^/\\%]*)(\/.*)?$/;

export function splitPackageRequest(request: string): { name: string; subpath: string } | undefined {
  const m = PACKAGE_NAME.exec(request);
  return m?.[1] ? { name: m[1], subpath: m[2] ?? '' } : undefined;
}

/** The node_modules folders Node searches from `dir`, nearest first. */
export function nodeModulePaths(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    if (path.basename(d) !== 'node_modules') out.push(path.join(d, 'node_modules'));
    if (path.dirname(d) === d) return out;
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class NodeResolver {
  private readonly conditions: ReadonlySet<string>;

  constructor(
    private readonly obs: Observations,
    conditions: Conditions,
  ) {
    this.conditions = CONDITIONS[conditions];
  }

  /** Node's resolution of `request` from `parentFile` (builtins are the caller's). */
  resolve(request: string, parentFile: string): Found {
    if (request.startsWith('#')) return this.packageImports(request, parentFile);
    if (isPathRequest(request)) return this.findPath(request, path.dirname(parentFile));
    const self = this.trySelf(request, parentFile);
    if (self) return self;
    for (const nm of nodeModulePaths(path.dirname(parentFile))) {
      // A package with "exports" decides alone: Node does not look further up.
      const viaExports = this.resolveExports(nm, request);
      if (viaExports) return viaExports;
      const found = this.findPath(request, nm);
      // A folder whose "main" names nothing stops the search too (Node throws).
      if (found.ok || found.missing) return found;
    }
    return NOT_FOUND;
  }

  /** Module._findPath for one folder. */
  findPath(request: string, dir: string): Found {
    const base = path.resolve(dir, request);
    const trailingSlash = request.endsWith('/') || request === '.' || request === '..' || request.endsWith('/.') || request.endsWith('/..');
    if (!trailingSlash) {
      const file = this.tryFile(base) ?? this.tryExtensions(base);
      if (file) return { ok: true, file };
    }
    if (this.obs.isDir(base)) return this.tryPackage(base);
    return NOT_FOUND;
  }

  private tryFile(p: string): string | undefined {
    return this.obs.isFile(p) ? this.obs.real(p) : undefined;
  }

  private tryExtensions(p: string): string | undefined {
    for (const ext of NODE_EXTENSIONS) {
      const f = this.tryFile(p + ext);
      if (f) return f;
    }
    return undefined;
  }

  /** A folder: its package.json "main", else its index. */
  private tryPackage(dir: string): Found {
    const pkg = this.obs.readJson(path.join(dir, 'package.json')) as { main?: unknown } | undefined;
    const main = typeof pkg?.main === 'string' && pkg.main !== '' ? pkg.main : undefined;
    if (!main) {
      const index = this.tryExtensions(path.join(dir, 'index'));
      return index ? { ok: true, file: index } : NOT_FOUND;
    }
    const filename = path.resolve(dir, main);
    const actual =
      this.tryFile(filename) ?? this.tryExtensions(filename) ?? this.tryExtensions(path.join(filename, 'index')) ?? this.tryExtensions(path.join(dir, 'index'));
    return actual ? { ok: true, file: actual } : { ok: false, reason: 'not-found', missing: filename };
  }

  /** The exact file an "exports" or "imports" target names must exist. */
  private finalize(file: string): Found {
    const real = this.tryFile(file);
    return real ? { ok: true, file: real } : { ok: false, reason: 'not-found', missing: file };
  }

  /** A package in `nm` with "exports": undefined when there is no such package or it has no "exports". */
  private resolveExports(nm: string, request: string): Found | undefined {
    const parts = splitPackageRequest(request);
    if (!parts) return undefined;
    const pkgDir = path.join(nm, parts.name);
    const pkg = this.obs.readJson(path.join(pkgDir, 'package.json')) as { exports?: Json } | undefined;
    if (pkg?.exports === undefined || pkg.exports === null) return undefined;
    const target = this.exportsTarget(pkgDir, `.${parts.subpath}`, pkg.exports);
    return target === undefined ? NOT_EXPORTED : this.finalize(target);
  }

  /** A package importing itself by its own name (needs "exports"). */
  private trySelf(request: string, parentFile: string): Found | undefined {
    const scope = this.packageScope(path.dirname(parentFile));
    const pkg = scope?.pkg as { name?: unknown; exports?: Json } | undefined;
    if (!scope || typeof pkg?.name !== 'string' || pkg.exports === undefined || pkg.exports === null) return undefined;
    let subpath: string;
    if (request === pkg.name) subpath = '.';
    else if (request.startsWith(`${pkg.name}/`)) subpath = `.${request.slice(pkg.name.length)}`;
    else return undefined;
    const target = this.exportsTarget(scope.dir, subpath, pkg.exports);
    return target === undefined ? NOT_EXPORTED : this.finalize(target);
  }

  /** `#name` through the nearest package.json's "imports". */
  private packageImports(request: string, parentFile: string): Found {
    const scope = this.packageScope(path.dirname(parentFile));
    const imports = (scope?.pkg as { imports?: Json } | undefined)?.imports;
    if (!scope || !imports || typeof imports !== 'object' || Array.isArray(imports)) return NOT_FOUND;
    const match = matchMap(imports, request);
    if (!match) return NOT_FOUND;
    const target = this.resolveTarget(scope.dir, match.target, match.star, true);
    if (target === undefined) return NOT_FOUND;
    if (target.startsWith('bare:')) return this.resolve(target.slice(5), path.join(scope.dir, 'package.json'));
    return this.finalize(target);
  }

  /** The nearest package.json at or above `dir`, not crossing into a node_modules folder. */
  packageScope(dir: string): { dir: string; pkg: unknown } | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
      if (path.basename(d) === 'node_modules') return undefined;
      const file = path.join(d, 'package.json');
      if (this.obs.isFile(file)) return { dir: d, pkg: this.obs.readJson(file) };
      if (path.dirname(d) === d) return undefined;
    }
  }

  /** PACKAGE_EXPORTS_RESOLVE: the file a subpath ('.' or './x') maps to, or undefined when not exported. */
  private exportsTarget(pkgDir: string, subpath: string, exports: Json): string | undefined {
    const isConditionsOnly =
      typeof exports === 'string' ||
      Array.isArray(exports) ||
      (typeof exports === 'object' && exports !== null && !Object.keys(exports).some((k) => k.startsWith('.')));
    if (isConditionsOnly) return subpath === '.' ? this.resolveTarget(pkgDir, exports, undefined, false) : undefined;
    const match = matchMap(exports as Record<string, Json>, subpath);
    return match ? this.resolveTarget(pkgDir, match.target, match.star, false) : undefined;
  }

  /** PACKAGE_TARGET_RESOLVE: a file path, 'bare:<specifier>' (imports only), or undefined. */
  private resolveTarget(pkgDir: string, target: Json, star: string | undefined, isImports: boolean): string | undefined {
    if (typeof target === 'string') {
      const t = star === undefined ? target : target.split('*').join(star);
      if (!t.startsWith('./')) return isImports && !t.startsWith('../') && !t.startsWith('/') ? `bare:${t}` : undefined;
      return path.resolve(pkgDir, t);
    }
    if (Array.isArray(target)) {
      for (const t of target) {
        const r = this.resolveTarget(pkgDir, t, star, isImports);
        if (r !== undefined) return r;
      }
      return undefined;
    }
    if (target && typeof target === 'object') {
      for (const [key, value] of Object.entries(target)) {
        if (key !== 'default' && !this.conditions.has(key)) continue;
        const r = this.resolveTarget(pkgDir, value, star, isImports);
        if (r !== undefined) return r;
      }
    }
    return undefined;
  }
}

/** An exact key, else the best `*` pattern (Node's PATTERN_KEY_COMPARE: longest prefix, then longest key). */
function matchMap(map: Record<string, Json>, key: string): { target: Json; star: string | undefined } | undefined {
  if (Object.prototype.hasOwnProperty.call(map, key) && !key.includes('*')) return { target: map[key] ?? null, star: undefined };
  let best: string | undefined;
  for (const k of Object.keys(map)) {
    const i = k.indexOf('*');
    if (i < 0 || k.indexOf('*', i + 1) >= 0) continue;
    const prefix = k.slice(0, i);
    const suffix = k.slice(i + 1);
    if (!key.startsWith(prefix) || key === prefix) continue;
    if (suffix && !(key.length >= k.length && key.endsWith(suffix))) continue;
    if (!best || comparePatternKeys(k, best) < 0) best = k;
  }
  if (!best) return undefined;
  const i = best.indexOf('*');
  const suffix = best.slice(i + 1);
  return { target: map[best] ?? null, star: key.slice(i, key.length - suffix.length) };
}

function comparePatternKeys(a: string, b: string): number {
  const pa = a.indexOf('*');
  const pb = b.indexOf('*');
  if (pa !== pb) return pb - pa;
  return b.length - a.length;
}
