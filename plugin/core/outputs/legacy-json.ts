/**
 * Reads results stored before nx-steps 0.2's MessagePack format (output
 * schema 1): `value.json`, JSON with tagged objects for what JSON cannot say
 * (undefined, NaN, ±Infinity, -0, BigInt, Date, Map, Set, RegExp, Buffer,
 * ArrayBuffer, typed arrays, paths inside ctx.outDir). Entries of that
 * format may still come out of an Nx cache; they read exactly as before.
 * Nothing writes this format any more. Reading runs no code.
 */
import { CorruptValue } from './wire';
import { TYPED_ARRAYS } from './binary-types';

const TAG = '$nxs';

export interface LegacyOptions {
  /** Absolute folder that stored paths are rebuilt against. */
  readonly outDir?: string;
}

/**
 * Sets an own property, even one named `__proto__` (plain assignment would
 * call the prototype setter instead, losing the key and changing the object).
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function decodeLegacyValue(text: string, options: LegacyOptions = {}): unknown {
  const outDir = options.outDir?.replace(/[\\/]+$/, '');
  const dec = (e: unknown): unknown => {
    if (e === null || typeof e !== 'object') return e;
    if (Array.isArray(e)) return e.map(dec);
    const o = e as Record<string, unknown>;
    if (!(TAG in o)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) setOwn(out, k, dec(v));
      return out;
    }
    const tag = o[TAG];
    const v = o['v'];
    switch (tag) {
      case 'undefined':
        return undefined;
      case 'number':
        return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === '-0' ? -0 : fail(tag);
      case 'bigint':
        return typeof v === 'string' ? BigInt(v) : fail(tag);
      case 'outPath':
        // A stored value must not point outside its step's output folder.
        if (typeof v !== 'string' || v.startsWith('/') || v.includes('\\') || v.split('/').includes('..')) return fail(tag);
        if (!outDir) return v;
        return v === '' ? outDir : `${outDir}/${v}`;
      case 'Date':
        return v === null ? new Date(NaN) : typeof v === 'string' ? new Date(v) : fail(tag);
      case 'RegExp':
        return typeof v === 'string' && typeof o['flags'] === 'string' ? new RegExp(v, o['flags']) : fail(tag);
      case 'Map':
        return Array.isArray(v)
          ? new Map(v.map((pair) => (Array.isArray(pair) && pair.length === 2 ? [dec(pair[0]), dec(pair[1])] : fail(tag))) as Array<[unknown, unknown]>)
          : fail(tag);
      case 'Set':
        return Array.isArray(v) ? new Set(v.map(dec)) : fail(tag);
      case 'Buffer':
        return typeof v === 'string' ? Buffer.from(v, 'base64') : fail(tag);
      case 'ArrayBuffer': {
        if (typeof v !== 'string') return fail(tag);
        const b = Buffer.from(v, 'base64');
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      }
      case 'object':
        return v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dec(x)])) : fail(tag);
      default: {
        const Ctor = typeof tag === 'string' ? TYPED_ARRAYS[tag] : undefined;
        if (!Ctor || typeof v !== 'string') return fail(tag);
        const b = Buffer.from(v, 'base64');
        const copy = new ArrayBuffer(b.byteLength);
        new Uint8Array(copy).set(b);
        return new Ctor(copy);
      }
    }
  };
  return dec(JSON.parse(text));
}

function fail(tag: unknown): never {
  throw new CorruptValue(`stored value has a malformed ${String(tag)} entry`);
}
