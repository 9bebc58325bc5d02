/**
 * nodejs-polars DataFrames and Series: stored as the Arrow IPC file polars
 * writes itself (`writeIPC()`, uncompressed: its dtypes, nulls, categorical
 * and nested columns as polars keeps them), read back with the workspace's
 * `readIPC`, so the downstream step gets a DataFrame (a Series: the one
 * column of its frame) of its own nodejs-polars. A polars value is a Proxy
 * over a plain object, so the encoder asks here about every Proxy it meets.
 */
import { types } from 'node:util';
import type { CodecDecodeContext, CodecEncodeContext, LibraryCodec, LibrarySummary } from './library-codec';
import { isFunction, shapeText } from './library-codec';
import { requirePeer } from './peers';
import { UnstorableValue } from './unstorable';
import { CorruptValue } from './wire';

const POLARS = 'nodejs-polars';

interface Frame {
  readonly _df: object;
  writeIPC(file: string, options: { compression: 'uncompressed' }): void;
  readonly height: number;
  readonly columns: string[];
  readonly dtypes: unknown[];
  head(n: number): { toRecords(): Array<Record<string, unknown>> };
  toSeries(index: number): unknown;
}

interface Series {
  readonly _s: object;
  readonly name: string;
  readonly dtype: unknown;
  readonly length: number;
  toFrame(): Frame;
}

interface PolarsModule {
  DataFrame: ((data: Record<string, unknown>) => Frame) & { isDataFrame(v: unknown): boolean };
  Series: { isSeries(v: unknown): boolean };
  readIPC(bytes: Buffer): Frame;
}

const loadPolars = (fromDir: string, what: string): PolarsModule => requirePeer<PolarsModule>(POLARS, what, fromDir);

/** The class of the native frame the workspace's polars makes (its JsDataFrame). */
const nativeFrames = new WeakMap<PolarsModule, abstract new (...args: never[]) => unknown>();
function nativeFrame(pl: PolarsModule): abstract new (...args: never[]) => unknown {
  let cls = nativeFrames.get(pl);
  if (!cls) {
    cls = (pl.DataFrame({})._df as { constructor: abstract new (...args: never[]) => unknown }).constructor;
    nativeFrames.set(pl, cls);
  }
  return cls;
}

/** A frame of the workspace's polars, or an UnstorableValue saying why not. */
function ownFrame(pl: PolarsModule, frame: Frame, what: string): Frame {
  if (!(frame._df instanceof nativeFrame(pl))) {
    throw new UnstorableValue(`${what} of a copy of ${POLARS} other than the one the workspace resolves; install one version of ${POLARS}`);
  }
  return frame;
}

/** Read from the bytes, which polars copies: readIPC of a path would map the file (and takes a path not ending in .ipc for inline IPC). */
function readFrame(pl: PolarsModule, bytes: Uint8Array): Frame {
  try {
    return pl.readIPC(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new CorruptValue(`a stored polars frame is not a readable Arrow IPC file (${(e as Error).message})`);
  }
}

/** polars writes the file itself, from native code (writeIPC to a Buffer passes every chunk through a JS stream). */
const ipc =
  (frame: Frame) =>
  (file: string): void => {
    frame.writeIPC(file, { compression: 'uncompressed' });
  };

/** `List(Float64)` for polars' `DataType(List(DataType(Float64)))`: each `DataType(...)` wrapper dropped. */
function dtypeText(dtype: unknown): string {
  const text = String(dtype);
  const wrappers: boolean[] = []; // per open parenthesis: whether it opened a DataType( wrapper
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('DataType(', i)) {
      wrappers.push(true);
      i += 'DataType('.length - 1;
    } else if (text[i] === '(') {
      wrappers.push(false);
      out += '(';
    } else if (text[i] === ')') {
      if (wrappers.pop() !== true) out += ')';
    } else out += text[i];
  }
  return out;
}

export const polarsFrameCodec: LibraryCodec = {
  id: 'polars.DataFrame',
  pkg: POLARS,
  what: 'a nodejs-polars DataFrame',
  matches: (v: object) =>
    types.isProxy(v) && (v as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'DataFrame' && isFunction((v as Partial<Frame>).writeIPC),
  encode(v: object, cx: CodecEncodeContext): readonly unknown[] {
    const pl = loadPolars(cx.fromDir, this.what);
    if (!pl.DataFrame.isDataFrame(v)) throw new UnstorableValue(`an object shaped like a ${POLARS} DataFrame that its isDataFrame refuses`);
    return [cx.writeTableFile(ipc(ownFrame(pl, v as Frame, this.what)))];
  },
  decode([id]: readonly unknown[], cx: CodecDecodeContext): unknown {
    return readFrame(loadPolars(cx.fromDir, this.what), cx.table(id));
  },
  summary(v: object, rows: number): LibrarySummary {
    const df = v as Frame;
    const types = df.columns.map((c, i) => `${c}: ${dtypeText(df.dtypes[i])}`).join(', ');
    return {
      header: `nodejs-polars DataFrame: ${shapeText(df.height, df.columns.length)} (${types})`,
      columns: df.columns,
      rows: df.head(rows).toRecords(),
      total: df.height,
    };
  },
};

export const polarsSeriesCodec: LibraryCodec = {
  id: 'polars.Series',
  pkg: POLARS,
  what: 'a nodejs-polars Series',
  matches: (v: object) => types.isProxy(v) && typeof (v as Partial<Series>)._s === 'object' && isFunction((v as Partial<Series>).toFrame),
  encode(v: object, cx: CodecEncodeContext): readonly unknown[] {
    const pl = loadPolars(cx.fromDir, this.what);
    if (!pl.Series.isSeries(v)) throw new UnstorableValue(`an object shaped like a ${POLARS} Series that its isSeries refuses`);
    return [cx.writeTableFile(ipc(ownFrame(pl, (v as Series).toFrame(), this.what)))];
  },
  decode([id]: readonly unknown[], cx: CodecDecodeContext): unknown {
    return readFrame(loadPolars(cx.fromDir, this.what), cx.table(id)).toSeries(0);
  },
  summary(v: object): LibrarySummary {
    const s = v as Series;
    return { header: `nodejs-polars Series ${JSON.stringify(s.name)}: ${dtypeText(s.dtype)}, ${s.length.toLocaleString('en-US')} values` };
  },
};
