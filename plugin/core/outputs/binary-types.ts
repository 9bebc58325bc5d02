/** The binary types a result may hold, by the name stored with their bytes. */
type BinaryCtor = new (buffer: ArrayBuffer) => ArrayBufferView;

const TYPED_ARRAYS: Readonly<Record<string, BinaryCtor & { readonly BYTES_PER_ELEMENT: number }>> = {
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

const BY_PROTO = new Map<object, string>(Object.entries(TYPED_ARRAYS).map(([name, ctor]) => [ctor.prototype as object, name]));

/** The stored type name of a binary value, or undefined for anything else (a DataView, a subclass). */
export function binaryTypeName(value: object, proto: object | null): string | undefined {
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (proto === ArrayBuffer.prototype) return 'ArrayBuffer';
  return proto ? BY_PROTO.get(proto) : undefined;
}

/** The bytes of a binary value, as a view (no copy). */
export function bytesOf(value: ArrayBufferView | ArrayBuffer): Buffer {
  return value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Rebuilds a binary value of the stored type over `buffer` (which it then owns). */
export function binaryFrom(typeName: string, buffer: ArrayBuffer): unknown {
  if (typeName === 'ArrayBuffer') return buffer;
  if (typeName === 'Buffer') return Buffer.from(buffer);
  const Ctor = TYPED_ARRAYS[typeName];
  if (!Ctor || buffer.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) return undefined;
  return new Ctor(buffer);
}

/** A copy of `bytes` in a fresh ArrayBuffer (aligned for any typed array). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}
