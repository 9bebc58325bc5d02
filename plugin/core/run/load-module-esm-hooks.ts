/**
 * Node module hooks (registered with `module.register`, after tsx's own) for
 * pipeline modules that must be ES modules in a CommonJS package.
 *
 * Why: a library with top-level await (vega, vega-lite) can only be
 * `import`ed, never `require`d. In a package without `"type": "module"`, a
 * `.ts` file is CommonJS to Node and to tsx, so its `import 'vega'` compiles
 * to a `require` and fails, whichever loader starts it. These hooks make such
 * a file an ES module instead: the pipeline module that nx-steps' loader
 * imports, and the workspace TypeScript modules it imports in turn (so a
 * helper that imports vega works too). Files under node_modules, `.cts`
 * files and JavaScript keep the format Node gives them.
 *
 * Only the ESM path of load-module.ts registers these hooks, and it takes that
 * path only after loading the file as CommonJS failed for this reason.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

interface HookData {
  /** URL of the loader module (load-module.js): what it imports is a pipeline module. */
  readonly loaderUrl: string;
}

let loaderUrl = '';
/** Modules already made ES modules: what they import (TypeScript, in the workspace) follows. */
const esmParents = new Set<string>();

export const initialize: InitializeHook<HookData> = (data) => {
  loaderUrl = data.loaderUrl;
};

/**
 * The file a resolved URL names. tsx marks a CommonJS module that an ES
 * module imports with query parameters, some of them percent-encoded into
 * the path (`render.ts%3Ftsx-commonjs-export-preparse=1?...`): they would
 * make tsx load it as CommonJS again, so they are dropped with the rest.
 */
function fileUrlOf(url: string): string {
  return url.split('?')[0]?.split('%3F')[0] ?? url;
}

/** Workspace TypeScript that Node would otherwise load as CommonJS. */
function isLocalTypeScript(url: string): boolean {
  if (!url.startsWith('file:')) return false;
  const pathname = new URL(url).pathname;
  return /\.(ts|tsx)$/.test(pathname) && !pathname.includes('/node_modules/');
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  const parent = fileUrlOf(context.parentURL ?? '');
  const url = fileUrlOf(resolved.url);
  if (resolved.format === 'commonjs' && (parent === loaderUrl || esmParents.has(parent)) && isLocalTypeScript(url)) {
    esmParents.add(url);
    return { url, format: 'module', shortCircuit: true };
  }
  return resolved;
};
