/**
 * How step results are stored: JSON, with tagged objects for what JSON
 * cannot say, so that they round-trip exactly:
 *   undefined, NaN, ±Infinity, -0, BigInt, Date, Map, Set, RegExp,
 *   Buffer, ArrayBuffer and every typed array.
 * Reading a stored result runs no code (JSON.parse and a walk).
 *
 * Paths inside the step's output folder are stored relative to it and
 * rebuilt on read, so a result that says "my model is at <outDir>/model.bin"
 * stays true when the entry is restored in another checkout or machine.
 *
 * What cannot be stored faithfully is refused, naming the path inside the
 * value: functions, symbols, class instances (their prototype would be
 * lost), errors, promises, weak collections, and cycles.
 */
export const TAG = '$nxs';

export class UnstorableValue extends Error {
  constructor(
    /** Where in the value, e.g. `result.models[2].fit`. */
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path} is ${what}, which cannot be stored in the cache`);
  }
}

export interface CodecOptions {
  /** Absolute path of the step's files folder; strings under it are stored relative. */
  readonly outDir?: string;
}

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

const TYPED_ARRAYS: Readonly<Record<string, new (buf: ArrayBuffer) => ArrayBufferView>> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

function describe(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const name = proto?.constructor?.name;
  return name ? `an instance of class ${name}` : 'an object with a custom prototype';
}

function keyPath(base: string, key: string | number): string {
  return typeof key === 'number' ? `${base}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

export function encodeValue(value: unknown, options: CodecOptions = {}): string {
  const outPrefix = options.outDir ? options.outDir.replace(/[\\/]+$/, '') : undefined;
  const stack = new Set<object>();

  const enc = (v: unknown, at: string): Encoded => {
    switch (typeof v) {
      case 'undefined':
        return { [TAG]: 'undefined' };
      case 'boolean':
        return v;
      case 'number':
        if (Number.isNaN(v)) return { [TAG]: 'number', v: 'NaN' };
        if (v === Infinity) return { [TAG]: 'number', v: 'Infinity' };
        if (v === -Infinity) return { [TAG]: 'number', v: '-Infinity' };
        if (Object.is(v, -0)) return { [TAG]: 'number', v: '-0' };
        return v;
      case 'bigint':
        return { [TAG]: 'bigint', v: v.toString(10) };
      case 'string':
        if (outPrefix && (v === outPrefix || v.startsWith(`${outPrefix}/`) || v.startsWith(`${outPrefix}\\`))) {
          return { [TAG]: 'outPath', v: v.slice(outPrefix.length + 1).replace(/\\/g, '/') };
        }
        return v;
      case 'function':
        throw new UnstorableValue(at, 'a function');
      case 'symbol':
        throw new UnstorableValue(at, 'a symbol');
      case 'object':
        break;
    }
    if (v === null) return null;
    const obj = v as object;
    if (stack.has(obj)) throw new UnstorableValue(at, 'a reference back to one of its own containers (a cycle)');
    stack.add(obj);
    try {
      return encObject(obj, at);
    } finally {
      stack.delete(obj);
    }
  };

  const encObject = (obj: object, at: string): Encoded => {
    if (Array.isArray(obj)) {
      const out: Encoded[] = [];
      for (let i = 0; i < obj.length; i++) out.push(enc(i in obj ? obj[i] : undefined, keyPath(at, i)));
      return out;
    }
    if (Buffer.isBuffer(obj)) return { [TAG]: 'Buffer', v: obj.toString('base64') };
    if (obj instanceof Date) return { [TAG]: 'Date', v: Number.isNaN(obj.getTime()) ? null : obj.toISOString() };
    if (obj instanceof RegExp) return { [TAG]: 'RegExp', v: obj.source, flags: obj.flags };
    if (obj instanceof Map) {
      return { [TAG]: 'Map', v: [...obj].map(([k, val], i) => [enc(k, `${at}.<key ${i}>`), enc(val, `${at}.get(<key ${i}>)`)]) };
    }
    if (obj instanceof Set) return { [TAG]: 'Set', v: [...obj].map((x, i) => enc(x, `${at}.<item ${i}>`)) };
    if (obj instanceof ArrayBuffer) return { [TAG]: 'ArrayBuffer', v: Buffer.from(obj).toString('base64') };
    if (ArrayBuffer.isView(obj)) {
      const name = Object.getPrototypeOf(obj)?.constructor?.name as string | undefined;
      if (!name || !(name in TYPED_ARRAYS)) throw new UnstorableValue(at, describe(obj));
      return { [TAG]: name, v: Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64') };
    }
    if (obj instanceof Error) throw new UnstorableValue(at, `an Error (${obj.message}); return plain data describing it instead`);
    if (obj instanceof Promise) throw new UnstorableValue(at, 'a Promise; await it before returning');
    if (obj instanceof WeakMap || obj instanceof WeakSet) throw new UnstorableValue(at, 'a weak collection');
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new UnstorableValue(at, `${describe(obj)} (its prototype would be lost); return plain data instead`);
    for (const sym of Object.getOwnPropertySymbols(obj)) {
      if (Object.prototype.propertyIsEnumerable.call(obj, sym)) throw new UnstorableValue(keyPath(at, String(sym)), 'a symbol-keyed property');
    }
    const out: { [key: string]: Encoded } = {};
    for (const key of Object.keys(obj)) {
      const desc = Object.getOwnPropertyDescriptor(obj, key);
      if (desc && (desc.get || desc.set)) throw new UnstorableValue(keyPath(at, key), 'an accessor property (getter or setter)');
      setOwn(out, key, enc((obj as Record<string, unknown>)[key], keyPath(at, key)));
    }
    // An object that itself has the tag key is escaped so it is not read back as a tag.
    return TAG in out ? { [TAG]: 'object', v: out } : out;
  };

  return JSON.stringify(enc(value, 'result'));
}

/**
 * Sets an own property, even one named `__proto__` (plain assignment would
 * call the prototype setter instead, losing the key and changing the object).
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export class CorruptValue extends Error {}

export function decodeValue(text: string, options: CodecOptions = {}): unknown {
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
        return Array.isArray(v) ? new Map(v.map((pair) => (Array.isArray(pair) && pair.length === 2 ? [dec(pair[0]), dec(pair[1])] : fail(tag))) as Array<[unknown, unknown]>) : fail(tag);
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
