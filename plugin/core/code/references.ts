/**
 * What a piece of code refers to: the top-level names of its module it
 * mentions (lexical scope respected, types excluded), and the modules it
 * loads while it runs (`require`, `import()`, `createRequire`, workers).
 */
import type { TS } from '../util/typescript';
import { typescript } from '../util/typescript';
import { isErasedChild } from './erasure';

/** Modules a piece of code loads when it runs. */
export interface RuntimeLoads {
  /** Literal specifiers, resolved from the file: `require('x')`, `import('x')`, `require.resolve('x')`, ... */
  readonly dynamicImports: readonly string[];
  /** Relative prefixes of specifiers built at run time: import(`./plugins/${name}`) gives './plugins/'. */
  readonly dynamicPrefixes: readonly string[];
  /** Paths relative to the process's working folder: `new Worker('./w.js')`. */
  readonly cwdModules: readonly string[];
  /** Loads whose target cannot be known statically, as `line:col text` (reported, not followed). */
  readonly opaque: readonly string[];
}

type MutableLoads = { -readonly [K in keyof RuntimeLoads]: string[] };

export interface References extends RuntimeLoads {
  readonly refs: readonly string[];
}

const requireAliases = new WeakMap<TS.SourceFile, ReadonlySet<string>>();

/** Names bound to `createRequire(...)` anywhere in the file. */
function createRequireNames(ts: typeof TS, sf: TS.SourceFile): ReadonlySet<string> {
  const known = requireAliases.get(sf);
  if (known) return known;
  const names = new Set<string>();
  const walk = (n: TS.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && isCreateRequireCall(ts, n.initializer)) names.add(n.name.text);
    ts.forEachChild(n, walk);
  };
  walk(sf);
  requireAliases.set(sf, names);
  return names;
}

function calleeName(ts: typeof TS, e: TS.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

function isCreateRequireCall(ts: typeof TS, e: TS.Expression): e is TS.CallExpression {
  return ts.isCallExpression(e) && calleeName(ts, e.expression) === 'createRequire';
}

/** `__filename`, `import.meta.url`, `import.meta.filename`: createRequire relative to this file. */
function isThisFile(ts: typeof TS, e: TS.Expression | undefined): boolean {
  if (!e) return false;
  if (ts.isIdentifier(e)) return e.text === '__filename';
  if (ts.isPropertyAccessExpression(e) && ts.isMetaProperty(e.expression)) return e.name.text === 'url' || e.name.text === 'filename';
  if (ts.isCallExpression(e) && calleeName(ts, e.expression) === 'pathToFileURL') return isThisFile(ts, e.arguments[0]);
  return false;
}

function isImportMeta(ts: typeof TS, e: TS.Expression): boolean {
  return ts.isMetaProperty(e) && e.keywordToken === ts.SyntaxKind.ImportKeyword;
}

/**
 * How a call loads a module, if it does: 'file' (resolved from this file),
 * 'cwd' (a worker path), or undefined.
 */
function loadKind(ts: typeof TS, call: TS.CallExpression | TS.NewExpression, aliases: ReadonlySet<string>): 'file' | 'cwd' | 'opaque' | undefined {
  const callee = call.expression;
  if (ts.isNewExpression(call)) return calleeName(ts, callee) === 'Worker' ? 'cwd' : undefined;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return 'file';
  if (ts.isIdentifier(callee)) return callee.text === 'require' || aliases.has(callee.text) ? 'file' : undefined;
  if (isCreateRequireCall(ts, callee)) return isThisFile(ts, callee.arguments[0]) ? 'file' : 'opaque';
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    const target = callee.expression;
    // require.resolve('x'), module.require('x'), req.resolve('x'), import.meta.resolve('x')
    if (method === 'require') return 'file';
    if (method === 'resolve' && (isImportMeta(ts, target) || (ts.isIdentifier(target) && (target.text === 'require' || aliases.has(target.text)))))
      return 'file';
  }
  return undefined;
}

/** `__dirname` or `import.meta.dirname`: this file's folder. */
function isThisFolder(ts: typeof TS, e: TS.Expression | undefined): boolean {
  if (!e) return false;
  if (ts.isIdentifier(e)) return e.text === '__dirname';
  return ts.isPropertyAccessExpression(e) && ts.isMetaProperty(e.expression) && e.name.text === 'dirname';
}

