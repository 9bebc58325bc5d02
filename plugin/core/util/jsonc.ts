/**
 * Parses JSON with comments and trailing commas (tsconfig files, nx.json),
 * without loading TypeScript, through jsonc-parser (Microsoft's, the one
 * VS Code and Nx read these files with): a real scanner, so a `,]` or a
 * `//` inside a string stays what it is.
 *
 * Accepted as tsc accepts them: `//` and block comments anywhere between
 * tokens, a trailing comma in an object or an array, a leading byte order
 * mark. Anything else that is not JSON throws a SyntaxError naming the first
 * problem and its line:column (an empty text too, as JSON.parse does; tsc
 * reads an empty tsconfig as `{}`, but nx.json must not be empty).
 */
import type { ParseError } from 'jsonc-parser';
import { parse, printParseErrorCode } from 'jsonc-parser';

const OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false } as const;

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before[before.length - 1] ?? '').length + 1}`;
}

export function parseJsonc(text: string): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const errors: ParseError[] = [];
  const value: unknown = parse(source, errors, OPTIONS);
  const first = errors[0];
  if (first) throw new SyntaxError(`${printParseErrorCode(first.error)} at ${lineColumn(source, first.offset)}`);
  return value;
}
