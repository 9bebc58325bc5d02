/**
 * The engine the rig's processes run, compiled from this checkout's sources
 * to CommonJS (TypeScript's transpileModule, file by file, as tsc would emit
 * it: no type checking, which `npm run typecheck` does). Compiled JavaScript
 * rather than tsx in the rig's process, for two reasons: a command starts
 * in a fraction of the time, and the only tsx registration in it is the one
 * the engine makes for pipeline modules (plugin/core/run/load-module.ts),
 * with the tsconfig nearest the pipeline, as in a step process of Nx.
 *
 * The output sits in e2e/.artifacts/engine-rig/<digest of the sources>, so
 * packages resolve from this checkout's node_modules, and a run reuses it
 * while no source changed.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../template';

/**
 * Where plugin/ is read from: this checkout, or NXS_RIG_ENGINE_SOURCES (a
 * folder holding another plugin/, e.g. `git archive main plugin | tar -x -C
 * /tmp/main`) to run the tables against another engine: what a case catches.
 */
function engineSources(): string {
  return process.env['NXS_RIG_ENGINE_SOURCES'] ?? REPO_ROOT;
}

/** What the rig's processes load: the engine and the public API under plugin/, and the rig's command. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(engineSources(), rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'test-utils') walk(r);
      } else if (e.name.endsWith('.ts') && !/\.(test|typetest)\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  walk('plugin');
  out.push('e2e/rig/engine/run-command.ts', 'e2e/rig/engine/stores.ts');
  return out.sort();
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  esModuleInterop: true,
  resolveJsonModule: true,
};

let compiled: string | undefined;

/** The compiled tree's root (compiled once per digest of the sources). */
export function compiledEngine(): string {
  if (compiled) return compiled;
  const files = sources();
  const texts = files.map((f) => fs.readFileSync(path.join(f.startsWith('plugin/') ? engineSources() : REPO_ROOT, f), 'utf8'));
  const digest = createHash('sha256').update(ts.version).update(JSON.stringify(files)).update(texts.join('\0')).digest('hex').slice(0, 16);
  const root = path.join(REPO_ROOT, 'e2e/.artifacts/engine-rig', digest);
  if (!fs.existsSync(path.join(root, '.done'))) {
    const building = `${root}.${process.pid}.building`;
    fs.rmSync(building, { recursive: true, force: true });
    files.forEach((file, i) => {
      const js = ts.transpileModule(texts[i] ?? '', { fileName: path.basename(file), compilerOptions: OPTIONS }).outputText;
      const out = path.join(building, file.replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, js);
    });
    // Nested folders resolve `require('typescript')` and the rest from this checkout; the tree is CommonJS.
    fs.writeFileSync(path.join(building, 'package.json'), '{ "type": "commonjs" }\n');
    fs.writeFileSync(path.join(building, '.done'), '');
    try {
      fs.renameSync(building, root);
    } catch {
      fs.rmSync(building, { recursive: true, force: true });
    }
  }
  compiled = root;
  return root;
}
