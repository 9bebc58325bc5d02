/**
 * The resolver against the real thing: each layout is written to disk, and
 * every query is resolved both by nx-steps and by Node with tsx registered
 * (its CommonJS hook, as the executor registers it, with TSX_TSCONFIG_PATH
 * set as load-module.ts sets it). They must agree.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import type { Tree } from '../hash/test-utils/tree';
import { Observations } from './observations';
import { Resolver } from './resolve';
import { chooseTsconfig, readTsconfig } from './tsconfig';

const TSX_CJS = require.resolve('tsx/cjs/api');

/** What Node + tsx resolve each [from, specifier] to: a real path, 'builtin:x', or 'error:CODE'. */
function resolveWithTsx(root: string, tsconfig: string | undefined, queries: ReadonlyArray<readonly [string, string]>): string[] {
  const script = `
    const Module = require('node:module');
    const path = require('node:path');
    require(${JSON.stringify(TSX_CJS)}).register();
    const out = [];
    for (const [from, spec] of JSON.parse(process.argv[1])) {
      const parent = new Module(from, null);
      parent.filename = from;
      parent.paths = Module._nodeModulePaths(path.dirname(from));
      try {
        const r = Module._resolveFilename(spec, parent, false);
        out.push(path.isAbsolute(r) ? r : 'builtin:' + r.replace(/^node:/, ''));
      } catch (e) { out.push('error'); }
    }
    console.log(JSON.stringify(out));
  `;
  const abs = queries.map(([from, spec]) => [path.join(root, from), spec]);
  const env: NodeJS.ProcessEnv = { ...process.env, ...(tsconfig ? { TSX_TSCONFIG_PATH: tsconfig } : {}) };
  delete env['NODE_OPTIONS'];
  return JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(abs)], { cwd: root, env, encoding: 'utf8' })) as string[];
}

function resolveWithNxSteps(root: string, queries: ReadonlyArray<readonly [string, string]>): string[] {
  return queries.map(([from, spec]) => {
    const obs = new Observations();
    const fromAbs = path.join(root, from);
    const tsconfig = readTsconfig(chooseTsconfig(fromAbs, root, obs, undefined), obs);
    const r = new Resolver(obs, tsconfig).resolve(spec, fromAbs, ['require']);
    switch (r.kind) {
      case 'local':
        return r.files[0] ?? '';
      case 'package':
        return `package:${path.relative(root, r.pkg.dir)}`;
      case 'builtin':
        return `builtin:${r.name}`;
      case 'unresolved':
        return 'error';
    }
  });
}

/** Installed packages are compared by folder: nx-steps identifies them by version and does not resolve inside them. */
function normalise(root: string, truth: string): string {
  const rel = path.relative(root, truth);
  const parts = rel.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (!truth.startsWith('/') || at < 0) return truth;
  const end = at + (parts[at + 1]?.startsWith('@') ? 3 : 2);
  return `package:${parts.slice(0, end).join(path.sep)}`;
}

function agree(tree: Tree, queries: ReadonlyArray<readonly [string, string]>, tsconfigRel = 'tsconfig.json'): void {
  const root = tempDir('nxs-resolve-');
  writeTree(root, { 'package.json': '{"name":"ws","private":true}', ...tree });
  const tsconfig = tree[tsconfigRel] !== undefined ? path.join(root, tsconfigRel) : undefined;
  const truth = resolveWithTsx(root, tsconfig, queries).map((t) => normalise(root, t));
  const ours = resolveWithNxSteps(root, queries);
  const label = (xs: string[]) => xs.map((x, i) => `${queries[i]?.[1]} -> ${x.replace(root, '<root>')}`);
  expect(label(ours)).toEqual(label(truth));
}

const TS = 'export const x = 1;\n';
const JS = 'exports.x = 1;\n';

