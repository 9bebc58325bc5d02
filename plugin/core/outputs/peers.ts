/**
 * The optional peers of the result codec: data libraries (apache-arrow,
 * flechette, arquero, nodejs-polars, tfjs, onnxruntime) that nx-steps never
 * depends on. Each is loaded from the workspace (the copy the user's steps
 * use), and only when a value of it is stored or read; a missing one is a
 * PeerMissing that names the package and how to install it (NXS212).
 */
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
  const fromRoot = createRequire(path.join(fromDir, 'noop.js'));
  let first: unknown;
  for (const req of [fromRoot, ...via.flatMap((parent) => viaParent(fromRoot, parent))]) {
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
