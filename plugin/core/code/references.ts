/**
 * What a piece of code refers to: the top-level names of its module it
 * mentions (lexical scope respected, types excluded), the modules it loads
 * while it runs (`require`, `import()`, `createRequire`, workers: loads.ts),
 * what in it may reveal who the step is (identity.ts), and the JSX the
 * compiler turns into factory calls.
 */
import type { TS } from '../util/typescript';
import { typescript } from '../util/typescript';
import { isErasedChild } from './erasure';
import { freeNameUse, nodeUse, SELF_EXPORTS } from './identity';
import type { MutableLoads, RuntimeLoads } from './loads';
import { describeAt, loadKind, recordLoad, requireAliasesOf, unwrapExpression } from './loads';

export type { RuntimeLoads } from './loads';

export interface References extends RuntimeLoads {
  readonly refs: readonly string[];
  /**
   * Top-level names used only as `name.member` (a namespace import's
   * member, `ns.f`), as `name\0member`: the walk follows that export alone.
   * A name also used any other way is in `refs` instead.
   */
  readonly members: readonly string[];
  /** What in the code may reveal who the step is (its module's path, Nx's task variables), as `line:col text` (identity.ts). */
  readonly identity: readonly string[];
  /** Kinds of JSX in the code: the compiler turns them into calls of the JSX factory (closure-walk.ts follows it). */
  readonly jsx: readonly ('element' | 'fragment' | 'key-after-spread')[];
  /** The code mentions `this`: called as `ns.f()`, a function sees the whole namespace. */
  readonly usesThis: boolean;
  /** It reads its own module's exports (identity.ts SELF_EXPORTS): the whole module counts. */
  readonly selfExports: boolean;
}

/**
 * Identifiers in `node` that refer to a top-level binding of the module: not
 * a property name, not inside a type, and not shadowed by a local binding
 * that is definitely in scope (parameters, block-scoped let/const/class/
 * function, hoisted var, catch and loop variables). `needs: { summary }` with
 * `({ summary }) => summary.total` is the common case: that `summary` is the
 * parameter, not the step declared at the top level.
 *
 * When unsure, a name counts as a reference: that can only add code to a
 * step's key, never leave code out.
 */
export function referencesOf(node: TS.Node, sf: TS.SourceFile, topLevel: ReadonlySet<string>): References {
  const walker = new ReferenceWalker(typescript(), sf, topLevel);
  walker.visit(node);
  return walker.result();
}

const BLOCK_SCOPED = (ts: typeof TS): number => ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using;

/** One walk over a piece of code, with the stack of local scopes that shadow top-level names. */
class ReferenceWalker {
  private readonly aliases: ReadonlySet<string>;
  private readonly refs = new Set<string>();
  private readonly members = new Set<string>();
  private readonly identity: string[] = [];
  private readonly jsx = new Set<References['jsx'][number]>();
  private readonly loads: MutableLoads = { dynamicImports: [], dynamicPrefixes: [], cwdModules: [], opaque: [] };
  private readonly scopes: Array<ReadonlySet<string>> = [];
  /** Depth of `function`s, methods and classes around the node: `arguments` and `this` are theirs there. */
  private ownThis = 0;
  private usesThis = false;
  private selfExports = false;

  constructor(
    private readonly ts: typeof TS,
    private readonly sf: TS.SourceFile,
    private readonly topLevel: ReadonlySet<string>,
  ) {
    this.aliases = requireAliasesOf(ts, sf);
  }

  result(): References {
    const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
    return {
      refs: sorted(this.refs),
      members: sorted([...this.members].filter((m) => !this.refs.has(m.slice(0, m.indexOf('\0'))))),
      dynamicImports: sorted(this.loads.dynamicImports),
      dynamicPrefixes: sorted(this.loads.dynamicPrefixes),
      cwdModules: sorted(this.loads.cwdModules),
      opaque: sorted(this.loads.opaque),
      identity: sorted(this.identity),
      jsx: sorted(this.jsx) as References['jsx'],
      usesThis: this.usesThis,
      selfExports: this.selfExports,
    };
  }

