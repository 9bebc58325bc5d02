/**
 * What a module's code is made of, for function-level code hashing.
 *
 * Each top-level declaration becomes a CodeUnit: the digest of its syntax
 * tree (comments, layout and other formatting excluded, see feedTokens) and
 * the top-level names it refers to. A step's code is then its function's unit plus the
 * units it reaches, across modules (see closure.ts).
 *
 * The index is plain JSON, cached on disk by the file's content digest.
 */
import type { TS } from '../util/typescript';
import { typescript } from '../util/typescript';
import { createHasher } from '../hash/xxhash';

export interface CodeUnit {
  /** Digest of the unit's tokens. */
  readonly digest: string;
  /** Top-level names of this module (declarations or import bindings) the unit mentions. */
  readonly refs: readonly string[];
  /** Specifiers of `import('x')` / `require('x')` with literal arguments inside the unit. */
  readonly dynamicImports: readonly string[];
}

export interface ImportBinding {
  readonly specifier: string;
  /** The exported name imported, 'default', or '*' for a namespace import. */
  readonly imported: string;
  readonly typeOnly: boolean;
}

export type ExportTarget =
  | { readonly kind: 'local'; readonly local: string }
  | { readonly kind: 'reexport'; readonly specifier: string; readonly imported: string };

export interface ModuleIndex {
  /** Top-level declarations by name; names declared together share a unit. */
  readonly decls: Readonly<Record<string, CodeUnit>>;
  /** Statements that run when the module loads (not declarations), and side-effect imports. */
  readonly always: readonly CodeUnit[];
  readonly sideEffectImports: readonly string[];
  readonly imports: Readonly<Record<string, ImportBinding>>;
  readonly exports: Readonly<Record<string, ExportTarget>>;
  readonly starExports: readonly string[];
  /** Digest of every token of the module. */
  readonly whole: string;
}

/** Node kinds that only describe types; they are erased and never run. */
function isTypeOnlyStatement(ts: typeof TS, s: TS.Statement): boolean {
  return (
    ts.isInterfaceDeclaration(s) ||
    ts.isTypeAliasDeclaration(s) ||
    (ts.isModuleDeclaration(s) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword))
  );
}

/**
 * The digest of a node's tokens, each framed as `<length>:<text>`. The
 * frames are joined and hashed in one call: a streamed hash of the same
 * bytes is the same digest, but two calls into the native hasher per token
 * made hashing most of the cost of indexing a module (profiled: 184 of 364 ms
 * for 100 pipeline files). Every frame starts with an ASCII digit, so joining
 * never merges two halves of a surrogate pair: the bytes are those the
 * frames encode to one by one.
 */
export function tokenDigest(node: TS.Node, sf: TS.SourceFile): string {
  const frames: string[] = [];
  feedTokens(node, sf, (text) => frames.push(`${text.length}:${text}`));
  return createHasher().update(frames.join('')).digest();
}

/**
 * Serialises a node's syntax tree for hashing: each node as its kind around
 * its children, each token as its text. Because the structure is explicit,
 * what formatters change can be left out without two different programs
 * ever serialising alike:
 * - comments, JSDoc, whitespace and line breaks (never in the tree);
 * - semicolons ending statements, and trailing commas in lists;
 * - redundant parentheses (the tree already says how operands group);
 * - the quote style of strings (their value is used).
 * So Prettier reformatting a step leaves its digest alone, while any edit
 * that changes what the code means changes it: `return\nx` and `return x`
 * are different trees, and so are `a\n(b)` and `a;\n(b)`.
 */
export function feedTokens(node: TS.Node, sf: TS.SourceFile, emit: (text: string) => void): void {
  const ts = typescript();
  const visit = (n: TS.Node): void => {
    if (n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode) return;
    if (ts.isParenthesizedExpression(n) || ts.isParenthesizedTypeNode(n)) {
      visit(ts.isParenthesizedExpression(n) ? n.expression : n.type);
      return;
    }
    const children = n.getChildren(sf);
    if (children.length === 0) {
      if (n.kind === ts.SyntaxKind.EndOfFileToken) return;
      if (n.kind === ts.SyntaxKind.SemicolonToken && !(n.parent && ts.isForStatement(n.parent))) return;
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
        emit(`${ts.SyntaxKind[n.kind]}:${n.text}`);
        return;
      }
      const text = n.getText(sf);
      if (text.length > 0) emit(text);
      return;
    }
    emit(`<${n.kind}`);
    const last = children.length - 1;
    children.forEach((child, i) => {
      // A trailing comma: the last token of a list.
      if (n.kind === ts.SyntaxKind.SyntaxList && i === last && child.kind === ts.SyntaxKind.CommaToken) return;
      visit(child);
    });
    emit('>');
  };
  visit(node);
}

/** Top-level names of a module: declarations and import bindings. */
export function topLevelNames(module: ModuleIndex): Set<string> {
  return new Set([...Object.keys(module.decls), ...Object.keys(module.imports)]);
}

