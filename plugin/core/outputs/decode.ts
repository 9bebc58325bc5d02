/**
 * Reads a value stored by encode.ts. Reading runs no stored code: msgpackr
 * builds plain data, and each marker is resolved here (a registered type
 * runs the `fromJSON` the process registered, never anything stored).
 * Large containers are decoded before the structure that holds them (parts
 * refer only to higher-numbered parts), so no unpack runs inside another.
 * A stored path must stay inside its step's output folder.
 */
import * as path from 'node:path';
import { typeRegistry } from '../../shared/type-registry';
import type { ArrowModule } from './arrow';
import { loadArrow } from './arrow';
import { binaryFrom, ownBuffer } from './binary-types';
import { codecById } from './libraries';
import type { PartFile } from './part-io';
import { PeerMissing } from './peers';
import { readPart } from './part-io';
import { blobPart, ROOT_PART, segmentPart, tablePart } from './value-layout';
import type { MarkerReader } from './wire';
import { Container, CorruptValue, MarkerKind, unpacker, withMarkerReader } from './wire';

export interface DecodeOptions {
  /** Absolute folder that stored paths are rebuilt against (the step's files folder). */
  readonly outDir?: string;
  /** Where to resolve apache-arrow and the other data libraries from. */
  readonly arrowFrom?: string;
  /** Give registered types as StoredInstance (their stored data) instead of calling fromJSON: for tools that run no user code. */
  readonly rawTypes?: boolean;
}

/** A registered type's stored data, as tools that cannot load the user's classes see it. */
export class StoredInstance {
  constructor(
    readonly typeName: string,
    readonly data: unknown,
  ) {}
}

/** The value names a registered type this process has not registered. */
export class UnknownType extends Error {
  constructor(readonly typeName: string) {
    super(`the stored result holds an instance of registered type '${typeName}', and no serializer of that name is registered in this process`);
  }
}

export function readValue(valueDir: string, parts: readonly PartFile[], options: DecodeOptions = {}): unknown {
  return new Decoder(valueDir, parts, options).run();
}

class Decoder implements MarkerReader {
  private readonly sizes = new Map<string, number>();
  private readonly segments = new Map<number, unknown>();
  private readonly unpackr = unpacker();
  private readonly outDir: string | undefined;
  private arrow: ArrowModule | undefined;

  constructor(
    private readonly dir: string,
    parts: readonly PartFile[],
    private readonly options: DecodeOptions,
  ) {
    for (const p of parts) this.sizes.set(p.path, p.size);
    this.outDir = options.outDir?.replace(/[\\/]+$/, '');
  }

  run(): unknown {
    return withMarkerReader(this, () => {
      const segmentIds = [...this.sizes.keys()].flatMap((name) =>
        name !== ROOT_PART && name.endsWith('.msgpack') ? [Number(name.slice(0, -'.msgpack'.length))] : [],
      );
      for (const id of segmentIds.sort((a, b) => b - a)) this.segments.set(id, this.chunks(id));
      return this.unpack(this.bytes(ROOT_PART));
    });
  }

  read(payload: readonly unknown[]): unknown {
    const [kind, a, b, c] = payload;
    switch (kind) {
      case MarkerKind.negativeZero:
        return -0;
      case MarkerKind.outPath:
        return this.outPath(a);
      case MarkerKind.entries:
        return entriesObject(payload.slice(1));
      case MarkerKind.segment:
        return this.segment(a, b, c);
      case MarkerKind.bytes:
        return this.inlineBytes(a, b);
      case MarkerKind.blob:
        return this.blob(a, b, c);
      case MarkerKind.table:
        return this.table(a);
      case MarkerKind.registered:
        return this.registered(a, b);
      case MarkerKind.library:
        return this.library(a, payload.slice(2));
      default:
        throw new CorruptValue(`a value marker has an unknown kind (${String(kind)})`);
    }
  }

  private unpack(bytes: Uint8Array): unknown {
    try {
      return this.unpackr.unpack(bytes);
    } catch (e) {
      if (e instanceof CorruptValue || e instanceof UnknownType || e instanceof PeerMissing) throw e;
      throw new CorruptValue(`the stored value cannot be read (${(e as Error)?.message ?? String(e)})`);
    }
  }

  private bytes(name: string): Uint8Array {
    const size = this.sizes.get(name);
    if (size === undefined) throw new CorruptValue(`the stored value refers to ${name}, which its manifest does not list`);
    return new Uint8Array(readPart(path.join(this.dir, name), size));
  }