describe('the resolver agrees with Node and tsx', () => {
  it('relative paths: TypeScript first, `.js` meaning `.ts`, folders and their index', () => {
    agree(
      {
        'tsconfig.json': '{}',
        'src/main.ts': TS,
        'src/a.ts': TS,
        'src/a.js': JS,
        'src/b.ts': TS,
        'src/c': 'bare file',
        'src/c.ts': TS,
        'src/dir/index.ts': TS,
        'src/dir/index.js': JS,
        'src/only-js/index.js': JS,
        'src/d.tsx': TS,
        'src/data.json': '{}',
        'src/e.mts': TS,
        'src/f.cts': TS,
      },
      [
        ['src/main.ts', './a'],
        ['src/main.ts', './a.js'],
        ['src/main.ts', './b.js'],
        ['src/main.ts', './c'],
        ['src/main.ts', './dir'],
        ['src/main.ts', './dir/'],
        ['src/main.ts', './only-js'],
        ['src/main.ts', './d'],
        ['src/main.ts', './d.js'],
        ['src/main.ts', './data'],
        ['src/main.ts', './data.json'],
        ['src/main.ts', './e.mjs'],
        ['src/main.ts', './f.cjs'],
        ['src/main.ts', './missing'],
        ['src/main.ts', '.'],
        ['src/dir/index.ts', '..'],
        ['src/a.js', './b'],
      ],
    );
  });

  it('a folder with a package.json "main", present or built elsewhere', () => {
    agree(
      {
        'tsconfig.json': '{}',
        'main.ts': TS,
        'lib/package.json': '{"main":"dist/index.js"}',
        'lib/dist/index.js': JS,
        'lib/index.ts': TS,
        'src-only/package.json': '{"main":"./out/index.js"}',
        'src-only/out/index.ts': TS,
        'no-main/package.json': '{}',
        'no-main/index.ts': TS,
      },
      [
        ['main.ts', './lib'],
        ['main.ts', './src-only'],
        ['main.ts', './no-main'],
      ],
    );
  });

  it('tsconfig paths and baseUrl, from the one tsconfig tsx reads', () => {
    agree(
      {
        'tsconfig.json': JSON.stringify({ extends: './tsconfig.base.json' }),
        'tsconfig.base.json': JSON.stringify({
          compilerOptions: {
            baseUrl: '.',
            paths: { '@lib/*': ['libs/*/src/index.ts'], '@exact': ['libs/exact/main.ts'], '@two/*': ['missing/*', 'libs/*/src/index.ts'] },
          },
        }),
        'app/main.ts': TS,
        'libs/one/src/index.ts': TS,
        'libs/exact/main.ts': TS,
        'helpers/util.ts': TS,
        'fs.ts': TS,
        'node_modules/@lib/none/package.json': '{"name":"@lib/none","version":"1.0.0"}',
        'node_modules/@lib/none/index.js': JS,
      },
      [
        ['app/main.ts', '@lib/one'],
        ['app/main.ts', '@exact'],
        ['app/main.ts', '@two/one'],
        ['app/main.ts', 'helpers/util'],
        ['app/main.ts', 'fs'],
        ['app/main.ts', 'node:fs'],
        ['app/main.ts', 'path'],
        ['app/main.ts', '@lib/none'],
      ],
    );
  });

  it('${configDir} in an extended tsconfig means the folder of the tsconfig tsx reads', () => {
    agree(
      {
        'app/tsconfig.json': JSON.stringify({ extends: '../shared/tsconfig.json' }),
        'shared/tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@x': ['${configDir}/src/x.ts'] } } }),
        'app/main.ts': TS,
        'app/src/x.ts': TS,
        'shared/src/x.ts': TS,
      },
      [['app/main.ts', '@x']],
      'app/tsconfig.json',
    );
  });

  it('package.json "imports" (#util)', () => {
    agree(
      {
        'tsconfig.json': '{}',
        'pkg/package.json': JSON.stringify({
          name: 'p',
          imports: { '#util': './src/util.js', '#cond': { require: './src/req.ts', default: './src/def.ts' }, '#dep': 'dep', '#feat/*': './src/feat/*.ts' },
        }),
        'pkg/src/main.ts': TS,
        'pkg/src/util.ts': TS,
        'pkg/src/req.ts': TS,
        'pkg/src/def.ts': TS,
        'pkg/src/feat/x.ts': TS,
        'node_modules/dep/package.json': '{"name":"dep","version":"2.0.0"}',
        'node_modules/dep/index.js': JS,
      },
      [
        ['pkg/src/main.ts', '#util'],
        ['pkg/src/main.ts', '#cond'],
        ['pkg/src/main.ts', '#dep'],
        ['pkg/src/main.ts', '#feat/x'],
        ['pkg/src/main.ts', '#missing'],
      ],
    );
  });

  it('workspace packages linked into node_modules: "main" and "exports" as Node reads them', () => {
    agree(
      {
        'tsconfig.json': '{}',
        'app/main.ts': TS,
        'libs/built/package.json': JSON.stringify({ name: '@ws/built', main: 'dist/index.js' }),
        'libs/built/dist/index.js': JS,
        'libs/built/src/index.ts': TS,
        'libs/exp/package.json': JSON.stringify({
          name: '@ws/exp',
          exports: { '.': { import: './esm/index.js', require: './cjs/index.js' }, './feature/*': './src/feature/*.js', './internal/*': null },
        }),
        'libs/exp/esm/index.js': 'export const x = 1;',
        'libs/exp/cjs/index.js': JS,
        'libs/exp/src/feature/a.ts': TS,
        'libs/exp/src/internal/b.ts': TS,
        'libs/src/package.json': JSON.stringify({ name: '@ws/src', main: 'src/index.js' }),
        'libs/src/src/index.ts': TS,
        'node_modules/@ws/built': { link: '../../libs/built' },
        'node_modules/@ws/exp': { link: '../../libs/exp' },
        'node_modules/@ws/src': { link: '../../libs/src' },
      },
      [
        ['app/main.ts', '@ws/built'],
        ['app/main.ts', '@ws/exp'],
        ['app/main.ts', '@ws/exp/feature/a'],
        ['app/main.ts', '@ws/exp/internal/b'],
        ['app/main.ts', '@ws/src'],
      ],
    );
  });

  it('a package importing itself by name, and installed packages (nested, scoped, pnpm-style)', () => {
    agree(
      {
        'tsconfig.json': '{}',
        'self/package.json': JSON.stringify({ name: 'selfie', exports: { '.': './index.js', './x': './x.ts' } }),
        'self/index.ts': TS,
        'self/x.ts': TS,
        'self/main.ts': TS,
        'app/main.ts': TS,
        'node_modules/plain/package.json': '{"name":"plain","version":"1.0.0"}',
        'node_modules/plain/index.js': JS,
        'node_modules/plain/sub.js': JS,
        'node_modules/@sc/pkg/package.json': '{"name":"@sc/pkg","version":"1.0.0","main":"lib/x.js"}',
        'node_modules/@sc/pkg/lib/x.js': JS,
        'app/node_modules/plain/package.json': '{"name":"plain","version":"2.0.0"}',
        'app/node_modules/plain/index.js': JS,
        'node_modules/.pnpm/pn@1.0.0/node_modules/pn/package.json': '{"name":"pn","version":"1.0.0"}',
        'node_modules/.pnpm/pn@1.0.0/node_modules/pn/index.js': JS,
        'node_modules/pn': { link: '.pnpm/pn@1.0.0/node_modules/pn' },
      },
      [
        ['self/main.ts', 'selfie'],
        ['self/main.ts', 'selfie/x'],
        ['main.ts', 'plain'],
        ['main.ts', 'plain/sub'],
        ['app/main.ts', 'plain'],
        ['app/main.ts', '@sc/pkg'],
        ['app/main.ts', 'pn'],
      ],
    );
  });
});
