/**
 * The bytes of a stored value: MessagePack, written and read by msgpackr
 * (records for repeated object shapes, its own extensions for Date, Set,
 * RegExp, BigInt and undefined), plus one extension of ours for everything
 * msgpackr would not keep exact or that lives outside the message: -0, paths
 * inside ctx.outDir, exact binary types, objects with an own `__proto__` key,
 * large containers and arrays stored as separate parts, Arrow tables,
 * values of data libraries and registered types. See encode.ts and decode.ts.
 *
 * msgpackr registers extensions per module, not per instance: ours is keyed
 * by a class private to this file (so it never touches other users' values)
 * and an extension type nothing else here uses.
 */
import { addExtension, Packr, Unpackr } from 'msgpackr';

/** Our extension type (78, 'N'); msgpackr's own are 0, 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78, 0xff. */
export const NXS_EXTENSION = 0x4e;

export const MarkerKind = {
  negativeZero: 0,
  /** [rel]: a path inside ctx.outDir, relative to it. */
  outPath: 1,
  /** [k1, v1, k2, v2, ...]: an object with an own `__proto__` key. */
  entries: 2,
  /** [part, container, count]: a large container whose entries are in a part. */
  segment: 3,
  /** [typeName, bytes]: a Buffer, typed array or ArrayBuffer, inline. */
  bytes: 4,
  /** [part, typeName, byteLength]: the same, in a part of its own (raw bytes). */
  blob: 5,
  /** [part]: an Arrow Table, as an Arrow IPC file. */
  table: 6,
  /** [name, data]: an instance of a registered type. */
  registered: 7,
  /** [codec, ...payload]: a value of a data library (library-codec.ts). */
  library: 8,
} as const;

export const Container = { array: 0, map: 1, set: 2, object: 3 } as const;
export type ContainerKind = (typeof Container)[keyof typeof Container];

/** What the encoder puts where msgpackr's own encoding would not be exact. */
export class Marker {
  constructor(readonly payload: readonly unknown[]) {}
}

/** Resolves markers while one value is decoded (set by decode.ts around each unpack). */
export interface MarkerReader {
  read(payload: readonly unknown[]): unknown;
}

let reader: MarkerReader | undefined;

export function withMarkerReader<T>(r: MarkerReader, fn: () => T): T {
  const saved = reader;
  reader = r;
  try {
    return fn();
  } finally {
    reader = saved;
  }
}

export class CorruptValue extends Error {}

addExtension({
  Class: Marker,
  type: NXS_EXTENSION,
  write: (m: Marker) => m.payload,
  read: (payload: unknown) => {
    if (!reader) throw new CorruptValue('an nx-steps value marker was read outside nx-steps');
    if (!Array.isArray(payload)) throw new CorruptValue('a value marker is malformed');
    return reader.read(payload);
  },
});

const PACK_OPTIONS = { useRecords: true, moreTypes: true, useFloat32: 0, bundleStrings: false } as const;
const UNPACK_OPTIONS = { useRecords: true, moreTypes: true, mapsAsObjects: false, copyBuffers: true, structuredClone: false } as const;

/**
 * A packer for one value. msgpackr keeps record definitions per message, so
 * the same value packs to the same bytes whatever was packed before (tested).
 */
export function packer(): Packr {
  return new Packr(PACK_OPTIONS);
}

export function unpacker(): Unpackr {
  return new Unpackr(UNPACK_OPTIONS);
}
