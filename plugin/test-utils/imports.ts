/**
 * The import graph of the sources, read with the TypeScript parser: which module imports which, and
 * whether the import can load code at run time (a value import) or disappears when compiled (a type-only
 * import). Used by plugin/architecture.test.ts to check the dependency rule of docs/architecture.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface Import {
  /** The importing file, relative to the repository root, POSIX separators. */
  readonly from: string;
  /** What it imports: a repository-relative file for a relative specifier, else the package specifier. */
  readonly to: string;
  /** false when the import is erased by the compiler (`import type`, or every name imported as a type). */
  readonly value: boolean;
  readonly line: number;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Every .ts source file under the given folders; tests and type tests left out unless asked for (they may import anything). */
export function sourceFiles(folders: readonly string[], options: { tests?: boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules' && entry.name !== 'files' && entry.name !== 'test-utils') walk(child);
      } else if (/\.m?ts$/.test(entry.name) && (options.tests || !/\.(test|typetest)\.ts$/.test(entry.name)) && !entry.name.endsWith('.d.ts')) {
        out.push(child);
      }
    }
  };
  for (const folder of folders) walk(folder);
  return out.sort();
}

/** The imports of one file: import and export declarations, `import x = require()`, `require()` and `import()` calls. */
export function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, value: boolean, node: ts.Node): void => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ from: file, to: target(file, specifier.text), value, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, !isTypeOnlyImport(node), node);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, !isTypeOnlyExport(node), node);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, !node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && isLoadCall(node)) add(node.arguments[0], true, node);
    else if (ts.isImportTypeNode(node)) return; // import('./x').T in a type position: erased
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isLoadCall(call: ts.CallExpression): boolean {
  if (call.expression.kind === ts.SyntaxKind.ImportKeyword) return true;
  return ts.isIdentifier(call.expression) && call.expression.text === 'require';
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // import './side-effect'
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** A relative specifier as the repository-relative file it names (extension-less); a package specifier as is. */
function target(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [`${joined}.ts`, `${joined}/index.ts`]) {
    if (fs.existsSync(path.join(REPO_ROOT, candidate))) return candidate;
  }
  return joined;
}

/** The folders of a graph that sit on a cycle, each cycle as the list of its folders (Tarjan's algorithm). */
export function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
    }
    if (low.get(node) !== indexOf.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of [...edges.keys()].sort()) if (!indexOf.has(node)) connect(node);
  return found;
}
