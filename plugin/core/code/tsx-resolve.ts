/**
 * What tsx adds to Node's resolution in a step's process (tsx 4.23's
 * CommonJS hook, src/cjs/api/module-resolve-filename): tsconfig `paths` and
 * `baseUrl` for bare specifiers (not from files inside node_modules), and
 * TypeScript's extension rules for TypeScript importers (`./a` finds a.ts
 * before a.js, `./a.js` means a.ts when it exists, a missing "main" or
 * "exports" target `x.js` means x.ts). The order of attempts is tsx's.
 */
import * as path from 'node:path';
import type { Conditions, Found } from './node-resolve';
import { isPathRequest, NodeResolver } from './node-resolve';
import type { Observations } from './observations';
import { isInsideNodeModules } from './observations';
import type { TsconfigView } from './tsconfig';
import { pathAliasCandidates } from './tsconfig';

const TS_PARENT = /\.([cm]?ts|[tj]sx)$/;
const VERBATIM = new Set(['.ts', '.tsx', '.mts', '.cts']);
const SUBSTITUTIONS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.js', '.jsx'],
  '.jsx': ['.tsx', '.ts', '.jsx', '.js'],
  '.cjs': ['.cts'],
  '.mjs': ['.mts'],
};
const LOCAL_GUESSES = ['.ts', '.tsx', '.jsx', '.js', '.json'];
const DEPENDENCY_GUESSES = ['.js', '.json', '.ts', '.tsx', '.jsx'];

/** tsx's getExtensionResolution: TypeScript candidates for a request, or none. */
function tsCandidates(request: string, bare: boolean): string[] {
  if (!bare && !isPathRequest(request)) return [];
  const ext = path.extname(request);
  if (VERBATIM.has(ext)) return [];
  const subs = SUBSTITUTIONS[ext];
  if (subs) return subs.map((e) => request.slice(0, -ext.length) + e);
  if (ext === '.json' || ext === '.node') return [];
  const dependency = !isPathRequest(request) || request.includes(`${path.sep}node_modules${path.sep}`);
  return (dependency ? DEPENDENCY_GUESSES : LOCAL_GUESSES).map((e) => request + e);
}

export class TsxResolver {
  private readonly node: Record<Conditions, NodeResolver>;

  constructor(
    private readonly obs: Observations,
    private readonly tsconfig: TsconfigView,
  ) {
    this.node = { require: new NodeResolver(obs, 'require'), import: new NodeResolver(obs, 'import') };
  }

  /** Through tsconfig `paths`/`baseUrl`: tsx tries these before anything else, builtins included. */
  viaPaths(request: string, parentFile: string, conditions: Conditions): Found | undefined {
    const paths = this.tsconfig.paths;
    if (!paths || isPathRequest(request) || isInsideNodeModules(parentFile)) return undefined;
    const ctx = new Attempt(this.obs, this.node[conditions], parentFile, this.tsconfig.allowJs);
    for (const candidate of pathAliasCandidates(paths, request)) {
      const r = ctx.implicit(candidate);
      if (r.ok) return r;
    }
    return undefined;
  }

  /** Node's resolution with tsx's TypeScript extension rules. */
  direct(request: string, parentFile: string, conditions: Conditions): Found {
    return new Attempt(this.obs, this.node[conditions], parentFile, this.tsconfig.allowJs).implicit(request);
  }
}

/** One resolution from one importer. */
class Attempt {
  private readonly tsExtensions: boolean;
  private readonly bare: boolean;

  constructor(
    private readonly obs: Observations,
    private readonly node: NodeResolver,
    private readonly parentFile: string,
    allowJs: boolean,
  ) {
    this.bare = TS_PARENT.test(parentFile);
    this.tsExtensions = this.bare || (allowJs && !isInsideNodeModules(parentFile));
  }

  /** tsx's implicit resolver: a folder request tries its index first; a miss retries `<request>/index`. */
  implicit(request: string): Found {
    let req = request;
    if (req === '.' || req === '..' || req.endsWith('/..')) req += '/';
    if (req.endsWith('/')) {
      const index = path.join(req, 'index');
      const r = this.withTsExtensions(req.startsWith('./') ? `./${index}` : index);
      if (r.ok) return r;
    }
    const r = this.withTsExtensions(req);
    if (r.ok || r.reason !== 'not-found') return r;
    const retry = this.withTsExtensions(`${req}${path.sep}index`);
    return retry.ok ? retry : r;
  }

  private withTsExtensions(request: string): Found {
    if (this.tsExtensions && isPathRequest(request)) {
      const r = this.tsFilename(request);
      if (r) return r;
    }
    const r = this.node.resolve(request, this.parentFile);
    if (r.ok || r.reason !== 'not-found' || !this.tsExtensions) return r;
    return (r.missing ? this.tsFilename(r.missing) : undefined) ?? this.tsFilename(request) ?? r;
  }

  private tsFilename(request: string): Found | undefined {
    if (request.endsWith('/')) return undefined;
    for (const candidate of tsCandidates(request, this.bare)) {
      if (isPathRequest(candidate) && this.obs.kind(path.resolve(path.dirname(this.parentFile), candidate)) === 'none') continue;
      const r = this.node.resolve(candidate, this.parentFile);
      if (r.ok) return r;
    }
    return undefined;
  }
}

/** Every file a relative request could plausibly mean, for a superset when several exist. */
export function plausibleFiles(obs: Observations, request: string, parentFile: string): string[] {
  if (!isPathRequest(request)) return [];
  const base = path.resolve(path.dirname(parentFile), request);
  const exts = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
  const stem = /\.[cm]?jsx?$/.test(base) ? base.replace(/\.[cm]?jsx?$/, '') : undefined;
  const candidates = [
    ...exts.map((e) => base + e),
    ...(stem ? exts.slice(1).map((e) => stem + e) : []),
    ...exts.slice(1).map((e) => path.join(base, `index${e}`)),
  ];
  const out: string[] = [];
  for (const c of candidates) {
    if (!obs.isFile(c)) continue;
    const real = obs.real(c);
    if (real && !out.includes(real)) out.push(real);
  }
  return out;
}
