/**
 * Type-checks generated files as a user's editor would, with 'nx-steps'
 * resolved to this repository's sources: proves that generated steps are
 * typed by their needs, not only that they parse.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tree } from '@nx/devkit';
import { typescript } from '../../plugin/core/util/typescript';

const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * `file:line: message` for every type error in the given files of the Tree (plus `extra` files).
 * `within`: the folder the files are written under (inside this repo, its node_modules resolve).
 */
export function typeErrors(tree: Tree, files: readonly string[], extra: Readonly<Record<string, string>> = {}, within = os.tmpdir()): string[] {
  const ts = typescript();
  fs.mkdirSync(within, { recursive: true });
  const dir = fs.mkdtempSync(path.join(within, 'nxs-gen-typecheck-'));
  try {
    const roots: string[] = [];
    const write = (rel: string, text: string): void => {
      const abs = path.join(dir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
      if (rel.endsWith('.ts')) roots.push(abs);
    };
    for (const f of files) write(f, tree.read(f, 'utf-8') ?? '');
    for (const [f, text] of Object.entries(extra)) write(f, text);
    const program = ts.createProgram(roots, {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      types: ['node'],
      typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')],
      paths: { 'nx-steps': [path.join(REPO_ROOT, 'plugin/index.ts')] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
