import { describe, expect, it } from 'vitest';
import { parseSource } from '../util/typescript';
import { buildModuleIndex, tokenDigest } from './module-index';

const digest = (code: string) => tokenDigest(parseSource('x.ts', code), parseSource('x.ts', code));
function digestOf(code: string): string {
  const sf = parseSource('x.ts', code);
  return tokenDigest(sf, sf);
}

// The first test pays for loading TypeScript, slow on a loaded machine.
describe('code digests ignore formatting, never meaning', { timeout: 30_000 }, () => {
  const same: Array<[string, string, string]> = [
    ['comments', 'const a = f(1);', '// why\nconst a = /* one */ f(1);'],
    ['JSDoc', 'function f() { return 1; }', '/** Returns one. */\nfunction f() { return 1; }'],
    ['whitespace and line breaks', 'const a = f(1, 2);', 'const a = f(\n  1,\n  2\n);'],
    ['statement semicolons', 'const a = 1;\nf(a);', 'const a = 1\nf(a)'],
    ['trailing commas', 'f(1, 2);\nconst o = { a: 1 };\nconst l = [1];', 'f(1, 2,);\nconst o = { a: 1, };\nconst l = [1,];'],
    ['redundant parentheses', 'const a = b * (c + d);\nconst e = x;', 'const a = (b * ((c + d)));\nconst e = (x);'],
    ['quote style', "const a = 'x';", 'const a = "x";'],
  ];
  it.each(same)('%s', (_what, a, b) => {
    expect(digestOf(a)).toBe(digestOf(b));
  });

  const different: Array<[string, string, string]> = [
    ['a changed literal', 'f(1);', 'f(2);'],
    ['a changed name', 'f(a);', 'f(b);'],
    ['operator grouping', 'const a = (b + c) * d;', 'const a = b + c * d;'],
    ['ASI: return on its own line', 'function f() { return x; }', 'function f() { return\nx; }'],
    ['ASI: a call across lines', 'a\n(b)', 'a;\n(b)'],
    ['for header parts', 'for (;a;) {}', 'for (a;;) {}'],
    ['const and let', 'const a = 1;', 'let a = 1;'],
    ['string value', "const a = 'x';", "const a = 'y';"],
    ['whitespace inside a string', "const a = 'a b';", "const a = 'ab';"],
    ['regular expression', 'const r = /a b/;', 'const r = /ab/;'],
    ['template literal', 'const t = `a${b}c`;', 'const t = `a${b} c`;'],
    ['string vs template', "const a = 'x';", 'const a = `x`;'],
  ];
  it.each(different)('%s', (_what, a, b) => {
    expect(digestOf(a)).not.toBe(digestOf(b));
  });

  it('is stable', () => {
    expect(digest('const a = 1;')).toBe(digest('const a = 1;'));
  });
});

describe('buildModuleIndex', () => {
  it('records what each declaration refers to, and exports', () => {
    const sf = parseSource(
      'm.ts',
      `import { a } from './a';\nimport type { T } from './t';\nconst helper = (x: T) => a(x);\nexport function main() { return helper(1); }\nexport { helper as h };\nexport * from './more';\nsetup();\nfunction setup() {}\n`,
    );
    const idx = buildModuleIndex(sf);
    expect(idx.decls['main']?.[0]?.refs).toEqual(['helper']);
    // Types are erased: `T` in an annotation is not a reference.
    expect(idx.decls['helper']?.[0]?.refs).toEqual(['a']);
    expect(idx.imports['T']).toBeUndefined();
    expect(idx.exports).toEqual({ main: { kind: 'local', local: 'main' }, h: { kind: 'local', local: 'helper' } });
    expect(idx.starExports).toEqual(['./more']);
    expect(idx.load.map((l) => (l.kind === 'unit' ? l.unit.refs : l.specifier))).toEqual(['./a', './more', ['setup']]);
  });
});

