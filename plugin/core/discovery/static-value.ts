/**
 * Reads a value from the syntax tree without running anything. Accepted:
 * literals (string, number, boolean, null, template without substitutions),
 * arrays and object literals of those, unary minus, `as const` / `satisfies`
 * wrappers, and identifiers naming a top-level `const` with such a value.
 * Anything else is reported with the node that could not be read, so the
 * diagnostic can underline it.
 */
import type { Json } from '../../api/json';
import type { TS } from '../util/typescript';
import { typescript } from '../util/typescript';

export type StaticValue =
  | { readonly ok: true; readonly value: Json }
  | {
      readonly ok: false;
      readonly node: TS.Node;
      readonly reason: string;
      /** Keys/indices down to the failing value. */ readonly path: readonly (string | number)[];
    };

export interface StaticScope {
  /** The initializer of a top-level `const` with this name, if there is one. */
  constInitializer(name: string): TS.Expression | undefined;
  /** A name bound to a known value: a factory's parameter, while the factory's step is read for one call. */
  bound?(name: string): { readonly value: Json } | undefined;
  /** A property read the scope knows statically (a pipeline's shared param: `ml.params.lr`). */
  member?(e: TS.PropertyAccessExpression): StaticValue | undefined;
}

const MAX_INDIRECTION = 16;

/** The scope without a factory's parameters: what a top-level value sees. */
export function unbound(scope: StaticScope): StaticScope {
  return { constInitializer: (name) => scope.constInitializer(name), ...(scope.member ? { member: scope.member } : {}) };
}

export function unwrap(ts: typeof TS, e: TS.Expression): TS.Expression {
  let cur = e;
  for (;;) {
    if (
      ts.isParenthesizedExpression(cur) ||
      ts.isAsExpression(cur) ||
      ts.isSatisfiesExpression(cur) ||
      ts.isNonNullExpression(cur) ||
      ts.isTypeAssertionExpression(cur)
    ) {
      cur = cur.expression;
    } else {
      return cur;
    }
  }
}

/** The text of a property name that is static (identifier, string or number). */
export function staticPropertyName(ts: typeof TS, name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isPrivateIdentifier(name)) return undefined;
  return undefined;
}

export function evaluateStatic(expr: TS.Expression, scope: StaticScope, depth = 0): StaticValue {
  const ts = typescript();
  const e = unwrap(ts, expr);
  const no = (reason: string, node: TS.Node = e): StaticValue => ({ ok: false, node, reason, path: [] });
  if (depth > MAX_INDIRECTION) return no('it refers to itself through constants');
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { ok: true, value: e.text };
  if (ts.isNumericLiteral(e)) return { ok: true, value: Number(e.text) };
  if (e.kind === ts.SyntaxKind.TrueKeyword) return { ok: true, value: true };
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { ok: true, value: false };
  if (e.kind === ts.SyntaxKind.NullKeyword) return { ok: true, value: null };
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
    const inner = evaluateStatic(e.operand, scope, depth + 1);
    if (!inner.ok) return inner;
    if (typeof inner.value !== 'number') return no('a sign applies to numbers only');
    return { ok: true, value: e.operator === ts.SyntaxKind.MinusToken ? -inner.value : inner.value };
  }
  if (ts.isArrayLiteralExpression(e)) return evaluateArray(ts, e, scope, depth);
  if (ts.isObjectLiteralExpression(e)) return evaluateObject(ts, e, scope, depth);
  if (ts.isIdentifier(e)) {
    if (e.text === 'undefined') return no('`undefined` is not a JSON value; leave the key out instead');
    const bound = scope.bound?.(e.text);
    if (bound) return { ok: true, value: bound.value };
    const init = scope.constInitializer(e.text);
    if (!init) return no(`\`${e.text}\` is not a top-level const with a literal value`);
    // A top-level const's value never sees a factory's parameters, whatever their names.
    return evaluateStatic(init, unbound(scope), depth + 1);
  }
  if (ts.isPropertyAccessExpression(e)) {
    const known = scope.member?.(e);
    if (known) return known;
  }
  if (ts.isTemplateExpression(e)) return no('template literals with ${...} are computed at run time');
  if (ts.isCallExpression(e)) return no('function calls run at run time, not when the graph is built');
  return no('this expression is computed at run time');
}

/** A failure inside an array or object names where in it. */
function within(key: string | number, v: StaticValue): StaticValue {
  return v.ok ? v : { ...v, path: [key, ...v.path] };
}

function evaluateArray(ts: typeof TS, e: TS.ArrayLiteralExpression, scope: StaticScope, depth: number): StaticValue {
  const items: Json[] = [];
  for (const [i, el] of e.elements.entries()) {
    if (ts.isSpreadElement(el) || ts.isOmittedExpression(el)) return { ok: false, node: el, reason: 'spreads and holes cannot be read statically', path: [] };
    const v = within(i, evaluateStatic(el, scope, depth + 1));
    if (!v.ok) return v;
    items.push(v.value);
  }
  return { ok: true, value: items };
}

const PROTO_REASON = "`__proto__: x` sets the object's prototype instead of a key (JSON.parse would make it a key): use another name";

function evaluateObject(ts: typeof TS, e: TS.ObjectLiteralExpression, scope: StaticScope, depth: number): StaticValue {
  // Values users receive: a plain object, each key its own (a `toString` key included).
  const out: Record<string, Json> = {};
  for (const p of e.properties) {
    if (ts.isPropertyAssignment(p)) {
      const key = staticPropertyName(ts, p.name);
      if (key === undefined) return { ok: false, node: p.name, reason: 'computed keys cannot be read statically', path: [] };
      if (key === '__proto__') return { ok: false, node: p.name, reason: PROTO_REASON, path: [] };
      const v = within(key, evaluateStatic(p.initializer, scope, depth + 1));
      if (!v.ok) return v;
      out[key] = v.value;
    } else if (ts.isShorthandPropertyAssignment(p)) {
      if (p.name.text === '__proto__') return { ok: false, node: p.name, reason: PROTO_REASON, path: [] };
      const v = within(p.name.text, evaluateStatic(p.name, scope, depth + 1));
      if (!v.ok) return v;
      out[p.name.text] = v.value;
    } else {
      return { ok: false, node: p, reason: 'only `key: value` properties can be read statically', path: [] };
    }
  }
  return { ok: true, value: out };
}

/** `params.lr`, `args.columns[2]`: where inside a value the failing part is. */
export function formatValuePath(base: string, path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `${acc}.${k}` : `${acc}[${JSON.stringify(k)}]`),
    base,
  );
}
