/**
 * Stores a step's result as a folder of parts (see value-layout.ts):
 *
 *   value.msgpack   the value's structure, as MessagePack (msgpackr)
 *   <n>.msgpack     a large array, Map or Set: its entries in length-prefixed
 *                   chunks, written as the walk reaches them (bounded memory)
 *   <n>.bin         a large typed array, Buffer or ArrayBuffer: its raw bytes
 *   <n>.arrow       a table (Arrow, flechette, arquero, polars): Arrow IPC file
 *
 * One walk over the value checks that it can be stored exactly and replaces
 * what msgpackr would not keep exact with markers (wire.ts); msgpackr then
 * packs the result. The walk copies a container only when something inside
 * it was replaced, so plain data (rows of numbers and strings) is packed as
 * the step returned it.
 *
 * Deterministic: the same value gives the same bytes, so the same digest
 * (the result digest drives early cutoff). Object key order, Map and Set
 * insertion order, and -0 versus 0 are part of the value, as JavaScript
 * sees them: values that differ in them are stored differently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { typeRegistry } from '../../shared/type-registry';
import type { ArrowTableLike } from './arrow';
import { arrowOf, isArrowTable, writeArrowTable } from './arrow';
import { binaryTypeName, bytesOf } from './binary-types';
import { codecFor, libraryMarker, proxyCodecFor } from './libraries';
import type { LibraryCodec } from './library-codec';
import { libraryHint } from './library-hints';
import type { PartFile } from './part-io';
import { PartWriter, writtenPart } from './part-io';
import { cycleOrDepth, describeUnstorable, EntryPath, keyStep, MAX_DEPTH, UnstorableValue } from './unstorable';
import { Container, Marker, MarkerKind, packer } from './wire';
import type { ContainerKind } from './wire';
import { blobPart, ROOT_PART, segmentPart, tablePart } from './value-layout';

export interface EncodeOptions {
  /** Absolute ctx.outDir: strings under it are stored relative to it. */
  readonly outDir?: string;
  /** Where to resolve apache-arrow and the other data libraries from (default: the working directory). */
  readonly arrowFrom?: string;
}

/** Containers with at least this many entries are stored as a part of their own, in chunks. */
export const SEGMENT_MIN = 65_536;
/** Binary values of at least this many bytes are stored as a raw part of their own. */
export const BLOB_MIN = 64 * 1024;
/** Deeper than this, the value is checked for a cycle (msgpackr, like JSON, recurses). */
const CHUNK_START = 4096;
const CHUNK_MAX = 65_536;
const CHUNK_HIGH_BYTES = 16 * 1024 * 1024;
const CHUNK_LOW_BYTES = 2 * 1024 * 1024;

const NEGATIVE_ZERO = new Marker([MarkerKind.negativeZero]);

class TooDeep extends Error {}

/** Writes `value` into `valueDir` (created, expected empty) and returns its parts, root first. */
export async function writeValue(valueDir: string, value: unknown, options: EncodeOptions = {}): Promise<readonly PartFile[]> {
  fs.mkdirSync(valueDir, { recursive: true });
  const encoder = new Encoder(valueDir, options);
  let root: unknown;
  try {
    root = encoder.walk(value, 0);
  } catch (e) {
    encoder.abandon();
    if (e instanceof TooDeep) throw cycleOrDepth(value);
    throw e;
  }
  await encoder.writeTables();
  const writer = new PartWriter(path.join(valueDir, ROOT_PART), ROOT_PART);
  try {
    writer.write(encoder.pack(root));
  } catch (e) {
    writer.abandon();
    throw e;
  }
  return [writer.close(), ...encoder.parts];
}

class Encoder {
  readonly parts: PartFile[] = [];
  private readonly packr = packer();
  /** ctx.outDir without, and with, its trailing slash. */
  private readonly outDir: string | undefined;
  private readonly outPrefix: string;
  private readonly tables: Array<{ id: number; table: ArrowTableLike }> = [];
  private readonly open: PartWriter[] = [];
  private nextId = 1;