  /** Each kind of node that opens a scope has its own visitor; every other node is checked, then its children. */
  visit(n: TS.Node): void {
    const ts = this.ts;
    if (isFunctionLike(ts, n)) return this.visitFunction(n as TS.SignatureDeclarationBase & { body?: TS.Node });
    if (ts.isBlock(n) || ts.isModuleBlock(n) || ts.isCaseBlock(n)) return this.visitBlock(n);
    if (ts.isForStatement(n) || ts.isForInStatement(n) || ts.isForOfStatement(n)) {
      if (n.initializer && ts.isVariableDeclarationList(n.initializer) && n.initializer.flags & BLOCK_SCOPED(ts)) return this.visitLoop(n, n.initializer);
    }
    if (ts.isCatchClause(n)) return this.within(this.bound(n.variableDeclaration?.name), n);
    if (ts.isClassLike(n)) return this.withOwnThis(() => (ts.isClassExpression(n) && n.name ? this.within(new Set([n.name.text]), n) : this.visitChildren(n)));
    if (ts.isIdentifier(n)) return this.visitIdentifier(n);
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) this.visitCall(n);
    this.visitJsx(n);
    if (n.kind === ts.SyntaxKind.ThisKeyword) this.usesThis = true;
    const use = nodeUse(ts, n, this.ownThis > 0);
    if (use) this.identity.push(describeAt(this.sf, n, use));
    if (use === SELF_EXPORTS) this.selfExports = true;
    this.visitChildren(n);
  }

  private visitChildren(n: TS.Node): void {
    this.children(n, (c) => this.visit(c));
  }

  private withOwnThis(fn: () => void): void {
    this.ownThis += 1;
    try {
      fn();
    } finally {
      this.ownThis -= 1;
    }
  }

  /** JSX compiles to calls of a factory the source does not name (closure-walk.ts follows it). */
  private visitJsx(n: TS.Node): void {
    const ts = this.ts;
    if (ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n)) this.jsx.add('element');
    else if (ts.isJsxFragment(n)) this.jsx.add('fragment');
    else if (ts.isJsxAttributes(n)) {
      // <div {...p} key="k" />: esbuild's automatic runtime calls createElement from the import source itself.
      const spread = n.properties.findIndex((p) => ts.isJsxSpreadAttribute(p));
      if (spread >= 0 && n.properties.some((p, i) => i > spread && ts.isJsxAttribute(p) && p.name.getText(this.sf) === 'key')) this.jsx.add('key-after-spread');
    }
  }

  private visitFunction(fn: TS.SignatureDeclarationBase & { body?: TS.Node }): void {
    if (!this.ts.isArrowFunction(fn)) return this.withOwnThis(() => this.visitFunctionScope(fn));
    this.visitFunctionScope(fn);
  }

  private visitFunctionScope(fn: TS.SignatureDeclarationBase & { body?: TS.Node }): void {
    const ts = this.ts;
    const names = new Set<string>();
    if (ts.isFunctionExpression(fn) && fn.name) names.add(fn.name.text);
    for (const p of fn.parameters) this.bind(p.name, names);
    const body = fn.body;
    if (body && ts.isBlock(body)) {
      this.hoisted(body, names);
      this.blockScoped(body.statements, names);
    }
    // Every child in the function's scope: decorators, a computed name,
    // parameters (binding names are not references, see isReferencePosition;
    // their defaults and computed keys are), the body. The body's
    // statements go directly: its block scope is `names` already.
    this.scoped(names, () =>
      this.children(fn, (c) =>
        c === body && ts.isBlock(body) ? body.statements.forEach((s) => (isErasedChild(ts, body, s) ? undefined : this.visit(s))) : this.visit(c),
      ),
    );
  }

  private visitBlock(n: TS.Block | TS.ModuleBlock | TS.CaseBlock): void {
    const names = new Set<string>();
    if (this.ts.isCaseBlock(n)) for (const c of n.clauses) this.blockScoped(c.statements, names);
    else this.blockScoped(n.statements, names);
    this.within(names, n);
  }

  /** `for (let i ...)`, `for (const x of ...)`: the loop variables are local to the loop. */
  private visitLoop(n: TS.Node, declarations: TS.VariableDeclarationList): void {
    const names = new Set<string>();
    for (const d of declarations.declarations) this.bind(d.name, names);
    this.within(names, n);
  }

  private visitIdentifier(n: TS.Identifier): void {
    if (!isReferencePosition(this.ts, n) || this.isLocal(n.text)) return;
    if (this.topLevel.has(n.text)) {
      const member = memberOf(this.ts, n);
      if (member !== undefined) this.members.add(`${n.text}\0${member}`);
      else this.refs.add(n.text);
      return;
    }
    const use = freeNameUse(this.ts, n, this.ownThis > 0);
    if (!use) return;
    this.identity.push(describeAt(this.sf, n, use));
    if (use === SELF_EXPORTS) this.selfExports = true;
    // `require` handed on as a value, and a direct eval's string: modules may load through them that nx-steps cannot name.
    if (use === 'require as a value' || n.text === 'eval') this.loads.opaque.push(describeAt(this.sf, n.parent ?? n));
  }

  private visitCall(n: TS.CallExpression | TS.NewExpression): void {
    const ts = this.ts;
    // A direct eval sees every name of the module: it may call any of them.
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'eval' && !this.isLocal('eval')) {
      for (const name of this.topLevel) this.refs.add(name);
    }
    const kind = loadKind(ts, n, this.aliases);
    if (!kind) return;
    recordLoad(ts, this.sf, n, kind, this.loads);
    const callee = unwrapExpression(ts, n.expression);
    // require.resolve('./x') and import.meta.resolve('./x') return the absolute path of a module beside this one.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve')
      this.identity.push(describeAt(this.sf, n, `${callee.getText(this.sf)}(...) (an absolute path)`));
  }

  private isLocal(name: string): boolean {
    return this.scopes.some((s) => s.has(name));
  }

  /** The children of `n`, visited in a scope that binds `names`. */
  private within(names: ReadonlySet<string>, n: TS.Node): void {
    this.scoped(names, () => this.children(n, (c) => this.visit(c)));
  }

  private scoped(names: ReadonlySet<string>, fn: () => void): void {
    this.scopes.push(names);
    try {
      fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Children that survive compilation (types and other erased parts are not code). */
  private children(n: TS.Node, fn: (c: TS.Node) => void): void {
    this.ts.forEachChild(n, (c) => (isErasedChild(this.ts, n, c) ? undefined : fn(c)));
  }

  private bound(name: TS.BindingName | undefined): Set<string> {
    const names = new Set<string>();
    this.bind(name, names);
    return names;
  }

  private bind(name: TS.BindingName | undefined, into: Set<string>): void {
    if (!name) return;
    const list: string[] = [];
    bindingNames(this.ts, name, list);
    for (const n of list) into.add(n);
  }

  /** `var` declarations anywhere in a function body (but not in nested functions). */
  private hoisted(body: TS.Node, into: Set<string>): void {
    const ts = this.ts;
    const walk = (n: TS.Node): void => {
      if (isFunctionLike(ts, n)) return;
      if (ts.isVariableDeclarationList(n) && !(n.flags & BLOCK_SCOPED(ts))) {
        for (const d of n.declarations) this.bind(d.name, into);
      }
      ts.forEachChild(n, walk);
    };
    ts.forEachChild(body, walk);
  }

  /** Block-scoped declarations directly in a list of statements. */
  private blockScoped(statements: readonly TS.Statement[], into: Set<string>): void {
    const ts = this.ts;
    for (const st of statements) {
      if (ts.isVariableStatement(st) && st.declarationList.flags & BLOCK_SCOPED(ts)) {
        for (const d of st.declarationList.declarations) this.bind(d.name, into);
      } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) {
        into.add(st.name.text);
      }
    }
  }
}

