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
 *
 * TypeScript still checks such a file as CommonJS (its package says so), so
 * its code may use `__dirname`, `__filename` and `require`, and `import.meta`
 * does not type-check there (TS1470 under module nodenext). The load hook
 * defines those three names in the modules it made ES modules, so code
 * written for CommonJS runs as written.
 */
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module';

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

const COMMONJS_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['__filename', 'import.meta.filename'],
  ['__dirname', 'import.meta.dirname'],
  ['require', '__nxStepsCreateRequire(import.meta.url)'],
];

/** Whether the module binds `name` itself (then it is left alone). */
function declares(source: string, name: string): boolean {
  return new RegExp(`\\b(?:var|let|const|function|class)\\s+${name}\\b|\\bas\\s+${name}\\b|\\bimport\\s+${name}\\b`).test(source);
}

/** One line of definitions, prepended to the first line so that line numbers (and tsx's source map) stay as they were. */
export function commonJsPrelude(source: string): string {
  const names = COMMONJS_NAMES.filter(([name]) => !declares(source, name));
  if (names.length === 0) return '';
  const imports = names.some(([name]) => name === 'require') ? "import { createRequire as __nxStepsCreateRequire } from 'node:module'; " : '';
  return `${imports}var ${names.map(([name, value]) => `${name} = ${value}`).join(', ')}; `;
}

export const load: LoadHook = async (url, context, nextLoad) => {
  const loaded = await nextLoad(url, context);
  if (!esmParents.has(fileUrlOf(url)) || loaded.format !== 'module' || loaded.source === undefined || loaded.source === null) return loaded;
  const source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString('utf8');
  return { ...loaded, source: withPrelude(source) };
};

/** The source with the prelude at the start of its first line (its second, after a `#!` line). */
export function withPrelude(source: string): string {
  const prelude = commonJsPrelude(source);
  if (!source.startsWith('#!')) return `${prelude}${source}`;
  const eol = source.indexOf('\n');
  return eol < 0 ? `${source}\n${prelude}` : `${source.slice(0, eol + 1)}${prelude}${source.slice(eol + 1)}`;
}
