/**
 * Loads pipeline modules with tsx, so that stack traces point at the
 * TypeScript source (tsx enables source maps).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

let registered: Promise<void> | undefined;

/**
 * tsx reads one tsconfig (for `paths`, which is how Nx workspaces reach their
 * libraries), by default ./tsconfig.json. Nx workspaces often only have
 * tsconfig.base.json at the root, or a tsconfig.json per project: use the
 * nearest one to the pipeline file, unless the user chose one.
 */
function chooseTsconfig(pipelineFile: string, workspaceRoot: string): void {
  if (process.env['TSX_TSCONFIG_PATH']) return;
  for (let dir = path.dirname(pipelineFile); ; dir = path.dirname(dir)) {
    for (const name of ['tsconfig.json', 'tsconfig.base.json']) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) {
        process.env['TSX_TSCONFIG_PATH'] = candidate;
        return;
      }
    }
    if (dir === workspaceRoot || path.dirname(dir) === dir) return;
  }
}

let cjsRegistered = false;

/**
 * Whether a workspace module compiled through tsx's CommonJS hook holds a
 * dynamic `import()`. Node answers such a call with its ES module loader,
 * which knows no TypeScript until tsx's ESM loader is registered, so
 * `await import('./helper')` would fail with ERR_MODULE_NOT_FOUND. The ESM
 * loader costs about half a second per process (a loader thread), so it is
 * registered only for the modules that can use it. The compiled code is
 * checked, not the source: type-only `import('./x').T` is gone by then.
 */
let dynamicImportSeen = false;

function watchForDynamicImport(): void {
  const proto = (require('node:module') as { prototype: { _compile: (code: string, file: string) => unknown } }).prototype;
  const compile = proto._compile;
  proto._compile = function (this: unknown, code: string, file: string) {
    if (!dynamicImportSeen && !file.includes(`${path.sep}node_modules${path.sep}`) && /\bimport\s*\(/.test(code)) dynamicImportSeen = true;
    return compile.call(this, code, file);
  };
}

function registerCjs(): void {
  if (cjsRegistered) return;
  (require('tsx/cjs/api') as { register: () => unknown }).register();
  watchForDynamicImport();
  cjsRegistered = true;
}

function registerEsm(): Promise<void> {
  registered ??= (async () => {
    registerCjs();
    const esm = (await import('tsx/esm/api')) as { register: () => unknown };
    esm.register();
    // After tsx's, so these run first (see load-module-esm-hooks.ts).
    const { register } = require('node:module') as typeof import('node:module');
    register(pathToFileURL(path.join(__dirname, 'load-module-esm-hooks.js')).href, { data: { loaderUrl: pathToFileURL(__filename).href } });
  })();
  return registered;
}

/** Whether Node treats the file as CommonJS: by extension, else the nearest package.json "type". */
function isCommonJs(file: string): boolean {
  if (/\.(cts|cjs)$/.test(file)) return true;
  if (/\.(mts|mjs)$/.test(file)) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: string }).type !== 'module';
      } catch {
        return true;
      }
    }
    if (path.dirname(dir) === dir) return true;
  }
}

/**
 * Errors that mean "this module needs the ESM loader", not "this module is
 * broken": an ES module dependency Node cannot require (top-level await:
 * vega, vega-lite), which tsx reports as a failed transform.
 */
function needsEsm(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ERR_REQUIRE_ESM' || err?.code === 'ERR_REQUIRE_ASYNC_MODULE' || /top-level await/i.test(err?.message ?? '');
}

/**
 * Imports a pipeline module. CommonJS modules (what a TypeScript file is in a
 * workspace without "type": "module") load through tsx's CommonJS hook
 * alone: registering tsx's ESM loader starts a loader thread and costs about
 * half a second per step process (measured), and Node 20.19+ can require()
 * ESM dependencies. ES modules take the ESM path; so does a CommonJS module
 * that imports an ES module with top-level await, which is then loaded as an
 * ES module itself (load-module-esm-hooks.ts). A CommonJS module with a
 * dynamic `import()` gets the ESM loader too, for that call to find
 * TypeScript.
 */
export async function importModule(absFile: string, workspaceRoot: string): Promise<Record<string, unknown>> {
  chooseTsconfig(absFile, workspaceRoot);
  if (isCommonJs(absFile)) {
    registerCjs();
    let mod: Record<string, unknown> | undefined;
    try {
      mod = require(absFile) as Record<string, unknown>;
    } catch (e) {
      if (!needsEsm(e)) throw e;
    }
    if (mod) {
      if (dynamicImportSeen) await registerEsm();
      return mod;
    }
  }
  await registerEsm();
  return (await import(pathToFileURL(absFile).href)) as Record<string, unknown>;
}

/** A named export, also when the module was compiled to CommonJS (named exports then sit on `default`). */
export function namedExport(ns: Record<string, unknown>, name: string): unknown {
  // Own keys only: every CommonJS exports object inherits `toString` and `constructor`.
  if (Object.hasOwn(ns, name)) return ns[name];
  const d = ns['default'];
  if (d && typeof d === 'object' && Object.hasOwn(d, name)) return (d as Record<string, unknown>)[name];
  return undefined;
}
