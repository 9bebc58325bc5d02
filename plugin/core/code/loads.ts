/**
 * Which calls load a module while code runs (`require`, `import()`,
 * `createRequire`, workers, and aliases of `require`), and what they load:
 * a literal specifier (type-only wrappers such as `as string` or `!` erase
 * to the literal, so they are unwrapped), the literal prefix of one built at
 * run time, or nothing nx-steps can name ("opaque": the closure walk then
 * takes the loading module's whole folder and says so).
 */
import type { TS } from '../util/typescript';
import { erasedWrapperOperand } from './erasure';

/** Modules a piece of code loads when it runs. */
export interface RuntimeLoads {
  /** Literal specifiers, resolved from the file: `require('x')`, `import('x')`, `require.resolve('x')`, ... */
  readonly dynamicImports: readonly string[];
  /** Relative prefixes of specifiers built at run time: import(`./plugins/${name}`) gives './plugins/'. */
  readonly dynamicPrefixes: readonly string[];
  /** Paths relative to the process's working folder: `new Worker('./w.js')`. */
  readonly cwdModules: readonly string[];
  /** Loads whose target cannot be known statically, as `line:col text`: the walk takes the module's whole folder for them. */
  readonly opaque: readonly string[];
}

export type MutableLoads = { -readonly [K in keyof RuntimeLoads]: string[] };

const requireAliases = new WeakMap<TS.SourceFile, ReadonlySet<string>>();

/** `x`, `(x)`, `x as T`, `x!`, `<T>x`: what remains once types are erased. */
export function unwrapExpression(ts: typeof TS, e: TS.Expression): TS.Expression {
  for (;;) {
    const operand = erasedWrapperOperand(ts, e);
    if (operand) e = operand;
    else if (ts.isParenthesizedExpression(e)) e = e.expression;
    else return e;
  }
}

/** `require` itself, `module.require`, or either bound (`module.require.bind(module)`). */
function isRequireValue(ts: typeof TS, e: TS.Expression): boolean {
  const x = unwrapExpression(ts, e);
  if (ts.isIdentifier(x)) return x.text === 'require';
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind')
    return isRequireValue(ts, x.expression.expression);
  return ts.isPropertyAccessExpression(x) && x.name.text === 'require' && ts.isIdentifier(x.expression) && x.expression.text === 'module';
}

/**
 * Names bound anywhere in the file to a function that loads modules relative
 * to this file: `createRequire(...)`, `require` itself (`const load =
 * require`), `module.require`, or a `require` taken out of an object
 * (`const { require: r } = module`). Calls through them are loads, followed
 * like `require(...)`. Scope is ignored: a name that is sometimes an alias
 * only makes more calls count as loads.
 */
export function requireAliasesOf(ts: typeof TS, sf: TS.SourceFile): ReadonlySet<string> {
  const known = requireAliases.get(sf);
  if (known) return known;
  const names = new Set<string>();
  const walk = (n: TS.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer) {
      if (ts.isIdentifier(n.name) && (isCreateRequireCall(ts, unwrapExpression(ts, n.initializer)) || isRequireValue(ts, n.initializer)))
        names.add(n.name.text);
      if (ts.isObjectBindingPattern(n.name)) {
        for (const el of n.name.elements) {
          const prop = el.propertyName ?? el.name;
          if (ts.isIdentifier(prop) && prop.text === 'require' && ts.isIdentifier(el.name)) names.add(el.name.text);
        }
      }
    }
    ts.forEachChild(n, walk);
  };
  walk(sf);
  requireAliases.set(sf, names);
  return names;
}

export function calleeName(ts: typeof TS, e: TS.Expression): string | undefined {
  const x = unwrapExpression(ts, e);
  if (ts.isIdentifier(x)) return x.text;
  if (ts.isPropertyAccessExpression(x)) return x.name.text;
  return undefined;
}

function isCreateRequireCall(ts: typeof TS, e: TS.Expression): e is TS.CallExpression {
  return ts.isCallExpression(e) && calleeName(ts, e.expression) === 'createRequire';
}

/** `__filename`, `import.meta.url`, `import.meta.filename`: createRequire relative to this file. */
function isThisFile(ts: typeof TS, e: TS.Expression | undefined): boolean {
  if (!e) return false;
  const x = unwrapExpression(ts, e);
  if (ts.isIdentifier(x)) return x.text === '__filename';
  if (ts.isPropertyAccessExpression(x) && ts.isMetaProperty(x.expression)) return x.name.text === 'url' || x.name.text === 'filename';
  if (ts.isCallExpression(x) && calleeName(ts, x.expression) === 'pathToFileURL') return isThisFile(ts, x.arguments[0]);
  return false;
}

export function isImportMeta(ts: typeof TS, e: TS.Node): boolean {
  return ts.isMetaProperty(e) && e.keywordToken === ts.SyntaxKind.ImportKeyword;
}

