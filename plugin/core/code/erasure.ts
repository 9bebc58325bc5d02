/**
 * Which parts of a TypeScript syntax tree are erased when tsx (esbuild)
 * turns it into JavaScript: type annotations, type arguments and parameters,
 * `implements` clauses, `as`/`satisfies` types, interfaces, type aliases,
 * `declare` statements, overload signatures, abstract members. They never
 * run, so they take no part in a code digest or in what code reaches: editing
 * a type re-runs nothing.
 *
 * Only what is certainly erased is listed. Anything else (parameter
 * properties, enums, namespaces with values, class fields, whose emit
 * depends on compiler settings) stays.
 */
import type { TS } from '../util/typescript';

type WithTypeParts = TS.Node & {
  readonly type?: TS.Node;
  readonly typeArguments?: TS.NodeArray<TS.Node>;
  readonly typeParameters?: TS.NodeArray<TS.Node>;
  readonly questionToken?: TS.Node;
  readonly exclamationToken?: TS.Node;
  readonly body?: TS.Node;
};

function hasModifier(ts: typeof TS, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

/** A whole statement or class member that emits nothing. */
export function isErasedDeclaration(ts: typeof TS, n: TS.Node): boolean {
  if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isIndexSignatureDeclaration(n)) return true;
  if (ts.isImportDeclaration(n) && n.importClause?.isTypeOnly) return true;
  if (ts.isExportDeclaration(n) && n.isTypeOnly) return true;
  if (hasModifier(ts, n, ts.SyntaxKind.DeclareKeyword)) return true;
  if (hasModifier(ts, n, ts.SyntaxKind.AbstractKeyword) && !ts.isClassDeclaration(n) && !ts.isClassExpression(n)) return true;
  // Overload signatures: a function or method without a body.
  if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n)) && !n.body) return true;
  if (ts.isModuleDeclaration(n)) return !isInstantiated(ts, n);
  return false;
}

/** A namespace emits code only when it holds something that is not a type. */
function isInstantiated(ts: typeof TS, m: TS.ModuleDeclaration): boolean {
  const body = m.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return isInstantiated(ts, body);
  if (!ts.isModuleBlock(body)) return false;
  return body.statements.some((s) => !isErasedDeclaration(ts, s));
}

function inList(list: TS.NodeArray<TS.Node> | undefined, child: TS.Node): boolean {
  return !!list && child.pos >= list.pos && child.end <= list.end && list.some((x) => x === child);
}

/**
 * True when `child`, a direct child node of `parent` (as `forEachChild`
 * gives it), is erased: a type in an annotation or assertion, a type
 * argument or parameter, an `implements` clause, an optional or definite
 * mark, or an erased declaration.
 */
export function isErasedChild(ts: typeof TS, parent: TS.Node, child: TS.Node): boolean {
  const p = parent as WithTypeParts;
  if (p.type === child && ts.isTypeNode(child)) return true;
  if (inList(p.typeArguments, child) || inList(p.typeParameters, child)) return true;
  if ((ts.isParameter(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && p.questionToken === child) return true;
  if ((ts.isPropertyDeclaration(parent) || ts.isVariableDeclaration(parent)) && p.exclamationToken === child) return true;
  if (ts.isHeritageClause(child) && child.token === ts.SyntaxKind.ImplementsKeyword) return true;
  if (ts.isParameter(child) && ts.isIdentifier(child.name) && child.name.text === 'this') return true;
  return isErasedDeclaration(ts, child);
}

/** Expressions that are their operand once types are erased: `x as T`, `x satisfies T`, `<T>x`, `x!`. */
export function erasedWrapperOperand(ts: typeof TS, n: TS.Node): TS.Expression | undefined {
  if (ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n) || ts.isNonNullExpression(n)) return n.expression;
  return undefined;
}