  constructor(
    private readonly dir: string,
    private readonly options: EncodeOptions,
  ) {
    this.outDir = options.outDir ? options.outDir.replace(/[\\/]+$/, '') : undefined;
    this.outPrefix = `${this.outDir ?? ''}/`;
  }

  pack(value: unknown): Buffer {
    return this.packr.pack(value);
  }

  walk(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'number':
        return v === 0 && 1 / v < 0 ? NEGATIVE_ZERO : v;
      case 'string':
        return this.outDir !== undefined && v.startsWith(this.outDir) ? this.outPath(v) : v;
      case 'object':
        return v === null ? v : this.object(v, depth);
      case 'function':
        throw new UnstorableValue('a function');
      case 'symbol':
        throw new UnstorableValue('a symbol');
      default:
        return v; // boolean, bigint, undefined: msgpackr keeps them exact
    }
  }

  private outPath(v: string): unknown {
    if (v === this.outDir) return new Marker([MarkerKind.outPath, '']);
    if (!v.startsWith(this.outPrefix)) return v; // a sibling such as <outDir>-old
    return new Marker([MarkerKind.outPath, v.slice(this.outPrefix.length)]);
  }

  private object(v: object, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new TooDeep();
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto === Object.prototype || proto === null) {
      // A polars DataFrame is a Proxy over a plain object, with its native frame at `_df`: asked
      // before its columns are walked (reading one property costs ~1% on plain rows; isProxy 60%).
      const codec = (v as { _df?: unknown })._df !== undefined ? codecFor(v) : undefined;
      return codec ? this.library(codec, v, depth) : this.plain(v as Record<string, unknown>, depth);
    }
    if (Array.isArray(v)) return v.length >= SEGMENT_MIN ? this.segment(Container.array, v, depth) : this.array(v, depth);
    if (v instanceof Map) return v.size >= SEGMENT_MIN ? this.segment(Container.map, v, depth) : this.map(v, depth);
    if (v instanceof Set) return v.size >= SEGMENT_MIN ? this.segment(Container.set, v, depth) : this.set(v, depth);
    if (v instanceof Date || v instanceof RegExp) return v;
    const binary = binaryTypeName(v, proto);
    if (binary) return this.binary(v as ArrayBufferView | ArrayBuffer, binary);
    if (isArrowTable(v)) return this.table(v);
    const registered = typeRegistry().byClass.get((proto as { constructor?: unknown }).constructor);
    if (registered) return this.registered(v, registered.name, registered.toJSON, depth);
    const codec = codecFor(v);
    if (codec) return this.library(codec, v, depth);
    throw new UnstorableValue(describeUnstorable(v));
  }

  private plain(o: Record<string, unknown>, depth: number): unknown {
    let copy: Record<string, unknown> | undefined;
    let key = '';
    const mark = this.parts.length;
    try {
      for (key in o) {
        if (key === '__proto__') return this.entries(o, depth);
        const x = o[key];
        const y = this.walk(x, depth + 1);
        if (y !== x) (copy ??= { ...o })[key] = y;
      }
    } catch (e) {
      if (!(e instanceof UnstorableValue)) throw e;
      const library = this.libraryObject(o, mark, depth);
      if (library) return library;
      const hint = libraryHint(o); // a polars LazyDataFrame is a plain object too
      throw hint ? new UnstorableValue(hint) : e.within(keyStep(key));
    }
    if (Object.getOwnPropertySymbols(o).some((s) => Object.prototype.propertyIsEnumerable.call(o, s))) {
      throw new UnstorableValue('an object with a symbol-keyed property');
    }
    return copy ?? o;
  }

  /** An object with an own `__proto__` key (JSON.parse makes them): stored as its entries, rebuilt without calling the setter. */
  private entries(o: Record<string, unknown>, depth: number): Marker {
    const flat: unknown[] = [MarkerKind.entries];
    for (const key of Object.keys(o)) {
      try {
        flat.push(key, this.walk(o[key], depth + 1));
      } catch (e) {
        throw e instanceof UnstorableValue ? e.within(keyStep(key)) : e;
      }
    }
    return new Marker(flat);
  }

  /**
   * A plain object whose walk failed may be a polars Series (a Proxy over a plain object, asked
   * about only here: isProxy on every object would slow plain rows). Its walk fails at its first
   * key (`_s`, its native series) before writing any part; parts it wrote are dropped all the same.
   */
  private libraryObject(o: object, mark: number, depth: number): Marker | undefined {
    const codec = proxyCodecFor(o);
    if (!codec) return undefined;
    for (const p of this.parts.splice(mark)) fs.rmSync(path.join(this.dir, p.path), { force: true });
    return this.library(codec, o, depth);
  }

  private library(codec: LibraryCodec, v: object, depth: number): Marker {
    return libraryMarker(codec, v, {
      walk: (x) => this.walk(x, depth + 1),
      writeTable: (bytes) => this.rawPart(tablePart, bytes),
      writeTableFile: (write) => {
        const id = this.nextId++;
        this.parts.push(writtenPart(this.dir, tablePart(id), write));
        return id;
      },
      fromDir: this.options.arrowFrom ?? process.cwd(),
    });
  }

  private array(a: readonly unknown[], depth: number): unknown {
    let copy: unknown[] | undefined;
    let i = 0;
    try {
      for (const n = a.length; i < n; i++) {
        const x = a[i];
        const y = this.walk(x, depth + 1);
        if (y !== x) (copy ??= Array.from(a))[i] = y;
      }
    } catch (e) {
      throw e instanceof UnstorableValue ? e.within(`[${i}]`) : e;
    }
    // A sparse array's holes are stored as undefined, as before.
    return copy ?? (a.constructor === Array ? a : Array.from(a));
  }

  private map(m: ReadonlyMap<unknown, unknown>, depth: number): unknown {
    const out = new Map<unknown, unknown>();
    let changed = false;
    const at = new EntryPath(true);
    try {
      for (const [k, x] of m) {
        at.value = false;
        const k2 = this.walk(k, depth + 1);
        at.value = true;
        const y = this.walk(x, depth + 1);
        changed ||= k2 !== k || y !== x;
        out.set(k2, y);
        at.index++;
      }
    } catch (e) {
      throw e instanceof UnstorableValue ? e.within(at.step()) : e;
    }
    return changed ? out : m;
  }

  private set(s: ReadonlySet<unknown>, depth: number): unknown {
    const out = new Set<unknown>();
    let changed = false;
    const at = new EntryPath(false);
    try {
      for (const x of s) {
        const y = this.walk(x, depth + 1);
        changed ||= y !== x;
        out.add(y);
        at.index++;
      }
    } catch (e) {
      throw e instanceof UnstorableValue ? e.within(at.step()) : e;
    }
    return changed ? out : s;
  }

  private at<T>(fn: () => T, step: string): T {
    try {
      return fn();
    } catch (e) {
      throw e instanceof UnstorableValue ? e.within(step) : e;
    }
  }

  private binary(v: ArrayBufferView | ArrayBuffer, typeName: string): Marker {
    const bytes = bytesOf(v);
    if (bytes.byteLength < BLOB_MIN) return new Marker([MarkerKind.bytes, typeName, bytes]);
    return new Marker([MarkerKind.blob, this.rawPart(blobPart, bytes), typeName, bytes.byteLength]);
  }

  /** Writes `bytes` as a part of their own; returns its id. */
  private rawPart(name: (id: number) => string, bytes: Uint8Array): number {
    const id = this.nextId++;
    const writer = this.writer(name(id));
    writer.write(bytes);
    this.finish(writer);
    return id;
  }

  private table(t: ArrowTableLike): Marker {
    const id = this.nextId++;
    this.tables.push({ id, table: t });
    return new Marker([MarkerKind.table, id]);
  }

  private registered(v: object, name: string, toJSON: (v: unknown) => unknown, depth: number): Marker {
    const step = `.<${name} data>`;
    let data: unknown;
    try {
      data = toJSON(v);
    } catch (e) {
      throw new UnstorableValue(`an instance of registered type '${name}' whose toJSON threw (${(e as Error)?.message ?? String(e)})`);
    }
    return new Marker([MarkerKind.registered, name, this.at(() => this.walk(data, depth + 1), step)]);
  }

  /**
   * A large container: its entries are walked and packed in chunks into a
   * part of its own, as the walk reaches it (so a nested error still names
   * its full path). Chunks grow or shrink with their packed size, which
   * depends only on the value: the bytes stay deterministic.
   */
  private segment(kind: ContainerKind, container: Iterable<unknown> & object, depth: number): Marker {
    const id = this.nextId++;
    const writer = this.writer(segmentPart(id));
    const header = new Uint8Array(4);
    const headerView = new DataView(header.buffer);
    let chunkSize = CHUNK_START;
    const flush = (chunk: unknown[]): void => {
      const packed = this.packr.pack(chunk);
      headerView.setUint32(0, packed.byteLength);
      writer.write(header);
      writer.write(packed);
      if (packed.byteLength > CHUNK_HIGH_BYTES) chunkSize = Math.max(1, chunkSize >> 1);
      else if (packed.byteLength < CHUNK_LOW_BYTES && chunkSize < CHUNK_MAX) chunkSize <<= 1;
    };
    let count = 0;
    if (kind === Container.array) {
      const a = container as readonly unknown[];
      count = a.length;
      let i = 0;
      try {
        for (let start = 0; start < count;) {
          const end = Math.min(count, start + chunkSize);
          const chunk = new Array<unknown>(end - start);
          for (i = start; i < end; i++) chunk[i - start] = this.walk(a[i], depth + 1);
          flush(chunk); // may change chunkSize for the next chunk
          start = end;
        }
      } catch (e) {
        throw e instanceof UnstorableValue ? e.within(`[${i}]`) : e;
      }
    } else {
      // Maps and Sets: entries in iteration order (a Map's as key, value, key, value...).
      const isMap = kind === Container.map;
      const at = new EntryPath(isMap);
      let chunk: unknown[] = [];
      try {
        for (const entry of container) {
          at.index = count++;
          if (isMap) {
            const [k, x] = entry as [unknown, unknown];
            at.value = false;
            const k2 = this.walk(k, depth + 1);
            at.value = true;
            chunk.push(k2, this.walk(x, depth + 1));
          } else {
            chunk.push(this.walk(entry, depth + 1));
          }
          if (chunk.length >= (isMap ? 2 * chunkSize : chunkSize)) {
            flush(chunk);
            chunk = [];
          }
        }
      } catch (e) {
        throw e instanceof UnstorableValue ? e.within(at.step()) : e;
      }
      if (chunk.length) flush(chunk);
    }
    this.finish(writer);
    return new Marker([MarkerKind.segment, id, kind, count]);
  }

  async writeTables(): Promise<void> {
    for (const { id, table } of this.tables) {
      const arrow = await arrowOf(table, this.options.arrowFrom ?? process.cwd());
      const writer = this.writer(tablePart(id));
      try {
        await writeArrowTable(arrow, table, (chunk) => writer.write(chunk));
      } catch (e) {
        this.abandon();
        throw e;
      }
      this.finish(writer);
    }
  }

  private writer(name: string): PartWriter {
    const w = new PartWriter(path.join(this.dir, name), name);
    this.open.push(w);
    return w;
  }

  private finish(w: PartWriter): void {
    this.open.splice(this.open.indexOf(w), 1);
    this.parts.push(w.close());
  }

  /** Closes what a failed walk left open; the caller removes the folder. */
  abandon(): void {
    for (const w of this.open.splice(0)) w.abandon();
  }
}
