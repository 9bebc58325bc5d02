/**
 * Canonical, type-tagged encoding of values that take part in a cache key.
 *
 * The peers' key bugs come from encodings that lose information: Scalable
 * sorts the list of argument hashes (so sub(1, 2) == sub(2, 1)) and does not
 * tag types (so 1 == "1"); flowyml hashes a printed form that truncates large
 * arrays. This encoding:
 * - tags every value with its type: 1, "1", 1n and true all differ;
 * - keeps names bound to values: objects are encoded as (key, value) pairs,
 *   sorted at every depth for our own records (Nx's hashObject only sorts the
 *   top level), in the order `Object.keys` gives for values a step receives
 *   (`orderedEncode`): `Object.keys(cfg)` sees that order, so it is part of
 *   the value (docs/hashing.md, "The order rule");
 * - keeps array order and length;
 * - frames every string and number with its length, so no two values share
 *   an encoding;
 * - distinguishes -0 from 0 and encodes NaN, Infinity, undefined and bigint.
 *
 * It accepts plain data only; anything else is a programming error of ours
 * (user values are checked before they reach a key).
 */
import { hashBytes } from '../util/xxhash';

export type CanonicalValue = null | undefined | boolean | number | bigint | string | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue };

/** Our own records: object keys sorted, so the order they were built in never matters. */
export function canonicalEncode(value: CanonicalValue): string {
  const out: string[] = [];
  encode(value, out, true);
  return out.join('');
}

export function canonicalDigest(value: CanonicalValue): string {
  return hashBytes(canonicalEncode(value));
}

/**
 * A value as a step receives it (a literal argument, a param, a fan-out item,
 * a factory's arguments): object keys in `Object.keys` order, which the step
 * can see. Tagged differently from `canonicalEncode`, so the two encodings
 * never meet.
 */
export function orderedEncode(value: CanonicalValue): string {
  const out: string[] = ['ordered:'];
  encode(value, out, false);
  return out.join('');
}

export function orderedDigest(value: CanonicalValue): string {
  return hashBytes(orderedEncode(value));
}

function framed(tag: string, text: string, out: string[]): void {
  out.push(tag, String(text.length), ':', text);
}

function encode(value: CanonicalValue, out: string[], sortKeys: boolean): void {
  if (value === null) return void out.push('N');
  switch (typeof value) {
    case 'undefined':
      return void out.push('U');
    case 'boolean':
      return void out.push(value ? 'T' : 'F');
    case 'number':
      return framed('D', Object.is(value, -0) ? '-0' : String(value), out);
    case 'bigint':
      return framed('B', value.toString(10), out);
    case 'string':
      return framed('S', value, out);
    case 'object': {
      if (Array.isArray(value)) {
        out.push('A', String(value.length), '[');
        for (const item of value as readonly CanonicalValue[]) encode(item, out, sortKeys);
        out.push(']');
        return;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`canonicalEncode: not plain data (${Object.prototype.toString.call(value)})`);
      }
      const record = value as { readonly [key: string]: CanonicalValue };
      const keys = sortKeys ? Object.keys(record).sort(compareCodePoints) : Object.keys(record);
      out.push('O', String(keys.length), '{');
      for (const key of keys) {
        framed('K', key, out);
        encode(record[key], out, sortKeys);
      }
      out.push('}');
      return;
    }
    default:
      throw new TypeError(`canonicalEncode: cannot encode ${typeof value}`);
  }
}

/** Code-point order, independent of locale (localeCompare is not). */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