/** A node's code unit: its token digest and the top-level names it mentions. */
export function codeUnitOf(node: TS.Node, sf: TS.SourceFile, topLevel: ReadonlySet<string>): CodeUnit {
  return { digest: tokenDigest(node, sf), ...referencedNames(typescript(), node, topLevel) };
}

/**
 * Identifiers in `node` that refer to a top-level binding of the module: not
 * a property name, and not shadowed by a local binding that is definitely in
 * scope (parameters, block-scoped let/const/class/function, hoisted var,
 * catch and loop variables). `needs: { summary }` with
 * `({ summary }) => summary.total` is the common case: that `summary` is the
 * parameter, not the step declared at the top level.
 *
 * When unsure, a name counts as a reference: that can only add code to a
 * step's key, never leave code out.
 */
function referencedNames(ts: typeof TS, node: TS.Node, topLevel: ReadonlySet<string>): { refs: string[]; dynamicImports: string[] } {
  const refs = new Set<string>();
  const dynamicImports = new Set<string>();
  const scopes: Array<ReadonlySet<string>> = [];
  const isLocal = (name: string) => scopes.some((s) => s.has(name));
  const within = (names: Set<string>, fn: () => void) => {
    scopes.push(names);
    try {
      fn();
    } finally {
      scopes.pop();
    }
  };
  const bind = (name: TS.BindingName | undefined, into: Set<string>) => {
    if (!name) return;
    const list: string[] = [];
    bindingNames(ts, name, list);
    for (const n of list) into.add(n);
  };
  /** `var` declarations anywhere in a function body (but not in nested functions). */
  const hoisted = (body: TS.Node, into: Set<string>) => {
    const walk = (n: TS.Node): void => {
      if (isFunctionLike(ts, n)) return;
      if (ts.isVariableDeclarationList(n) && !(n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using))) {
        for (const d of n.declarations) bind(d.name, into);
      }
      ts.forEachChild(n, walk);
    };
    ts.forEachChild(body, walk);
  };
  /** Block-scoped declarations directly in a list of statements. */
  const blockScoped = (statements: readonly TS.Statement[], into: Set<string>) => {
    for (const st of statements) {
      if (ts.isVariableStatement(st) && st.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using)) {
        for (const d of st.declarationList.declarations) bind(d.name, into);
      } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) {
        into.add(st.name.text);
      }
    }
  };
  const visit = (n: TS.Node): void => {
    if (isFunctionLike(ts, n)) {
      const fn = n as TS.SignatureDeclarationBase & { body?: TS.Node };
      const names = new Set<string>();
      if (ts.isFunctionExpression(n) && n.name) names.add(n.name.text);
      for (const p of fn.parameters) bind(p.name, names);
      const body = fn.body;
      if (body && ts.isBlock(body)) {
        hoisted(body, names);
        blockScoped(body.statements, names);
      }
      // Every child in the function's scope: decorators, a computed name,
      // parameters (binding names are not references, see isReferencePosition;
      // their defaults and computed keys are), types, the body. The body's
      // statements go directly: its block scope is `names` already.
      within(names, () => ts.forEachChild(n, (c) => (c === body && ts.isBlock(body) ? body.statements.forEach(visit) : visit(c))));
      return;
    }
    if (ts.isBlock(n) || ts.isModuleBlock(n) || ts.isCaseBlock(n)) {
      const names = new Set<string>();
      if (ts.isCaseBlock(n)) for (const c of n.clauses) blockScoped(c.statements, names);
      else blockScoped(n.statements, names);
      within(names, () => ts.forEachChild(n, visit));
      return;
    }
    if ((ts.isForStatement(n) || ts.isForInStatement(n) || ts.isForOfStatement(n)) && n.initializer && ts.isVariableDeclarationList(n.initializer) && n.initializer.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using)) {
      const names = new Set<string>();
      for (const d of n.initializer.declarations) bind(d.name, names);
      within(names, () => ts.forEachChild(n, visit));
      return;
    }
    if (ts.isCatchClause(n)) {
      const names = new Set<string>();
      bind(n.variableDeclaration?.name, names);
      within(names, () => ts.forEachChild(n, visit));
      return;
    }
    if (ts.isClassExpression(n) && n.name) {
      within(new Set([n.name.text]), () => ts.forEachChild(n, visit));
      return;
    }
    if (ts.isIdentifier(n)) {
      if (topLevel.has(n.text) && isReferencePosition(ts, n) && !isLocal(n.text)) refs.add(n.text);
      return;
    }
    if (ts.isCallExpression(n)) {
      const [first] = n.arguments;
      const isImport = n.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(n.expression) && n.expression.text === 'require';
      if ((isImport || isRequire) && first && ts.isStringLiteralLike(first)) dynamicImports.add(first.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return { refs: [...refs].sort(), dynamicImports: [...dynamicImports].sort() };
}

function isFunctionLike(ts: typeof TS, n: TS.Node): boolean {
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
      ts.isTypeParameterDeclaration(p)) &&
    p.name === id
  ) {
    return false;
  }
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