describe('references respect lexical scope', () => {
  const refsOf = (code: string, top: string[]) => {
    const sf = parseSource('x.ts', `${top.map((t) => `const ${t} = 0;`).join('\n')}\nexport const unit = ${code};`);
    return buildModuleIndex(sf).decls['unit']?.[0]?.refs;
  };
  it.each<[string, string, string[], string[]]>([
    ['a parameter shadows a top-level name', '({ summary }) => summary.total', ['summary'], []],
    ['a plain parameter', '(summary) => summary', ['summary'], []],
    ['a local const', '() => { const helper = 1; return helper; }', ['helper'], []],
    ['a hoisted var', '() => { x(); var helper = 1; return helper; }', ['helper', 'x'], ['x']],
    ['a nested function declaration', '() => { function helper() { return 1; } return helper(); }', ['helper'], []],
    ['a catch variable', '() => { try { return 1; } catch (e) { return e; } }', ['e'], []],
    ['a for-of variable', '(xs) => { for (const x of xs) { use(x); } }', ['x', 'use'], ['use']],
    ['a block-scoped const does not shadow outside its block', '(c) => { if (c) { const helper = 1; void helper; } return helper(); }', ['helper'], ['helper']],
    ['a default value refers outside', '(a = fallback) => a', ['fallback'], ['fallback']],
    ['a default inside a destructured parameter', '({ a = fallback }) => a', ['fallback'], ['fallback']],
    ['a default inside an array parameter', '([a = fallback]) => a', ['fallback'], ['fallback']],
    ['a computed key in a destructured parameter', '({ [fallback]: v }) => v', ['fallback'], ['fallback']],
    ['a computed method name', '() => ({ [K]() { return 1; } })', ['K'], ['K']],
    ['a computed accessor name', '() => ({ get [K]() { return 1; } })', ['K'], ['K']],
    ['a computed class member name', '() => class { [K]() {} }', ['K'], ['K']],
    ['a destructured parameter name still shadows', '({ a = 1, b: [c] }) => a + c', ['a', 'c'], []],
    ['a property name is not a reference', '(o) => o.helper + ({ helper: 1 }).helper', ['helper'], []],
    ['a shorthand property is a reference', '() => ({ helper })', ['helper'], ['helper']],
  ])('%s', (_what, code, top, expected) => {
    expect(refsOf(code, top)).toEqual(expected);
  });
});

describe('types are erased: editing them changes no digest and reaches nothing', () => {
  const same: Array<[string, string, string]> = [
    ['a parameter annotation', 'function f(x: number) { return x; }', 'function f(x: string | undefined) { return x; }'],
    ['a return type', 'const f = (x) => x;', 'const f = (x): Promise<void> => x;'],
    ['a variable annotation', 'let a = 1;', 'let a: number = 1;'],
    ['type arguments', 'const m = new Map();', 'const m = new Map<string, number>();'],
    ['type parameters', 'function f(x) { return x; }', 'function f<T extends object>(x: T) { return x; }'],
    ['as and satisfies', 'const a = b;', 'const a = (b as unknown as C) satisfies D;'],
    ['a non-null assertion', 'const a = b.c;', 'const a = b!.c;'],
    ['an optional parameter mark', 'function f(a) {}', 'function f(a?: number) {}'],
    ['implements', 'class A extends B {}', 'class A extends B implements I, J {}'],
    ['a local interface', 'function f() { return 1; }', 'function f() { interface L { a: number } type M = L; return 1; }'],
    ['overload signatures', 'function f(a) { return a; }', 'function f(a: string): string;\nfunction f(a) { return a; }'],
  ];
  it.each(same)('%s', (_what, a, b) => {
    const units = (code: string) =>
      Object.values(buildModuleIndex(parseSource('x.ts', code)).decls)
        .flat()
        .map((u) => u.digest);
    expect(units(a)).toEqual(units(b));
  });

  it('keeps what runs: parameter properties, enums, class fields', () => {
    expect(digestOf('class A { constructor(x) {} }')).not.toBe(digestOf('class A { constructor(public x) {} }'));
    expect(digestOf('class A { }')).not.toBe(digestOf('class A { x: number; }'));
    expect(digestOf('enum E { A }')).not.toBe(digestOf('enum E { A = 2 }'));
  });

  it('a reference in a type position is no reference', () => {
    const idx = buildModuleIndex(
      parseSource('x.ts', 'interface Opts { n: number }\nconst Value = 1;\nexport function f(o: Opts, v: typeof Value): Opts { return o; }'),
    );
    expect(idx.decls['f']?.[0]?.refs).toEqual([]);
    expect(idx.decls['Opts']).toBeUndefined();
  });
});

describe('what the emitted code keeps', () => {
  it('comments esbuild keeps count; others do not', () => {
    expect(digestOf('function f() { /*! v1 */ return 1; }')).not.toBe(digestOf('function f() { /*! v2 */ return 1; }'));
    expect(digestOf('function f() { /* @license MIT */ return 1; }')).not.toBe(digestOf('function f() { /* @license ISC */ return 1; }'));
    expect(digestOf('function f() { /* v1 */ return 1; }')).toBe(digestOf('function f() { /* v2 */ return 1; }'));
  });
  it('JavaScript that Node runs as written counts as written (fn.toString() shows it)', () => {
    const js = (code: string) => tokenDigest(parseSource('x.js', code), parseSource('x.js', code));
    expect(js('exports.f = function () { /* v1 */ return 1; };')).not.toBe(js('exports.f = function () { /* v2 */ return 1; };'));
  });
  it('a direct eval refers to every top-level name', () => {
    const idx = buildModuleIndex(parseSource('x.ts', "function helper() { return 1; }\nconst other = 2;\nexport function f() { return eval('helper()'); }"));
    expect(idx.decls['f']?.[0]?.refs).toEqual(['f', 'helper', 'other']);
  });
});

