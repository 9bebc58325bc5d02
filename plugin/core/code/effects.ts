/**
 * Which top-level statements can do something when their module loads.
 *
 * A declaration that provably only creates a fresh value (a function, a
 * literal, a class without decorators, static blocks or static initialisers
 * that could run code) takes part in a step's code only when the step
 * reaches it. Anything else may change what other code sees (a call, `new`,
 * a property read that may hit a getter, a decorator registering a class, a
 * `static {}` block, an enum member computed by a call) and so belongs to
 * every step that loads the module, reached or not. The test errs towards
 * "may have effects": that only adds code to keys.
 */
import type { TS } from '../util/typescript';
import { erasedWrapperOperand, isErasedDeclaration } from './erasure';

/** What the classifier needs to know about the module. */
export interface EffectScope {
  /** Local names of nx-steps API functions (`step`, `pipeline`, `file`, `dir`, `range`), and of namespace imports of nx-steps. */
  readonly api: ReadonlySet<string>;
  /** Local name → the API function it imports (`import { pipeline as p }`). */
  readonly apiNames?: ReadonlyMap<string, string>;
  readonly apiNamespaces: ReadonlySet<string>;
  /** Import bindings and function declarations: reading them cannot throw or run code. */
  readonly safeNames: ReadonlySet<string>;
  /** Names declared by statements already evaluated (before the current one). */
  readonly initialised: ReadonlySet<string>;
  /** Top-level consts made by `pipeline({...})` of plain data: `ml.params.lr` reads plain data. */
  readonly pipelines?: ReadonlySet<string>;
  /**
   * Step factories: top-level functions whose body only returns `step(...)`
   * of inert arguments (`factoryNames`). Calling one with inert arguments
   * only builds a step, like `step(...)` itself: `export const b = mk(2)` is
   * no effect, so a sibling's factory argument is not every step's code.
   */
  readonly factories?: ReadonlySet<string>;
}

/** The nx-steps API functions: calls of them only build descriptors (plugin/api). */
export const API_FUNCTIONS: ReadonlySet<string> = new Set(['step', 'pipeline', 'file', 'dir', 'range', 'secret']);

const SAFE_GLOBALS: ReadonlySet<string> = new Set(['undefined', 'NaN', 'Infinity']);

export function mayHaveEffects(ts: typeof TS, s: TS.Statement, scope: EffectScope): boolean {
  if (isErasedDeclaration(ts, s)) return false;
  if (ts.isFunctionDeclaration(s)) return false;
  if (ts.isClassDeclaration(s)) return !classIsInert(ts, s, scope);
  if (ts.isVariableStatement(s)) {
    // `using` disposes of its value when the module finishes: that runs code.
    if (s.declarationList.flags & ts.NodeFlags.Using) return true;
    return s.declarationList.declarations.some((d) => !ts.isIdentifier(d.name) || (d.initializer !== undefined && !isInert(ts, d.initializer, scope)));
  }
  if (ts.isEnumDeclaration(s)) {
    const members = new Set(s.members.map((m) => (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : '')));
    return s.members.some((m) => m.initializer !== undefined && !isEnumConstant(ts, m.initializer, s.name.text, members));
  }
  if (ts.isModuleDeclaration(s)) return namespaceMayHaveEffects(ts, s, scope);
  // `import x = require('./a')` is a load (module-index.ts lists it as one); `import x = N.y` is an alias.
  if (ts.isImportEqualsDeclaration(s)) return false;
  if (ts.isExportAssignment(s)) return !isInert(ts, s.expression, scope);
  if (ts.isEmptyStatement(s)) return false;
  return true;
}

function namespaceMayHaveEffects(ts: typeof TS, m: TS.ModuleDeclaration, scope: EffectScope): boolean {
  const body = m.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return namespaceMayHaveEffects(ts, body, scope);
  if (!ts.isModuleBlock(body)) return false;
  // Names inside the namespace are not the module's: be strict about reads.
  const inner: EffectScope = { ...scope, initialised: new Set() };
  return body.statements.some((st) => mayHaveEffects(ts, st, inner));
}