/**
 * How a call loads a module, if it does: 'file' (resolved from this file),
 * 'cwd' (a worker path), 'opaque' (from somewhere nx-steps cannot tell), or
 * undefined.
 */
export function loadKind(ts: typeof TS, call: TS.CallExpression | TS.NewExpression, aliases: ReadonlySet<string>): 'file' | 'cwd' | 'opaque' | undefined {
  const callee = unwrapExpression(ts, call.expression);
  if (ts.isNewExpression(call)) return calleeName(ts, callee) === 'Worker' ? 'cwd' : undefined;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return 'file';
  if (ts.isIdentifier(callee)) return callee.text === 'require' || aliases.has(callee.text) ? 'file' : undefined;
  if (isCreateRequireCall(ts, callee)) return isThisFile(ts, callee.arguments[0]) ? 'file' : 'opaque';
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    const target = unwrapExpression(ts, callee.expression);
    // require.resolve('x'), module.require('x'), req.resolve('x'), import.meta.resolve('x')
    if (method === 'require') return 'file';
    if (method === 'resolve' && (isImportMeta(ts, target) || (ts.isIdentifier(target) && (target.text === 'require' || aliases.has(target.text)))))
      return 'file';
    // Module._load('x'), require.call(null, 'x'), require.apply(...): loads nx-steps does not follow.
    if (method === '_load' || method === '_resolveFilename') return 'opaque';
    if ((method === 'call' || method === 'apply' || method === 'bind') && ts.isIdentifier(target) && (target.text === 'require' || aliases.has(target.text)))
      return 'opaque';
  }
  return undefined;
}

/** `__dirname` or `import.meta.dirname`: this file's folder. */
function isThisFolder(ts: typeof TS, e: TS.Expression | undefined): boolean {
  if (!e) return false;
  const x = unwrapExpression(ts, e);
  if (ts.isIdentifier(x)) return x.text === '__dirname';
  return ts.isPropertyAccessExpression(x) && ts.isMetaProperty(x.expression) && x.name.text === 'dirname';
}

/** path.join(__dirname, 'a', 'b') / path.resolve(__dirname, ...): the same as './a/b'. */
function folderJoin(ts: typeof TS, e: TS.Expression): { literal?: string; prefix?: string } | undefined {
  if (!ts.isCallExpression(e) || !['join', 'resolve'].includes(calleeName(ts, e.expression) ?? '') || !isThisFolder(ts, e.arguments[0])) return undefined;
  const parts: string[] = [];
  for (const a of e.arguments.slice(1)) {
    const x = unwrapExpression(ts, a);
    if (!ts.isStringLiteralLike(x)) return { prefix: `./${[...parts, ''].join('/')}` };
    parts.push(x.text);
  }
  return { literal: `./${parts.join('/')}` };
}

/** The literal text of a specifier, or the static prefix of one built from a template, a `+` or a join from this folder. */
function specifierOf(ts: typeof TS, expr: TS.Expression): { literal?: string; prefix?: string; fromFolder?: true } {
  // `'./a' as string`, `<string>'./a'`, `'./a'!`, `('./a')`: esbuild erases the wrapper, the literal remains.
  const e = unwrapExpression(ts, expr);
  if (ts.isStringLiteralLike(e)) return { literal: e.text };
  const joined = folderJoin(ts, e);
  if (joined) return { ...joined, fromFolder: true };
  if (ts.isTemplateExpression(e)) return { prefix: e.head.text };
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = specifierOf(ts, e.left);
    return { prefix: left.literal ?? left.prefix ?? '' };
  }
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

/** Where a node is, as `line:col text` (the walk prefixes the file). */
export function describeAt(sf: TS.SourceFile, node: TS.Node, text = node.getText(sf)): string {
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const shown = text.replace(/\s+/g, ' ');
  return `${line + 1}:${character + 1} ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`;
}

export function recordLoad(
  ts: typeof TS,
  sf: TS.SourceFile,
  call: TS.CallExpression | TS.NewExpression,
  kind: 'file' | 'cwd' | 'opaque',
  out: MutableLoads,
): void {
  const first = call.arguments?.[0];
  if (!first || kind === 'opaque' || ts.isSpreadElement(first)) {
    out.opaque.push(describeAt(sf, call));
    return;
  }
  const spec = specifierOf(ts, first);
  // A URL relative to import.meta.url, or a path joined to __dirname, is relative to this file, not to the working folder.
  const urlArg = ts.isNewExpression(unwrapExpression(ts, first)) || spec.fromFolder === true;
  if (spec.literal !== undefined) {
    if (kind === 'cwd' && !urlArg) out.cwdModules.push(spec.literal);
    else out.dynamicImports.push(spec.literal);
  } else if (spec.prefix !== undefined && isRelative(spec.prefix) && (kind === 'file' || urlArg)) {
    out.dynamicPrefixes.push(spec.prefix);
  } else {
    out.opaque.push(describeAt(sf, call));
  }
}
