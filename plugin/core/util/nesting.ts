/**
 * Text nested more deeply than a recursive parser or walker can follow (10,000 parentheses): Node's stack
 * runs out inside TypeScript's parser or our own walks over its tree, as a RangeError. This finds where the
 * text is nested deepest, so the diagnostic points there, not at 1:1. The scan is a plain bracket count:
 * it skips strings, template text and comments, which is all a location needs.
 */

/** Whether an exception is the call stack running out. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** The first offset at which the nesting of brackets is deepest, and that depth. */
export function deepestNesting(text: string): { readonly offset: number; readonly depth: number } {
  let depth = 0;
  let best = { offset: 0, depth: 0 };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const skipped = skipNonCode(text, i);
    if (skipped !== i) {
      i = skipped - 1;
      continue;
    }
    if (OPEN.has(c)) {
      depth += 1;
      if (depth > best.depth) best = { offset: i, depth };
    } else if (CLOSE.has(c)) {
      depth = Math.max(0, depth - 1);
    }
  }
  return best;
}

/** The offset after a string, template or comment starting at `i` (or `i`). */
function skipNonCode(text: string, i: number): number {
  const c = text[i];
  if (c === '/' && text[i + 1] === '/') return endOf(text, '\n', i + 2);
  if (c === '/' && text[i + 1] === '*') return endOf(text, '*/', i + 2);
  if (c === '"' || c === "'" || c === '`') {
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === c) return j + 1;
    }
    return text.length;
  }
  return i;
}

function endOf(text: string, end: string, from: number): number {
  const at = text.indexOf(end, from);
  return at < 0 ? text.length : at + end.length;
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}