function hasDecorators(ts: typeof TS, n: TS.Node): boolean {
  return ts.canHaveDecorators(n) && (ts.getDecorators(n)?.length ?? 0) > 0;
}

function classIsInert(ts: typeof TS, c: TS.ClassLikeDeclaration, scope: EffectScope): boolean {
  if (hasDecorators(ts, c)) return false;
  for (const h of c.heritageClauses ?? []) {
    if (h.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    if (!h.types.every((t) => isInert(ts, t.expression, scope))) return false;
  }
  for (const m of c.members) {
    if (ts.isClassStaticBlockDeclaration(m)) return false;
    if (hasDecorators(ts, m)) return false;
    if (ts.isConstructorDeclaration(m) && m.parameters.some((p) => hasDecorators(ts, p))) return false;
    if ((ts.isMethodDeclaration(m) || ts.isAccessor(m)) && m.parameters.some((p) => hasDecorators(ts, p))) return false;
    if (m.name && ts.isComputedPropertyName(m.name) && !isInert(ts, m.name.expression, scope)) return false;
    const isStatic = ts.getModifiers(m as TS.HasModifiers)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) ?? false;
    if (isStatic && ts.isPropertyDeclaration(m) && m.initializer && !isInert(ts, m.initializer, scope)) return false;
  }
  return true;
}

function isApiCall(ts: typeof TS, call: TS.CallExpression, scope: EffectScope): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return scope.api.has(callee.text);
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    scope.apiNamespaces.has(callee.expression.text) &&
    API_FUNCTIONS.has(callee.name.text)
  );
}

/**
 * True when evaluating `e` creates values and nothing else: it calls no code
 * (no call, `new`, getter, coercion through valueOf/toString, tag) and cannot
 * throw.
 */
export function isInert(ts: typeof TS, e: TS.Expression, scope: EffectScope): boolean {
  const operand = erasedWrapperOperand(ts, e);
  if (operand) return isInert(ts, operand, scope);
  if (ts.isParenthesizedExpression(e)) return isInert(ts, e.expression, scope);
  if (isPrimitiveLiteral(ts, e) || ts.isRegularExpressionLiteral(e)) return true;
  if (ts.isTemplateExpression(e)) return isPrimitive(ts, e);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return true;
  if (ts.isClassExpression(e)) return classIsInert(ts, e, scope);
  if (ts.isIdentifier(e)) return SAFE_GLOBALS.has(e.text) || scope.safeNames.has(e.text) || scope.initialised.has(e.text);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => ts.isOmittedExpression(x) || (!ts.isSpreadElement(x) && isInert(ts, x, scope)));
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => propertyIsInert(ts, p, scope));
  if (ts.isPrefixUnaryExpression(e)) {
    // `!x` only converts to a boolean, which never runs code; `-1`, `~1` on literals only.
    if (e.operator === ts.SyntaxKind.ExclamationToken) return isInert(ts, e.operand, scope);
    return isPrimitive(ts, e.operand);
  }
  if (ts.isTypeOfExpression(e)) return ts.isIdentifier(e.expression) ? isInert(ts, e.expression, scope) : false;
  if (ts.isVoidExpression(e)) return isInert(ts, e.expression, scope);
  if (ts.isConditionalExpression(e)) return isInert(ts, e.condition, scope) && isInert(ts, e.whenTrue, scope) && isInert(ts, e.whenFalse, scope);
  if (ts.isBinaryExpression(e)) return binaryIsInert(ts, e, scope);
  if (ts.isCallExpression(e))
    return (isApiCall(ts, e, scope) || isFactoryCall(ts, e, scope)) && e.arguments.every((a) => !ts.isSpreadElement(a) && isInert(ts, a, scope));
  if (ts.isPropertyAccessExpression(e)) return isPipelineParam(ts, e, scope);
  return false;
}

