/**
 * The digest of a piece of code: its syntax tree serialised without what
 * cannot change what runs (see feedTokens).
 */
import { createHasher } from '../util/xxhash';
import type { TS } from '../util/typescript';
import { typescript } from '../util/typescript';
import { erasedWrapperOperand, isErasedChild } from './erasure';

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
  // JavaScript that Node runs as written: a function's text, comments and
  // layout included, is what `fn.toString()` returns. Only what tsx emits
  // through esbuild (which drops them) may ignore them.
  if (RUN_AS_WRITTEN.test(sf.fileName))
    return createHasher()
      .update(`raw:${node.getText(sf)}`)
      .digest();
  const frames: string[] = [];
  feedTokens(node, sf, (text) => frames.push(`${text.length}:${text}`));
  return createHasher().update(frames.join('')).digest();
}

const RUN_AS_WRITTEN = /\.[cm]?js$/;

/** Comments esbuild keeps (`/*!`, `//!`, `@license`, `@preserve`): they are in the emitted code. */
const LEGAL_COMMENT = /^(\/\*!|\/\/!)|@license|@preserve/;

function legalComments(ts: typeof TS, n: TS.Node, sf: TS.SourceFile): string[] {
  const ranges = [...(ts.getLeadingCommentRanges(sf.text, n.pos) ?? []), ...(ts.getTrailingCommentRanges(sf.text, n.end) ?? [])];
  return ranges.map((r) => sf.text.slice(r.pos, r.end)).filter((c) => LEGAL_COMMENT.test(c));
}

/** A list of type arguments or parameters, as getChildren() groups it. */
function isTypeList(parent: TS.Node, child: TS.Node, ts: typeof TS): boolean {
  if (child.kind !== ts.SyntaxKind.SyntaxList) return false;
  const p = parent as { typeArguments?: TS.NodeArray<TS.Node>; typeParameters?: TS.NodeArray<TS.Node> };
  return [p.typeArguments, p.typeParameters].some((l) => !!l && l.pos === child.pos && l.end === child.end);
}

/** Indexes of `children` that are erased, with the punctuation that belongs to them (`:`, `<`, `>`). */
function erasedIndexes(ts: typeof TS, parent: TS.Node, children: readonly TS.Node[]): Set<number> {
  const out = new Set<number>();
  children.forEach((child, i) => {
    if (isTypeList(parent, child, ts)) {
      out.add(i);
      if (children[i - 1]?.kind === ts.SyntaxKind.LessThanToken) out.add(i - 1);
      if (children[i + 1]?.kind === ts.SyntaxKind.GreaterThanToken) out.add(i + 1);
    } else if (child.kind !== ts.SyntaxKind.SyntaxList && isErasedChild(ts, parent, child)) {
      out.add(i);
      if ((parent as { type?: TS.Node }).type === child && children[i - 1]?.kind === ts.SyntaxKind.ColonToken) out.add(i - 1);
    }
  });
  return out;
}

/**
 * Serialises a node's syntax tree for hashing: each node as its kind around
 * its children, each token as its text. Because the structure is explicit,
 * what formatters change can be left out without two different programs
 * ever serialising alike:
 * - comments, JSDoc, whitespace and line breaks (never in the tree), but
 *   not the comments esbuild keeps (starting with `/*!` or `//!`, or
 *   holding `@license` or `@preserve`);
 * - semicolons ending statements, and trailing commas in lists;
 * - redundant parentheses (the tree already says how operands group), the
 *   parentheses around an arrow function's parameters among them;
 * - TypeScript-only modifiers (`public`, `private`, `protected`,
 *   `readonly`, `override`): erased on class members; on a constructor
 *   parameter any of them makes a parameter property, so they count as one
 *   mark there;
 * - the quote style of strings (their value is used), except in directive
 *   position (`'use strict'` is a directive only when written without escapes);
 * - everything TypeScript's emit erases (erasure.ts): types never run.
 * Template literals keep their raw text: a tag (`String.raw`) sees it.
 * JavaScript files (.js, .cjs, .mjs) are digested as written (see tokenDigest).
 * So Prettier reformatting a step leaves its digest alone, while any edit
 * that changes what the code means changes it: `return\nx` and `return x`
 * are different trees, and so are `a\n(b)` and `a;\n(b)`.
 */
