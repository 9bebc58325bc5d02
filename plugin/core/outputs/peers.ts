/**
 * The optional peers of the result codec: data libraries (apache-arrow,
 * flechette, arquero, nodejs-polars, tfjs, onnxruntime) that nx-steps never
 * depends on. Each is loaded from the workspace (the copy the user's steps
 * use), and only when a value of it is stored or read; a missing one is a
 * PeerMissing that names the package and how to install it (NXS212).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export class PeerMissing extends Error {
  constructor(
    /** The npm package to install, e.g. `nodejs-polars`. */
    readonly pkg: string,
    /** What the value is, e.g. `a nodejs-polars DataFrame`. */
    readonly what: string,
    detail: string,
  ) {
    super(detail);
  }
}

const loaded = new Map<string, unknown>();

/**
 * `pkg` as the code in `fromDir` resolves it (the workspace's copy), or, when
 * the workspace depends only on a package that brings it (`@tensorflow/tfjs`
 * brings `@tensorflow/tfjs-core`), as that package resolves it. Node 20.19
 * and later require an ES-module-only package (arquero) synchronously.
 */
export function requirePeer<T>(pkg: string, what: string, fromDir: string, via: readonly string[] = []): T {
  const key = `${fromDir}\0${pkg}`;
  if (loaded.has(key)) return loaded.get(key) as T;
  let first: unknown;
  for (const req of requires(fromDir, via)) {
    try {
      const mod = req(pkg) as T;
      loaded.set(key, mod);
      return mod;
    } catch (e) {
      first ??= e;
    }
  }
  const reason = ((first as Error | undefined)?.message ?? String(first)).split('\n')[0];
  throw new PeerMissing(pkg, what, `${pkg} cannot be loaded from ${fromDir} (${reason})`);
}

/** The workspace's require, then those of the packages in `via` that are installed. */
function requires(fromDir: string, via: readonly string[]): NodeJS.Require[] {
  const fromRoot = createRequire(path.join(fromDir, 'noop.js'));
  return [fromRoot, ...via.flatMap((parent) => viaParent(fromRoot, parent))];
}

/**
 * The ES module build of a package that ships two (`exports` with `import`
 * and `require`, as onnxruntime-common does): an ES module pipeline's
 * values are of its classes, not of the CommonJS build's. Undefined when
 * the package has one build. Required synchronously (Node 20.19 and later).
 */
export function requireEsmBuild<T>(pkg: string, fromDir: string, via: readonly string[] = []): T | undefined {
  const key = `${fromDir}\0${pkg}\0esm`;
  if (loaded.has(key)) return loaded.get(key) as T | undefined;
  let mod: T | undefined;
  for (const req of requires(fromDir, via)) {
    const entry = esmEntry(req, pkg);
    if (entry === undefined) continue;
    mod = entry === null ? undefined : (req(entry) as T);
    break;
  }
  loaded.set(key, mod);
  return mod;
}

/** The file of `pkg`'s `import` export when it differs from its `require` one; null when there is none; undefined when not installed. */
function esmEntry(req: NodeJS.Require, pkg: string): string | null | undefined {
  let cjs: string;
  try {
    cjs = req.resolve(pkg);
  } catch {
    return undefined;
  }
  for (let dir = path.dirname(cjs); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; exports?: unknown };
    if (manifest.name !== pkg) continue;
    const root = (manifest.exports as Record<string, unknown> | undefined)?.['.'] ?? manifest.exports;
    const imported = (root as Record<string, unknown> | undefined)?.['import'];
    const target = typeof imported === 'string' ? imported : (imported as { default?: unknown } | undefined)?.default;
    const esm = typeof target === 'string' ? path.join(dir, target) : undefined;
    return esm && esm !== cjs ? esm : null;
  }
  return null;
}

/** A require that resolves as the installed package `parent` does, if it is installed. */
function viaParent(fromRoot: NodeJS.Require, parent: string): NodeJS.Require[] {
  const at = resolved(fromRoot, parent);
  return at ? [createRequire(at)] : [];
}

/** Where `pkg` is installed, as `req` resolves it (its package.json, or its entry when its exports hide that). */
function resolved(req: NodeJS.Require, pkg: string): string | undefined {
  for (const request of [`${pkg}/package.json`, pkg]) {
    try {
      return req.resolve(request);
    } catch {
      // not this way
    }
  }
  return undefined;
}

/** The first of `pkgs` that the workspace resolves, or undefined (nothing is loaded). */
export function installedPeer(pkgs: readonly string[], fromDir: string): string | undefined {
  const fromRoot = createRequire(path.join(fromDir, 'noop.js'));
  return pkgs.find((p) => resolved(fromRoot, p) !== undefined);
}