describe('literal text', () => {
  it('a template literal keeps its raw text (String.raw sees it)', () => {
    expect(digestOf('const r = String.raw`^d+$`;')).not.toBe(digestOf('const r = String.raw`^\\d+$`;'));
    expect(digestOf('const r = tag`a${x}\\d`;')).not.toBe(digestOf('const r = tag`a${x}d`;'));
  });
  it('a directive keeps its raw text; other strings their value', () => {
    expect(digestOf("'use strict';")).not.toBe(digestOf("'use\\x20strict';"));
    expect(digestOf("'use strict';")).toBe(digestOf('"use strict";'));
    expect(digestOf("f('\\x41');")).toBe(digestOf("f('A');"));
  });
});

describe('declaration merging: every declaration of a name is kept', () => {
  it.each<[string, string]>([
    ['two enums', 'enum E { A = 1 }\nenum E { B = 2 }'],
    ['two namespaces', 'namespace N { export const a = 1; }\nnamespace N { export const b = 2; }'],
    ['a function and a namespace', 'function F() { return 1; }\nnamespace F { export const x = 1; }'],
    ['a class and a namespace', 'class C {}\nnamespace C { export const x = 1; }'],
    ['var declared twice', 'var v = 1;\nvar v = 2;'],
  ])('%s', (_what, code) => {
    const decls = buildModuleIndex(parseSource('x.ts', code)).decls;
    expect(Object.values(decls).map((units) => units.length)).toEqual([2]);
  });
});

describe('what runs when a module loads', () => {
  const loadOf = (code: string) =>
    buildModuleIndex(parseSource('x.ts', `import { step, pipeline, file, range } from 'nx-steps';\nimport { ext } from './ext';\n${code}`)).load.filter(
      (l) => l.kind === 'unit',
    ).length;
  it.each<[string, string, number]>([
    ['a call in a declaration', 'export const init = setScale(10);', 1],
    ['new', 'const m = new Map();', 1],
    ['a property read (may be a getter)', 'const a = ext.value;', 1],
    ['a decorated class', '@register class A {}', 1],
    ['a static block', 'class A { static { register(A); } }', 1],
    ['a static field with a call', 'class A { static x = make(); }', 1],
    ['a computed member name with a call', 'class A { [key()]() {} }', 1],
    ['extends a call', 'class A extends mixin(B) {}', 1],
    ['an enum member computed by a call', 'enum E { A = f() }', 1],
    ['a namespace with a statement', 'namespace N { setup(); }', 1],
    ['a destructuring declaration', 'const { a } = ext;', 1],
    ['a spread', 'const o = { ...ext };', 1],
    ['a template with a substitution', 'const s = `${ext}`;', 1],
    ['a prototype patched', 'Array.prototype.sum = function () { return 0; };', 1],
    ['export default of a call', 'export default make();', 1],
    ['a function', 'function f() { return setScale(1); }', 0],
    ['an arrow', 'const f = () => setScale(1);', 0],
    ['literals', "const a = 1, b = 'x', c = [1, { d: true }], r = /x/, n = -1, s = 2 ** 8, t = `a${1}`;", 0],
    ['a class without load-time code', 'class Base {}\nclass A extends Base { x = make(); static y = 1; m() {} }', 0],
    ['a class extending a global (may be a getter)', 'class A extends Object {}', 1],
    ['an enum of constants', 'enum E { A = 1, B = A << 1, C = E.A | 4, D }', 0],
    ['a namespace of declarations', 'namespace N { export const a = 1; export function f() {} }', 0],
    ['an import read', 'const e = ext;', 0],
    ['a function read before its declaration', 'const g = f;\nfunction f() {}', 0],
    ['a const read after it is initialised', 'const a = 1;\nconst b = a;', 0],
    ['a const read before it is initialised (throws)', 'const b = a;\nconst a = 1;', 1],
    ['nx-steps declarations', "export default pipeline({ name: 'p' });\nexport const s = step({ args: { f: file('x') } }, () => 1);", 0],
    ['a using declaration (disposed when the module finishes)', 'using r = ext;', 1],
    ['a fan-out over a range', 'export const s = step({ each: { n: range(1, 4) } }, ({ n }) => n);', 0],
    [
      'a shared pipeline param',
      "const ml = pipeline({ name: 'ml', params: { lr: 0.1 } });\nexport const s = step({ params: { lr: ml.params.lr } }, ({ lr }) => lr);",
      0,
    ],
    [
      'a param of a pipeline with a getter',
      'const ml = pipeline({ params: { get lr() { return ext(); } } });\nexport const s = step({ params: { lr: ml.params.lr } }, ({ lr }) => lr);',
      1,
    ],
    [
      'a param of a pipeline built from a spread',
      'const ml = pipeline({ params: { ...ext } });\nexport const s = step({ params: { lr: ml.params.lr } }, ({ lr }) => lr);',
      2,
    ],
    ['a param of something else', 'const ml = { params: ext };\nexport const s = step({ params: { lr: ml.params.lr } }, ({ lr }) => lr);', 1],
    ['types', 'interface I {}\ntype T = I;\ndeclare const d: number;\ndeclare global { interface X {} }', 0],
  ])('%s', (_what, code, n) => {
    expect(loadOf(code)).toBe(n);
  });

  it('keeps the order of effects and imports, and import-equals requires', () => {
    const idx = buildModuleIndex(
      parseSource('x.ts', "import './a';\nsetup();\nimport h = require('./h');\nexport * from './b';\nimport type { T } from './t';"),
    );
    expect(idx.load.map((l) => (l.kind === 'unit' ? 'unit' : l.specifier))).toEqual(['./a', 'unit', './h', './b']);
    expect(idx.imports['h']).toEqual({ specifier: './h', imported: '*', typeOnly: false });
  });
});

