/**
 * The data libraries whose values nx-steps stores (beside apache-arrow, see
 * arrow.ts), one codec each (DuckDB's: its value classes), asked in this order. A codec's `matches` reads
 * only the value's own properties, so asking costs nothing when no library
 * is involved and loads nothing.
 */
import { types } from 'node:util';
import { arqueroCodec } from './arquero';
import { duckdbValueCodec } from './duckdb';
import { flechetteCodec } from './flechette';
import type { CodecEncodeContext, LibraryCodec } from './library-codec';
import { PeerMissing } from './peers';
import { polarsFrameCodec, polarsSeriesCodec } from './polars';
import { ortCodec, tfjsCodec } from './tensors';
import { UnstorableValue } from './unstorable';
import { Marker, MarkerKind } from './wire';

export const LIBRARY_CODECS: readonly LibraryCodec[] = [
  flechetteCodec,
  arqueroCodec,
  polarsFrameCodec,
  polarsSeriesCodec,
  tfjsCodec,
  ortCodec,
  duckdbValueCodec,
];

const BY_ID = new Map(LIBRARY_CODECS.map((c) => [c.id, c]));

/** The codec for a value that is not a plain object, array or binary (or for a Proxy). */
export function codecFor(v: object): LibraryCodec | undefined {
  return LIBRARY_CODECS.find((c) => c.matches(v));
}

/** The codec of a Proxy (a polars Series), asked only when the walk of a plain object failed: isProxy is slow. */
export function proxyCodecFor(v: object): LibraryCodec | undefined {
  return types.isProxy(v) ? codecFor(v) : undefined;
}

export function codecById(id: unknown): LibraryCodec | undefined {
  return typeof id === 'string' ? BY_ID.get(id) : undefined;
}

/** The marker of a library's value; an error of the library's own writer is an unstorable value with its reason. */
export function libraryMarker(codec: LibraryCodec, v: object, cx: CodecEncodeContext): Marker {
  try {
    return new Marker([MarkerKind.library, codec.id, ...codec.encode(v, cx)]);
  } catch (e) {
    if (e instanceof UnstorableValue || e instanceof PeerMissing || !(e instanceof Error)) throw e;
    // e.g. arquero refuses a column of mixed types, polars a column of JS objects.
    throw new UnstorableValue(`${codec.what} that ${codec.pkg} cannot write (${e.message.split('\n')[0]})`);
  }
}