export function feedTokens(node: TS.Node, sf: TS.SourceFile, emit: (text: string) => void): void {
  const ts = typescript();
  const text = node.getFullText(sf);
  const mayHaveLegalComments = text.includes('/*!') || text.includes('//!') || text.includes('@license') || text.includes('@preserve');
  const visit = (n: TS.Node): void => {
    if (mayHaveLegalComments && n.getChildCount(sf) === 0) for (const c of legalComments(ts, n, sf)) emit(`comment:${c}`);
    if (n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode) return;
    if (ts.isParenthesizedExpression(n) || ts.isParenthesizedTypeNode(n)) {
      visit(ts.isParenthesizedExpression(n) ? n.expression : n.type);
      return;
    }
    const operand = erasedWrapperOperand(ts, n);
    if (operand) {
      visit(operand);
      return;
    }
    const children = n.getChildren(sf);
    if (children.length === 0) {
      const modifier = typeScriptModifier(ts, n);
      if (modifier !== undefined) {
        if (modifier) emit('parameter-property');
        return;
      }
      emitLeaf(ts, n, sf, emit);
      return;
    }
    const erased = erasedIndexes(ts, n, children);
    const last = children.length - 1;
    const kept = children.filter((child, i) => {
      if (erased.has(i)) return false;
      // A trailing comma: the last token of a list; the parentheses around an arrow's parameters.
      if (n.kind === ts.SyntaxKind.SyntaxList && i === last && child.kind === ts.SyntaxKind.CommaToken) return false;
      if (ts.isArrowFunction(n) && (child.kind === ts.SyntaxKind.OpenParenToken || child.kind === ts.SyntaxKind.CloseParenToken)) return false;
      return !(n.kind === ts.SyntaxKind.SyntaxList && typeScriptModifier(ts, child) === false);
    });
    // A list left with nothing once types are erased (`implements I`, `private`) is no list at all.
    if (n.kind === ts.SyntaxKind.SyntaxList && kept.length === 0 && children.length > 0) return;
    emit(`<${n.kind}`);
    kept.forEach(visit);
    emit('>');
  };
  visit(node);
}

/**
 * For a TypeScript-only modifier token: true for the first of a parameter's
 * (it makes a parameter property: one mark), false otherwise (erased);
 * undefined for any other token.
 */
function typeScriptModifier(ts: typeof TS, n: TS.Node): boolean | undefined {
  const k = n.kind;
  const tsOnly =
    k === ts.SyntaxKind.PublicKeyword ||
    k === ts.SyntaxKind.PrivateKeyword ||
    k === ts.SyntaxKind.ProtectedKeyword ||
    k === ts.SyntaxKind.ReadonlyKeyword ||
    k === ts.SyntaxKind.OverrideKeyword;
  const owner = n.parent;
  if (!tsOnly || !owner || !ts.canHaveModifiers(owner) || !ts.getModifiers(owner)?.some((m) => m === n)) return undefined;
  if (!ts.isParameter(owner)) return false;
  const first = ts
    .getModifiers(owner)
    ?.find((m) =>
      [
        ts.SyntaxKind.PublicKeyword,
        ts.SyntaxKind.PrivateKeyword,
        ts.SyntaxKind.ProtectedKeyword,
        ts.SyntaxKind.ReadonlyKeyword,
        ts.SyntaxKind.OverrideKeyword,
      ].includes(m.kind),
    );
  return first === n;
}

function emitLeaf(ts: typeof TS, n: TS.Node, sf: TS.SourceFile, emit: (text: string) => void): void {
  if (n.kind === ts.SyntaxKind.EndOfFileToken) return;
  if (n.kind === ts.SyntaxKind.SemicolonToken && !(n.parent && ts.isForStatement(n.parent))) return;
  if (ts.isStringLiteral(n)) {
    // A directive is recognised by its raw text; elsewhere only the value counts.
    const directive = !!n.parent && ts.isExpressionStatement(n.parent);
    emit(directive ? `directive:${n.getText(sf).slice(1, -1)}` : `${ts.SyntaxKind[n.kind]}:${n.text}`);
    return;
  }
  const text = n.getText(sf);
  if (text.length > 0) emit(text);
}
