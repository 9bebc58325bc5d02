/**
 * Resolves import specifiers the way tsx and TypeScript do, with plain file
 * probes: relative paths (with TypeScript's extension rules), tsconfig
 * `paths` (how Nx workspaces reach their libraries), then node_modules.
 * Every probe is recorded in `Observations`, so a cached closure can later be
 * checked for staleness by repeating only those probes.
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { parseJsonc } from '../util/jsonc';

export type Resolution =
  | { readonly kind: 'local'; readonly file: string }
  | { readonly kind: 'package'; readonly name: string; readonly version: string }
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'unresolved'; readonly specifier: string };

export type PathKind = 'file' | 'dir' | 'none';

/** What resolution looked at: enough to tell later whether it would resolve differently. */
export class Observations {
  readonly kinds = new Map<string, PathKind>();
  /** Files whose content decided something (package.json, tsconfig). */
  readonly contents = new Set<string>();

  kind(p: string): PathKind {
    const known = this.kinds.get(p);
    if (known) return known;
    let k: PathKind = 'none';
    try {
      const st = fs.statSync(p);
      k = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'none';
    } catch {
      k = 'none';
    }
    this.kinds.set(p, k);
    return k;
  }

  read(p: string): string | undefined {
    if (this.kind(p) !== 'file') return undefined;
    this.contents.add(p);
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  }
}

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];

interface PathsConfig {
  readonly base: string;
  readonly paths: ReadonlyArray<readonly [pattern: string, targets: readonly string[]]>;
}

export class Resolver {
  private readonly pathsByDir = new Map<string, PathsConfig | undefined>();

  constructor(
    readonly workspaceRoot: string,
    readonly obs: Observations,
  ) {}

  resolve(specifier: string, fromFile: string): Resolution {
    if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] ?? '')) {
      return { kind: 'builtin', name: specifier.replace(/^node:/, '') };
    }
    if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
      const file = this.resolveFile(path.resolve(path.dirname(fromFile), specifier));
      return file ? { kind: 'local', file } : { kind: 'unresolved', specifier };
    }
    const viaPaths = this.resolveThroughPaths(specifier, fromFile);
    if (viaPaths) return { kind: 'local', file: viaPaths };
    return this.resolvePackage(specifier, fromFile);
  }

  /** TypeScript's candidates: exact, with extensions, './x.js' meaning './x.ts', folder index. */
  private resolveFile(base: string): string | undefined {
    const candidates: string[] = [];
    const jsLike = /\.([cm]?)jsx?$/.exec(base);
    if (jsLike) {
      const stem = base.slice(0, -jsLike[0].length);
      const m = jsLike[1] ?? '';
      candidates.push(`${stem}.${m}ts`, `${stem}.${m}tsx`.replace(/\.[cm]tsx$/, '.tsx'));
    }
    candidates.push(base, ...SOURCE_EXTENSIONS.map((e) => base + e));
    for (const c of candidates) if (this.obs.kind(c) === 'file') return c;
    if (this.obs.kind(base) === 'dir') {
      for (const e of SOURCE_EXTENSIONS) {
        const c = path.join(base, `index${e}`);
        if (this.obs.kind(c) === 'file') return c;
      }
    }
    return undefined;
  }

  private resolveThroughPaths(specifier: string, fromFile: string): string | undefined {
    const cfg = this.pathsFor(path.dirname(fromFile));
    if (!cfg) return undefined;
    // Longest matching prefix first, as TypeScript does.
    const matches = cfg.paths
      .map(([pattern, targets]) => {
        const star = pattern.indexOf('*');
        if (star < 0) return pattern === specifier ? { score: pattern.length, captured: '', targets } : undefined;
        const pre = pattern.slice(0, star);
        const post = pattern.slice(star + 1);
        if (specifier.length >= pre.length + post.length && specifier.startsWith(pre) && specifier.endsWith(post)) {
          return { score: pre.length, captured: specifier.slice(pre.length, specifier.length - post.length), targets };
        }
        return undefined;
      })
      .filter((m): m is { score: number; captured: string; targets: readonly string[] } => !!m)
      .sort((a, b) => b.score - a.score);
    for (const m of matches) {
      for (const t of m.targets) {
        const file = this.resolveFile(path.resolve(cfg.base, t.replace('*', m.captured)));
        if (file) return file;
      }
    }
    return undefined;
  }

  /** The `paths` of the nearest tsconfig.json (following `extends`), up to the workspace root. */
  private pathsFor(dir: string): PathsConfig | undefined {
    if (this.pathsByDir.has(dir)) return this.pathsByDir.get(dir);
    let result: PathsConfig | undefined;
    const inside = !path.relative(this.workspaceRoot, dir).startsWith('..');
    const candidates = ['tsconfig.json', 'tsconfig.base.json'].map((n) => path.join(dir, n));
    const found = candidates.find((c) => this.obs.kind(c) === 'file');
    if (found) result = this.readPaths(found, 0);
    else if (inside && dir !== this.workspaceRoot && path.dirname(dir) !== dir) result = this.pathsFor(path.dirname(dir));
    this.pathsByDir.set(dir, result);
    return result;
  }

  private readPaths(tsconfig: string, depth: number): PathsConfig | undefined {
    if (depth > 8) return undefined;
    const text = this.obs.read(tsconfig);
    if (text === undefined) return undefined;
    let json: { extends?: string | string[]; compilerOptions?: { paths?: Record<string, string[]>; baseUrl?: string } };
    try {
      json = parseJsonc(text) as typeof json;
    } catch {
      return undefined;
    }
    const dir = path.dirname(tsconfig);
    const opts = json.compilerOptions ?? {};
    if (opts.paths) {
      return { base: path.resolve(dir, opts.baseUrl ?? '.'), paths: Object.entries(opts.paths) };
    }
    const parents = typeof json.extends === 'string' ? [json.extends] : json.extends ?? [];
    for (const parent of parents.reverse()) {
      if (!parent.startsWith('.')) continue; // shared configs from packages rarely carry paths
      const file = path.resolve(dir, parent.endsWith('.json') ? parent : `${parent}.json`);
      const fromParent = this.readPaths(file, depth + 1);
      if (fromParent) return opts.baseUrl ? { ...fromParent, base: path.resolve(dir, opts.baseUrl) } : fromParent;
    }
    return undefined;
  }

  /**
   * Node's lookup: node_modules folders from the importing file upwards. A
   * package whose real path is inside the workspace (an npm workspace link)
   * is local code; anything else is identified by name and version.
   */
  private resolvePackage(specifier: string, fromFile: string): Resolution {
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
    for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
      if (path.basename(dir) !== 'node_modules') {
        const pkgDir = path.join(dir, 'node_modules', name);
        if (this.obs.kind(pkgDir) === 'dir') {
          const real = fs.realpathSync(pkgDir);
          const rel = path.relative(this.workspaceRoot, real);
          if (!rel.startsWith('..') && !rel.split(path.sep).includes('node_modules')) {
            const sub = specifier.slice(name.length);
            const file = this.resolveFile(path.join(real, sub || 'src/index')) ?? this.resolveFile(path.join(real, sub || 'index'));
            if (file) return { kind: 'local', file };
          }
          const pkgJson = this.obs.read(path.join(pkgDir, 'package.json'));
          let version = 'unknown';
          try {
            version = String((JSON.parse(pkgJson ?? '{}') as { version?: string }).version ?? 'unknown');
          } catch {
            // an unreadable package.json still identifies the package by name
          }
          return { kind: 'package', name, version };
        }
      }
      if (path.dirname(dir) === dir) break;
    }
    return { kind: 'unresolved', specifier };
  }
}
