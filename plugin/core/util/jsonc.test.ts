import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseJsonc } from './jsonc';

/** What tsc makes of a tsconfig text: its value, or the message of its first error. */
function tscReads(text: string): { config: unknown } | { error: string } {
  const r = ts.parseConfigFileTextToJson('tsconfig.json', text);
  return r.error ? { error: ts.flattenDiagnosticMessageText(r.error.messageText, ' ') } : { config: r.config as unknown };
}

const TSCONFIG = `\ufeff// A tsconfig as editors write them.
{
  /* the compiler's options */
  "compilerOptions": {
    "baseUrl": ".", // trailing comments
    "paths": {
      "@lib/*": ["libs/*", "vendor/x,]/*",], // a trailing comma in an array
      "@odd/*": ["a,}/*", "// not a comment", "/* nor this */"],
    },
  },
  "include": ["src/**/*.ts",],
}
`;

describe('parseJsonc', () => {
  it('keeps `,]`, `,}`, `//` and `/*` inside strings as they are (the hand-written parser made "x,]" into "x]")', () => {
    expect(parseJsonc('{"a": "x,]", "b": "y,}", "c": ["//", "/*", "*/"]}')).toEqual({ a: 'x,]', b: 'y,}', c: ['//', '/*', '*/'] });
    expect(parseJsonc('["a\\",]", 1,]')).toEqual(['a",]', 1]);
  });

  it('reads comments, trailing commas and a byte order mark as tsc does', () => {
    const expected = {
      compilerOptions: { baseUrl: '.', paths: { '@lib/*': ['libs/*', 'vendor/x,]/*'], '@odd/*': ['a,}/*', '// not a comment', '/* nor this */'] } },
      include: ['src/**/*.ts'],
    };
    expect(parseJsonc(TSCONFIG)).toEqual(expected);
    expect(tscReads(TSCONFIG)).toEqual({ config: expected });
  });

  it.each([
    ['{"a": 1,}', { a: 1 }],
    ['{"a": [1, 2,],}', { a: [1, 2] }],
    ['// first\n{"a": 1}\n// last', { a: 1 }],
    ['/* a */{/* b */"a"/* c */:/* d */1/* e */}/* f */', { a: 1 }],
    ['{"a": 1, "a": 2}', { a: 2 }],
    ['{"a": "\\u00e9\\n"}', { a: 'é\n' }],
  ])('accepts %j as tsc does', (text, value) => {
    expect(parseJsonc(text)).toEqual(value);
    expect(tscReads(text)).toEqual({ config: value });
  });

  it.each([
    ['{,}', 'ValueExpected at 1:2'],
    ['{"a": 1,,}', 'PropertyNameExpected at 1:9'],
    ["{'a': 1}", 'InvalidSymbol at 1:2'],
    ['{a: 1}', 'InvalidSymbol at 1:2'],
    ['{"a": 1} x', 'InvalidSymbol at 1:10'],
    ['{"a": 01}', 'CommaExpected at 1:8'],
    ['{\n  "a": NaN\n}', 'InvalidSymbol at 2:8'],
    ['{"a": 1 /* open', 'UnexpectedEndOfComment at 1:9'],
  ])('rejects %j, which tsc rejects too, naming the first problem and where', (text, message) => {
    expect(() => parseJsonc(text)).toThrow(new SyntaxError(message));
    expect(tscReads(text)).toHaveProperty('error');
  });

  it('rejects an empty text, as JSON.parse does (nx.json must not be empty)', () => {
    expect(() => parseJsonc('')).toThrow(SyntaxError);
    expect(() => parseJsonc(' \n')).toThrow(SyntaxError);
  });
});
