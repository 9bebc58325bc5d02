import { describe, expect, it } from 'vitest';
import { parseSource } from '../util/typescript';
import { buildModuleIndex, tokenDigest } from './module-index';

const digest = (code: string) => tokenDigest(parseSource('x.ts', code), parseSource('x.ts', code));
function digestOf(code: string): string {
  const sf = parseSource('x.ts', code);
  return tokenDigest(sf, sf);
}

describe('code digests ignore formatting, never meaning', () => {
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
    expect(idx.decls['main']?.refs).toEqual(['helper']);
    expect(idx.decls['helper']?.refs).toEqual(['T', 'a']);
    expect(idx.imports['T']).toMatchObject({ typeOnly: true });
    expect(idx.exports).toEqual({ main: { kind: 'local', local: 'main' }, h: { kind: 'local', local: 'helper' } });
    expect(idx.starExports).toEqual(['./more']);
    expect(idx.always.map((u) => u.refs)).toEqual([['setup']]);
  });
});

describe('references respect lexical scope', () => {
  const refsOf = (code: string, top: string[]) => {
    const sf = parseSource('x.ts', `${top.map((t) => `const ${t} = 0;`).join('\n')}\nexport const unit = ${code};`);
    return buildModuleIndex(sf).decls['unit']?.refs;
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