describe('modules loaded while code runs', () => {
  const unitOf = (code: string) =>
    buildModuleIndex(parseSource('x.ts', `import { createRequire } from 'node:module';\nexport const unit = ${code};`)).decls['unit']?.[0];
  it.each<[string, string, Record<string, string[]>]>([
    ['require', "() => require('./a')", { dynamicImports: ['./a'] }],
    ['import()', "async () => import('./a')", { dynamicImports: ['./a'] }],
    ['import() with a template literal without substitutions', 'async () => import(`./a`)', { dynamicImports: ['./a'] }],
    ['import() with a template', 'async (n) => import(`./plugins/${n}.js`)', { dynamicPrefixes: ['./plugins/'] }],
    ['require of a concatenation', "(n) => require('./plugins/' + n)", { dynamicPrefixes: ['./plugins/'] }],
    ['a variable', '(n) => require(n)', { opaque: ['2:28 require(n)'] }],
    ['require.resolve', "() => require.resolve('./a')", { dynamicImports: ['./a'] }],
    ['import.meta.resolve', "() => import.meta.resolve('./a')", { dynamicImports: ['./a'] }],
    ['createRequire(__filename)', "() => createRequire(__filename)('./a')", { dynamicImports: ['./a'] }],
    ['createRequire from elsewhere', "() => createRequire('/x/y.js')('./a')", { opaque: ["2:27 createRequire('/x/y.js')('./a')"] }],
    ['new Worker with a path', "() => new Worker('./w.js')", { cwdModules: ['./w.js'] }],
    ['new Worker with a URL', "() => new Worker(new URL('./w.js', import.meta.url))", { dynamicImports: ['./w.js'] }],
    ['new Worker with a path from this folder', "() => new Worker(path.join(__dirname, 'w.js'))", { dynamicImports: ['./w.js'] }],
    ['require of a path joined to __dirname', "() => require(path.join(__dirname, 'lib', 'a'))", { dynamicImports: ['./lib/a'] }],
    ['require of a path joined to __dirname and a variable', "(n) => require(path.resolve(__dirname, 'plugins', n))", { dynamicPrefixes: ['./plugins/'] }],
  ])('%s', (_what, code, expected) => {
    const u = unitOf(code);
    expect({
      dynamicImports: u?.dynamicImports.length ? u.dynamicImports : undefined,
      dynamicPrefixes: u?.dynamicPrefixes,
      cwdModules: u?.cwdModules,
      opaque: u?.opaque,
    }).toEqual({
      dynamicImports: undefined,
      dynamicPrefixes: undefined,
      cwdModules: undefined,
      opaque: undefined,
      ...expected,
    });
  });

  it('follows a createRequire alias', () => {
    const idx = buildModuleIndex(
      parseSource(
        'x.ts',
        "import { createRequire } from 'node:module';\nconst req = createRequire(import.meta.url);\nexport function f() { return req('./a'); }",
      ),
    );
    expect(idx.decls['f']?.[0]?.dynamicImports).toEqual(['./a']);
  });
});