  /** The entries of a segment part: every chunk, concatenated. */
  private chunks(id: number): unknown[] {
    const bytes = this.bytes(segmentPart(id));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: unknown[] = [];
    for (let at = 0; at < bytes.byteLength;) {
      if (at + 4 > bytes.byteLength) throw new CorruptValue(`${segmentPart(id)} is truncated`);
      const length = view.getUint32(at);
      const chunk = this.unpack(bytes.subarray(at + 4, at + 4 + length));
      if (!Array.isArray(chunk) || at + 4 + length > bytes.byteLength) throw new CorruptValue(`${segmentPart(id)} holds a malformed chunk`);
      for (let i = 0; i < chunk.length; i++) out.push(chunk[i]);
      at += 4 + length;
    }
    return out;
  }

  private segment(id: unknown, kind: unknown, count: unknown): unknown {
    const entries = typeof id === 'number' ? this.segments.get(id) : undefined;
    if (!Array.isArray(entries)) throw new CorruptValue(`the stored value refers to a missing part (${String(id)})`);
    this.segments.delete(id as number); // each part is referred to once
    const expected = kind === Container.map ? (count as number) * 2 : count;
    if (entries.length !== expected) throw new CorruptValue(`${segmentPart(id as number)} holds ${entries.length} entries, not ${String(expected)}`);
    switch (kind) {
      case Container.array:
        return entries;
      case Container.set:
        return new Set(entries);
      case Container.map: {
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < entries.length; i += 2) m.set(entries[i], entries[i + 1]);
        return m;
      }
      default:
        throw new CorruptValue(`${segmentPart(id as number)} has an unknown container kind`);
    }
  }

  private outPath(rel: unknown): string {
    // A stored value must not point outside its step's output folder.
    if (typeof rel !== 'string' || rel.startsWith('/') || rel.includes('\\') || rel.split('/').includes('..')) {
      throw new CorruptValue('the stored value holds a path that leaves its output folder');
    }
    if (!this.outDir) return rel;
    return rel === '' ? this.outDir : `${this.outDir}/${rel}`;
  }

  private inlineBytes(typeName: unknown, bytes: unknown): unknown {
    const value = typeof typeName === 'string' && bytes instanceof Uint8Array ? binaryFrom(typeName, ownBuffer(bytes)) : undefined;
    if (value === undefined) throw new CorruptValue(`the stored value holds malformed ${String(typeName)} bytes`);
    return value;
  }

  private blob(id: unknown, typeName: unknown, byteLength: unknown): unknown {
    const name = typeof id === 'number' ? blobPart(id) : '';
    if (this.sizes.get(name) !== byteLength) throw new CorruptValue(`the stored value refers to ${name || 'a part'} with another size`);
    const value = typeof typeName === 'string' ? binaryFrom(typeName, readPart(path.join(this.dir, name), byteLength as number)) : undefined;
    if (value === undefined) throw new CorruptValue(`${name} cannot hold a ${String(typeName)}`);
    return value;
  }

  private table(id: unknown): unknown {
    const name = typeof id === 'number' ? tablePart(id) : '';
    const bytes = this.bytes(name);
    this.arrow ??= loadArrow(this.options.arrowFrom ?? process.cwd());
    try {
      return this.arrow.tableFromIPC(bytes);
    } catch (e) {
      throw new CorruptValue(`${name} is not a readable Arrow IPC file (${(e as Error).message})`);
    }
  }

  /** A data library's value, rebuilt with the workspace's copy of the library. */
  private library(id: unknown, payload: readonly unknown[]): unknown {
    const codec = codecById(id);
    if (!codec) throw new CorruptValue(`the stored value holds a value of a library nx-steps does not know (${String(id)})`);
    const fromDir = this.options.arrowFrom ?? process.cwd();
    return codec.decode(payload, { table: (part) => this.bytes(typeof part === 'number' ? tablePart(part) : ''), fromDir });
  }

  private registered(name: unknown, data: unknown): unknown {
    if (typeof name !== 'string') throw new CorruptValue('a registered-type marker is malformed');
    if (this.options.rawTypes) return new StoredInstance(name, data);
    const entry = typeRegistry().byName.get(name);
    if (!entry) throw new UnknownType(name);
    return entry.fromJSON(data);
  }
}

/** An object with an own `__proto__` key, rebuilt without calling the setter. */
function entriesObject(flat: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = flat[i];
    if (typeof key !== 'string') throw new CorruptValue('an object entry has a key that is not a string');
    Object.defineProperty(out, key, { value: flat[i + 1], enumerable: true, writable: true, configurable: true });
  }
  return out;
}