function bindingNames(ts: typeof TS, name: TS.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) {
    into.push(name.text);
    return;
  }
  for (const el of name.elements) {
    if (!ts.isOmittedExpression(el)) bindingNames(ts, el.name, into);
  }
}

function hasModifier(ts: typeof TS, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

/** Names a top-level statement declares (empty for statements that only run). */
export function declaredNames(ts: typeof TS, s: TS.Statement): string[] {
  const names: string[] = [];
  if (ts.isVariableStatement(s)) {
    for (const d of s.declarationList.declarations) bindingNames(ts, d.name, names);
  } else if (
    ts.isFunctionDeclaration(s) ||
    ts.isClassDeclaration(s) ||
    ts.isEnumDeclaration(s) ||
    ts.isInterfaceDeclaration(s) ||
    ts.isTypeAliasDeclaration(s) ||
    ts.isModuleDeclaration(s)
  ) {
    if (s.name && ts.isIdentifier(s.name)) names.push(s.name.text);
    else if (hasModifier(ts, s, ts.SyntaxKind.DefaultKeyword)) names.push('default');
  } else if (ts.isExportAssignment(s)) {
    names.push('default');
  } else if (ts.isImportEqualsDeclaration(s)) {
    names.push(s.name.text);
  }
  return names;
}

export function buildModuleIndex(sf: TS.SourceFile): ModuleIndex {
  const ts = typescript();
  const imports: Record<string, ImportBinding> = {};
  const sideEffectImports: string[] = [];
  const exportsMap: Record<string, ExportTarget> = {};
  const starExports: string[] = [];

  // Pass 1: every top-level name, so that pass 2 knows what a reference is.
  const topLevel = new Set<string>();
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier)) {
      const specifier = s.moduleSpecifier.text;
      const clause = s.importClause;
      if (!clause) {
        sideEffectImports.push(specifier);
        continue;
      }
      const clauseTypeOnly = clause.isTypeOnly;
      if (clause.name) {
        imports[clause.name.text] = { specifier, imported: 'default', typeOnly: clauseTypeOnly };
      }
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) {
        imports[nb.name.text] = { specifier, imported: '*', typeOnly: clauseTypeOnly };
      } else if (nb) {
        for (const el of nb.elements) {
          imports[el.name.text] = {
            specifier,
            imported: (el.propertyName ?? el.name).text,
            typeOnly: clauseTypeOnly || el.isTypeOnly,
          };
        }
      }
      continue;
    }
    for (const n of declaredNames(ts, s)) topLevel.add(n);
  }
  for (const name of Object.keys(imports)) topLevel.add(name);

  // Pass 2: units, exports.
  const decls: Record<string, CodeUnit> = {};
  const always: CodeUnit[] = [];
  const unitOf = (node: TS.Node): CodeUnit => codeUnitOf(node, sf, topLevel);

  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) continue;
    if (ts.isExportDeclaration(s)) {
      const spec = s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
      if (s.isTypeOnly) continue;
      if (!s.exportClause) {
        if (spec) starExports.push(spec);
      } else if (ts.isNamespaceExport(s.exportClause)) {
        if (spec) exportsMap[s.exportClause.name.text] = { kind: 'reexport', specifier: spec, imported: '*' };
      } else {
        for (const el of s.exportClause.elements) {
          if (el.isTypeOnly) continue;
          const exported = el.name.text;
          const original = (el.propertyName ?? el.name).text;
          exportsMap[exported] = spec
            ? { kind: 'reexport', specifier: spec, imported: original }
            : { kind: 'local', local: original };
        }
      }
      continue;
    }
    const names = declaredNames(ts, s);
    if (names.length === 0) {
      // Runs at load time: part of every closure that reaches this module.
      if (!ts.isEmptyStatement(s)) always.push(unitOf(s));
      continue;
    }
    if (isTypeOnlyStatement(ts, s)) {
      // Types never run, but a step may name them; give them a unit so a
      // reference resolves, without making them part of runtime behaviour.
      const unit = unitOf(s);
      for (const n of names) decls[n] = unit;
      continue;
    }
    const unit = unitOf(s);
    for (const n of names) decls[n] = unit;
    if (ts.isExportAssignment(s)) {
      exportsMap['default'] = { kind: 'local', local: 'default' };
    } else if (hasModifier(ts, s, ts.SyntaxKind.ExportKeyword)) {
      if (hasModifier(ts, s, ts.SyntaxKind.DefaultKeyword)) {
        exportsMap['default'] = { kind: 'local', local: names[0] ?? 'default' };
      } else {
        for (const n of names) exportsMap[n] = { kind: 'local', local: n };
      }
    }
  }

  return { decls, always, sideEffectImports, imports, exports: exportsMap, starExports, whole: tokenDigest(sf, sf) };
}