/** A call of a step factory already initialised (a function declaration is hoisted; a const must come first). */
function isFactoryCall(ts: typeof TS, call: TS.CallExpression, scope: EffectScope): boolean {
  const callee = call.expression;
  if (!ts.isIdentifier(callee) || !scope.factories?.has(callee.text)) return false;
  return scope.safeNames.has(callee.text) || scope.initialised.has(callee.text);
}

type FactoryFunction = TS.FunctionDeclaration | TS.ArrowFunction | TS.FunctionExpression;

/** The one `step(...)` call a function returns, when that is all it does. */
function returnedApiCall(ts: typeof TS, fn: FactoryFunction, scope: EffectScope): TS.CallExpression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  let expr: TS.Expression | undefined = ts.isBlock(body) ? undefined : body;
  if (ts.isBlock(body)) {
    const [only] = body.statements;
    if (body.statements.length === 1 && only && ts.isReturnStatement(only)) expr = only.expression;
  }
  const operand = expr && unwrapped(ts, expr);
  return operand && ts.isCallExpression(operand) && isApiCall(ts, operand, scope) ? operand : undefined;
}

function unwrapped(ts: typeof TS, e: TS.Expression): TS.Expression {
  const operand = erasedWrapperOperand(ts, e);
  if (operand) return unwrapped(ts, operand);
  return ts.isParenthesizedExpression(e) ? unwrapped(ts, e.expression) : e;
}

/**
 * Top-level step factories: `function mk(n) { return step(...) }` or
 * `const mk = (n) => step(...)`, whose parameter defaults and step arguments
 * are inert with nothing but its parameters, the module's imports and its
 * function declarations in scope (a call may come before any other
 * top-level value is initialised).
 */
export function factoryNames(ts: typeof TS, sf: TS.SourceFile, scope: EffectScope): Set<string> {
  const out = new Set<string>();
  const check = (name: string, fn: FactoryFunction): void => {
    const params = new Set<string>();
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name) || p.dotDotDotToken) return;
      params.add(p.name.text);
    }
    const inner: EffectScope = {
      ...scope,
      safeNames: new Set([...scope.safeNames, ...params]),
      initialised: new Set(),
      pipelines: new Set(),
      factories: new Set(),
    };
    const call = returnedApiCall(ts, fn, inner);
    if (!call || !fn.parameters.every((p) => !p.initializer || isInert(ts, p.initializer, inner))) return;
    if (call.arguments.every((a) => !ts.isSpreadElement(a) && isInert(ts, a, inner))) out.add(name);
  };
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.name && !s.asteriskToken && !ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword))
      check(s.name.text, s);
    if (!ts.isVariableStatement(s) || !(s.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of s.declarationList.declarations) {
      const init = d.initializer && unwrapped(ts, d.initializer);
      if (
        ts.isIdentifier(d.name) &&
        init &&
        (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) &&
        !init.asteriskToken &&
        !ts.getModifiers(init)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)
      )
        check(d.name.text, init);
    }
  }
  return out;
}

/** `ml.params.lr`, where `ml` is a pipeline of plain data: a read of a data property (pipeline() copies nothing and defines no getter). */
function isPipelineParam(ts: typeof TS, e: TS.PropertyAccessExpression, scope: EffectScope): boolean {
  const params = e.expression;
  return (
    ts.isPropertyAccessExpression(params) &&
    params.name.text === 'params' &&
    ts.isIdentifier(params.expression) &&
    (scope.pipelines?.has(params.expression.text) ?? false)
  );
}

/** The names `s` binds to `pipeline({...})` calls whose arguments are plain data (no getter, spread or computed key). */
export function pipelineConsts(ts: typeof TS, s: TS.Statement, scope: EffectScope): string[] {
  if (!ts.isVariableStatement(s) || !(s.declarationList.flags & ts.NodeFlags.Const)) return [];
  return s.declarationList.declarations.flatMap((d) => {
    const init = d.initializer;
    if (!ts.isIdentifier(d.name) || !init || !ts.isCallExpression(init) || !isApiCall(ts, init, scope)) return [];
    const callee = init.expression;
    const fn = ts.isIdentifier(callee) ? scope.apiNames?.get(callee.text) : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    return fn === 'pipeline' && init.arguments.every((a) => isPlainData(ts, a)) ? [d.name.text] : [];
  });
}

