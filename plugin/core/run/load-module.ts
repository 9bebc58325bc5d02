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

function registerCjs(): void {
  if (cjsRegistered) return;
  (require('tsx/cjs/api') as { register: () => unknown }).register();
  cjsRegistered = true;
}

function registerEsm(): Promise<void> {
  registered ??= (async () => {
    registerCjs();
    const esm = (await import('tsx/esm/api')) as { register: () => unknown };
    esm.register();
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

/** Errors that mean "this module needs the ESM loader", not "this module is broken". */
function needsEsm(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ERR_REQUIRE_ESM' || err?.code === 'ERR_REQUIRE_ASYNC_MODULE' || /top-level await/i.test(err?.message ?? '');
}

/**
 * Imports a pipeline module. CommonJS modules (what a TypeScript file is in a
 * workspace without "type": "module") load through tsx's CommonJS hook
 * alone: registering tsx's ESM loader starts a loader thread and costs about
 * half a second per step process (measured), and Node 20.19+ can require()
 * ESM dependencies. ES modules, and modules that need the ESM loader (top-
 * level await), take the ESM path.
 */
export async function importModule(absFile: string, workspaceRoot: string): Promise<Record<string, unknown>> {
  chooseTsconfig(absFile, workspaceRoot);
  if (isCommonJs(absFile)) {
    registerCjs();
    try {
      return require(absFile) as Record<string, unknown>;
    } catch (e) {
      if (!needsEsm(e)) throw e;
    }
  }
  await registerEsm();
  return (await import(pathToFileURL(absFile).href)) as Record<string, unknown>;
}

/** A named export, also when the module was compiled to CommonJS (named exports then sit on `default`). */
export function namedExport(ns: Record<string, unknown>, name: string): unknown {
  if (name in ns) return ns[name];
  const d = ns['default'];
  if (d && typeof d === 'object' && name in d) return (d as Record<string, unknown>)[name];
  return undefined;
}