/** path.join(__dirname, 'a', 'b') / path.resolve(__dirname, ...): the same as './a/b'. */
function folderJoin(ts: typeof TS, e: TS.Expression): { literal?: string; prefix?: string } | undefined {
  if (!ts.isCallExpression(e) || !['join', 'resolve'].includes(calleeName(ts, e.expression) ?? '') || !isThisFolder(ts, e.arguments[0])) return undefined;
  const parts: string[] = [];
  for (const a of e.arguments.slice(1)) {
    if (!ts.isStringLiteralLike(a)) return { prefix: `./${[...parts, ''].join('/')}` };
    parts.push(a.text);
  }
  return { literal: `./${parts.join('/')}` };
}

/** The literal text of a specifier, or the static prefix of one built from a template, a `+` or a join from this folder. */
function specifierOf(ts: typeof TS, e: TS.Expression): { literal?: string; prefix?: string; fromFolder?: true } {
  if (ts.isStringLiteralLike(e)) return { literal: e.text };
  const joined = folderJoin(ts, e);
  if (joined) return { ...joined, fromFolder: true };
  if (ts.isTemplateExpression(e)) return { prefix: e.head.text };
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = specifierOf(ts, e.left);
    return { prefix: left.literal ?? left.prefix ?? '' };
  }
  if (ts.isParenthesizedExpression(e)) return specifierOf(ts, e.expression);
  // new URL('./w.js', import.meta.url): relative to this file.
  if (ts.isNewExpression(e) && calleeName(ts, e.expression) === 'URL' && e.arguments?.[0] && isThisFile(ts, e.arguments[1])) {
    const inner = specifierOf(ts, e.arguments[0]);
    return inner.literal !== undefined ? { literal: inner.literal } : inner;
  }
  return {};
}

function isRelative(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../');
}

function recordLoad(ts: typeof TS, sf: TS.SourceFile, call: TS.CallExpression | TS.NewExpression, kind: 'file' | 'cwd' | 'opaque', out: MutableLoads): void {
  const first = call.arguments?.[0];
  const where = (): string => {
    const { line, character } = sf.getLineAndCharacterOfPosition(call.getStart(sf));
    const text = call.getText(sf).replace(/\s+/g, ' ');
    return `${line + 1}:${character + 1} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
  };
  if (!first || kind === 'opaque') {
    out.opaque.push(where());
    return;
  }
  const spec = specifierOf(ts, first);
  // A URL relative to import.meta.url, or a path joined to __dirname, is relative to this file, not to the working folder.
  const urlArg = ts.isNewExpression(first) || spec.fromFolder === true;
  if (spec.literal !== undefined) {
    if (kind === 'cwd' && !urlArg) out.cwdModules.push(spec.literal);
    else out.dynamicImports.push(spec.literal);
  } else if (spec.prefix !== undefined && isRelative(spec.prefix) && (kind === 'file' || urlArg)) {
    out.dynamicPrefixes.push(spec.prefix);
  } else {
    out.opaque.push(where());
  }
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
  private readonly loads: MutableLoads = { dynamicImports: [], dynamicPrefixes: [], cwdModules: [], opaque: [] };
  private readonly scopes: Array<ReadonlySet<string>> = [];

  constructor(
    private readonly ts: typeof TS,
    private readonly sf: TS.SourceFile,
    private readonly topLevel: ReadonlySet<string>,
  ) {
    this.aliases = createRequireNames(ts, sf);
  }

  result(): References {
    const sorted = (xs: string[]) => [...new Set(xs)].sort();
    return {
      refs: [...this.refs].sort(),
      dynamicImports: sorted(this.loads.dynamicImports),
      dynamicPrefixes: sorted(this.loads.dynamicPrefixes),
      cwdModules: sorted(this.loads.cwdModules),
      opaque: sorted(this.loads.opaque),
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
    if (ts.isClassExpression(n) && n.name) return this.within(new Set([n.name.text]), n);
    if (ts.isIdentifier(n)) return this.visitIdentifier(n);
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) this.visitCall(n);
    this.children(n, (c) => this.visit(c));
  }

  private visitFunction(fn: TS.SignatureDeclarationBase & { body?: TS.Node }): void {
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
    if (this.topLevel.has(n.text) && isReferencePosition(this.ts, n) && !this.isLocal(n.text)) this.refs.add(n.text);
  }

  private visitCall(n: TS.CallExpression | TS.NewExpression): void {
    const ts = this.ts;
    // A direct eval sees every name of the module: it may call any of them.
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'eval' && !this.isLocal('eval')) {
      for (const name of this.topLevel) this.refs.add(name);
    }
    const kind = loadKind(ts, n, this.aliases);
    if (kind) recordLoad(ts, this.sf, n, kind, this.loads);
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
