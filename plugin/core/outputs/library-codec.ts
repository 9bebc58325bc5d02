/**
 * How a value of a data library (a flechette or arquero table, a polars
 * DataFrame, a tfjs or onnxruntime tensor) is stored: each library has a
 * codec of its own file; encode.ts and decode.ts only dispatch. A codec
 * recognises a value by its structure first (no import: nx-steps never loads
 * a library a value did not come from), then confirms it with the library's
 * own class from the workspace before it writes anything.
 *
 * Tables are stored as Arrow IPC files (`value/<n>.arrow`, which pyarrow,
 * polars or DuckDB open), tensors as their raw bytes with dtype and shape.
 */
export interface CodecEncodeContext {
  /** Walks a nested value as the encoder does (a large typed array becomes a raw part). */
  walk(v: unknown): unknown;
  /** Stores an Arrow IPC file as a part of its own; returns its part id. */
  writeTable(bytes: Uint8Array): number;
  /** The same, for a library that writes the file itself (no copy of it in JS memory): `write` writes `file`. */
  writeTableFile(write: (file: string) => void): number;
  /** Where the workspace's libraries resolve from. */
  readonly fromDir: string;
}

export interface CodecDecodeContext {
  /** The bytes of a stored Arrow IPC part, in a buffer of their own. */
  table(id: unknown): Uint8Array;
  readonly fromDir: string;
}

export interface LibraryCodec {
  /** Stored in the value: never change it. */
  readonly id: string;
  /** The npm package whose values this codec stores. */
  readonly pkg: string;
  /** What a value is, for messages: `a nodejs-polars DataFrame`. */
  readonly what: string;
  /** By structure alone: imports nothing. */
  matches(v: object): boolean;
  /** The marker's payload (after the codec id). Throws UnstorableValue or PeerMissing. */
  encode(v: object, cx: CodecEncodeContext): readonly unknown[];
  /** Rebuilds the value with the workspace's copy of the library. Throws CorruptValue or PeerMissing. */
  decode(payload: readonly unknown[], cx: CodecDecodeContext): unknown;
  /** How `nx-steps show` prints a value: a header line and, for a table, its first rows. */
  summary(v: object, rows: number): LibrarySummary;
}

export interface LibrarySummary {
  readonly header: string;
  readonly rows?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly columns?: readonly string[];
  readonly total?: number;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `3 rows × 2 columns`. */
export const shapeText = (rows: number, columns: number): string => `${count(rows)} rows × ${count(columns)} columns`;

/** The names along an object's prototype chain (its class and the classes it extends). */
export function classNames(v: object): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const name = p.constructor?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

export const isFunction = (x: unknown): boolean => typeof x === 'function';
