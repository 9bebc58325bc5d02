/**
 * Size limits of the sources (style.md: small files, short functions): files over MAX_FILE_LINES lines
 * (tests, e2e and bench included), and functions over MAX_FUNCTION_LINES lines whose leading comment does
 * not say why they are long (a comment with `Why it is long:`; sources only: a test's describe() is long). Used by plugin/code-size.test.ts; `node --import tsx plugin/test-utils/sizes.ts`
 * lists the offenders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT, sourceFiles } from './imports';

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 60;
export const LONG_REASON = 'Why it is long:';
export const CHECKED_FOLDERS = ['plugin', 'executors', 'generators', 'cli'];
/** Where every file, tests included, keeps to MAX_FILE_LINES. */
export const FILE_SIZE_FOLDERS = [...CHECKED_FOLDERS, 'e2e', 'bench', 'examples'];

export interface LongFunction {
  readonly file: string;
  readonly name: string;
  readonly line: number;
  readonly lines: number;
}

export function longFiles(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return lines > MAX_FILE_LINES ? [`${file}: ${String(lines)} lines`] : [];
  });
}

/** Functions, methods and arrow functions over the limit, without a leading comment saying why. */
export function longFunctions(file: string): LongFunction[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES && !explained(node, text)) found.push({ file, name: nameOf(node), line: first + 1, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

type FunctionNode =
  ts.FunctionDeclaration | ts.MethodDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.ConstructorDeclaration | ts.AccessorDeclaration;

function isFunctionLike(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isAccessor(node)
  );
}

/** The comment before the function, or before the statement or property that holds it. */
function explained(node: ts.Node, text: string): boolean {
  let holder: ts.Node = node;
  while (
    holder.parent &&
    !ts.isSourceFile(holder.parent) &&
    !ts.isBlock(holder.parent) &&
    !ts.isClassLike(holder.parent) &&
    !ts.isObjectLiteralExpression(holder.parent)
  ) {
    holder = holder.parent;
  }
  const comments = [holder, node].flatMap((n) => ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []);
  return comments.some((c) => text.slice(c.pos, c.end).includes(LONG_REASON));
}

function nameOf(node: FunctionNode): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)';
}

export function offenders(): string[] {
  const files = sourceFiles(CHECKED_FOLDERS);
  return [
    ...longFiles(sourceFiles(FILE_SIZE_FOLDERS, { tests: true })),
    ...files.flatMap(longFunctions).map((f) => `${f.file}:${String(f.line)} ${f.name}: ${String(f.lines)} lines`),
  ];
}

if (require.main === module) console.log(offenders().join('\n') || 'none');