/** `ns.f` or `ns['f']` for a top-level name `ns`: the member read, else undefined (any other use of `ns`). */
function memberOf(ts: typeof TS, id: TS.Identifier): string | undefined {
  let node: TS.Node = id;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || unwrapExpression(ts, node.parent as TS.Expression) !== node.parent)) node = node.parent;
  const p = node.parent;
  if (!p) return undefined;
  if (ts.isPropertyAccessExpression(p) && p.expression === node) return p.name.text;
  if (ts.isElementAccessExpression(p) && p.expression === node && ts.isStringLiteralLike(p.argumentExpression)) return p.argumentExpression.text;
  return undefined;
}

export function isFunctionLike(ts: typeof TS, n: TS.Node): boolean {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isGetAccessorDeclaration(n) ||
    ts.isSetAccessorDeclaration(n)
  );
}

/**
 * False for identifiers that name a property or label rather than refer to a
 * binding. Anything else counts: treating a shadowing local as a reference
 * only ever adds code to a key, never leaves code out.
 */
function isReferencePosition(ts: typeof TS, id: TS.Identifier): boolean {
  const p = id.parent;
  if (!p) return true;
  if (ts.isPropertyAccessExpression(p)) return p.expression === id;
  if (ts.isQualifiedName(p)) return p.left === id;
  if (
    ts.isPropertyAssignment(p) ||
    ts.isPropertyDeclaration(p) ||
    ts.isMethodDeclaration(p) ||
    ts.isPropertySignature(p) ||
    ts.isMethodSignature(p) ||
    ts.isGetAccessorDeclaration(p) ||
    ts.isSetAccessorDeclaration(p) ||
    ts.isEnumMember(p) ||
    ts.isJsxAttribute(p)
  ) {
    return p.name !== id;
  }
  if (ts.isBindingElement(p)) return p.propertyName !== id && p.name !== id;
  // A name being declared is a binding, not a use.
  if (
    (ts.isFunctionDeclaration(p) ||
      ts.isFunctionExpression(p) ||
      ts.isClassDeclaration(p) ||
      ts.isClassExpression(p) ||
      ts.isVariableDeclaration(p) ||
      ts.isParameter(p) ||
      ts.isInterfaceDeclaration(p) ||
      ts.isTypeAliasDeclaration(p) ||
      ts.isEnumDeclaration(p) ||
      ts.isModuleDeclaration(p) ||
      ts.isTypeParameterDeclaration(p)) &&
    p.name === id
  ) {
    return false;
  }
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p) || ts.isImportEqualsDeclaration(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

export function bindingNames(ts: typeof TS, name: TS.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) {
    into.push(name.text);
    return;
  }
  for (const el of name.elements) {
    if (!ts.isOmittedExpression(el)) bindingNames(ts, el.name, into);
  }
}