function isPlainData(ts: typeof TS, e: TS.Expression): boolean {
  const operand = erasedWrapperOperand(ts, e);
  if (operand) return isPlainData(ts, operand);
  if (isPrimitiveLiteral(ts, e) || isPrimitive(ts, e)) return true;
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && !ts.isOmittedExpression(x) && isPlainData(ts, x));
  if (ts.isObjectLiteralExpression(e))
    return e.properties.every((p) => ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && isPlainData(ts, p.initializer));
  return false;
}

function binaryIsInert(ts: typeof TS, e: TS.BinaryExpression, scope: EffectScope): boolean {
  const k = e.operatorToken.kind;
  // Logical operators and strict equality never convert their operands with user code.
  const noCoercion = [
    ts.SyntaxKind.AmpersandAmpersandToken,
    ts.SyntaxKind.BarBarToken,
    ts.SyntaxKind.QuestionQuestionToken,
    ts.SyntaxKind.EqualsEqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ];
  if (noCoercion.includes(k)) return isInert(ts, e.left, scope) && isInert(ts, e.right, scope);
  if (k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment) return false;
  if (k === ts.SyntaxKind.CommaToken || k === ts.SyntaxKind.InKeyword || k === ts.SyntaxKind.InstanceOfKeyword) return false;
  // Arithmetic, comparison and concatenation: only on primitives written out.
  return isPrimitive(ts, e.left) && isPrimitive(ts, e.right);
}

function propertyIsInert(ts: typeof TS, p: TS.ObjectLiteralElementLike, scope: EffectScope): boolean {
  if (ts.isSpreadAssignment(p)) return false;
  if (p.name && ts.isComputedPropertyName(p.name) && !isInert(ts, p.name.expression, scope)) return false;
  if (ts.isPropertyAssignment(p)) return isInert(ts, p.initializer, scope);
  if (ts.isShorthandPropertyAssignment(p)) return !p.objectAssignmentInitializer && isInert(ts, p.name, scope);
  return true; // methods and accessors only create functions
}

function isPrimitiveLiteral(ts: typeof TS, e: TS.Node): boolean {
  return (
    ts.isNumericLiteral(e) ||
    ts.isBigIntLiteral(e) ||
    ts.isStringLiteral(e) ||
    ts.isNoSubstitutionTemplateLiteral(e) ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    e.kind === ts.SyntaxKind.NullKeyword
  );
}

/** A primitive value written out: literals and operators over them (never an object, so never a valueOf). */
function isPrimitive(ts: typeof TS, e: TS.Expression): boolean {
  const operand = erasedWrapperOperand(ts, e);
  if (operand) return isPrimitive(ts, operand);
  if (ts.isParenthesizedExpression(e)) return isPrimitive(ts, e.expression);
  if (isPrimitiveLiteral(ts, e)) return true;
  if (ts.isPrefixUnaryExpression(e)) return isPrimitive(ts, e.operand);
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    if (k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment) return false;
    return isPrimitive(ts, e.left) && isPrimitive(ts, e.right);
  }
  if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => isPrimitive(ts, s.expression));
  return false;
}

/** An enum member's value computed from literals and other members only (TypeScript's constant enum expressions). */
function isEnumConstant(ts: typeof TS, e: TS.Expression, enumName: string, members: ReadonlySet<string>): boolean {
  const again = (x: TS.Expression) => isEnumConstant(ts, x, enumName, members);
  if (ts.isParenthesizedExpression(e)) return again(e.expression);
  if (isPrimitiveLiteral(ts, e)) return true;
  if (ts.isIdentifier(e)) return members.has(e.text);
  if (ts.isPropertyAccessExpression(e)) return ts.isIdentifier(e.expression) && e.expression.text === enumName && members.has(e.name.text);
  if (ts.isPrefixUnaryExpression(e)) return again(e.operand);
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    if (k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment) return false;
    return again(e.left) && again(e.right);
  }
  return false;
}
