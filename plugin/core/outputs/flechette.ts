/**
 * `@uwdata/flechette` Tables (and so arquero's Arrow data): stored as an
 * Arrow IPC file written by the workspace's flechette (`tableToIPC`), read
 * back with its `tableFromIPC`. A flechette Table decides how it extracts
 * values (Dates or numbers for timestamps, bigints or numbers for 64-bit
 * integers, Maps or entry arrays...) by the options it was made with; those
 * are not in the Arrow data, so they are read off the table's batches and
 * stored beside it: the downstream step's table gives the same JS values.
 */
import type { CodecDecodeContext, CodecEncodeContext, LibraryCodec, LibrarySummary } from './library-codec';
import { classNames, isFunction, shapeText } from './library-codec';
import { requirePeer } from './peers';
import { UnstorableValue } from './unstorable';
import { CorruptValue } from './wire';

export const FLECHETTE = '@uwdata/flechette';

interface FlechetteBatch {
  readonly type: { readonly typeId: number; readonly bitWidth?: number };
  readonly children?: readonly FlechetteBatch[];
  readonly dictionary?: { readonly data: readonly FlechetteBatch[] };
}

export interface FlechetteTableLike {
  readonly schema: { readonly fields: readonly unknown[] };
  readonly children: ReadonlyArray<{ readonly data: readonly FlechetteBatch[] }>;
  readonly numRows: number;
  readonly factory?: { readonly name?: string };
}

export interface FlechetteModule {
  readonly Table: abstract new (...args: never[]) => unknown;
  readonly Type: Readonly<Record<string, number>>;
  tableToIPC(table: unknown, options: { format: 'file' }): Uint8Array | null;
  tableFromIPC(bytes: Uint8Array, options: Record<string, boolean>): unknown;
}

export function loadFlechette(fromDir: string, what = 'a flechette Table'): FlechetteModule {
  return requirePeer<FlechetteModule>(FLECHETTE, what, fromDir, ['arquero']);
}

/** A flechette Table by shape (apache-arrow's has `batches`, not `children` and `names`). */
export function looksLikeFlechetteTable(v: object): v is FlechetteTableLike {
  const t = v as Partial<Record<'schema' | 'children' | 'names' | 'getChild' | 'toColumns' | 'getFactory', unknown>>;
  return (
    Array.isArray(t.children) &&
    Array.isArray(t.names) &&
    Array.isArray((t.schema as { fields?: unknown } | undefined)?.fields) &&
    isFunction(t.getChild) &&
    isFunction(t.toColumns) &&
    isFunction(t.getFactory)
  );
}

/** The extraction options a table was made with, as its batch classes show them (only those set). */
export function extractionOptions(table: FlechetteTableLike, Type: Readonly<Record<string, number>>): Record<string, boolean> {
  const found: Record<string, boolean> = {};
  const visit = (batch: FlechetteBatch | undefined, depth: number): void => {
    if (!batch || depth > 64) return;
    for (const option of optionsShownBy(batch, classNames(batch), Type)) found[option] = true;
    for (const child of batch.children ?? []) visit(child, depth + 1);
    visit(batch.dictionary?.data[0], depth + 1);
  };
  for (const column of table.children) visit(column.data[0], 0);
  if (table.factory?.name === 'proxyFactory') found['useProxy'] = true;
  return Object.fromEntries(
    Object.keys(found)
      .sort()
      .map((k) => [k, true]),
  );
}

function optionsShownBy(batch: FlechetteBatch, names: readonly string[], Type: Readonly<Record<string, number>>): string[] {
  const { typeId, bitWidth } = batch.type;
  const direct = names[0] === 'DirectBatch';
  const out: string[] = [];
  if ((typeId === Type['Int'] || typeId === Type['Time'] || typeId === Type['Duration']) && bitWidth === 64 && direct) out.push('useBigInt');
  if (typeId === Type['Timestamp'] && direct) out.push('useBigIntTimestamp');
  if ((typeId === Type['Timestamp'] || typeId === Type['Date']) && names.includes('DateBatch')) out.push('useDate');
  if (typeId === Type['Decimal'] && (names.includes('DecimalBigIntBatch') || (bitWidth === 32 && direct))) out.push('useDecimalInt');
  if (names.includes('MapBatch')) out.push('useMap');
  if (names.includes('StructProxyBatch')) out.push('useProxy');
  return out;
}

export function flechetteIPC(fl: FlechetteModule, table: unknown): Uint8Array {
  const bytes = fl.tableToIPC(table, { format: 'file' });
  if (!bytes) throw new Error('flechette wrote no IPC bytes');
  return bytes;
}

export function readFlechette(fl: FlechetteModule, bytes: Uint8Array, options: unknown): unknown {
  if (options === null || typeof options !== 'object') throw new CorruptValue('a flechette table marker is malformed');
  try {
    return fl.tableFromIPC(bytes, options as Record<string, boolean>);
  } catch (e) {
    throw new CorruptValue(`a stored table is not a readable Arrow IPC file (${(e as Error).message})`);
  }
}

export const flechetteCodec: LibraryCodec = {
  id: 'flechette',
  pkg: FLECHETTE,
  what: 'a flechette Table',
  matches: looksLikeFlechetteTable,
  encode(v: object, cx: CodecEncodeContext): readonly unknown[] {
    const fl = loadFlechette(cx.fromDir);
    if (!(v instanceof fl.Table)) {
      throw new UnstorableValue(
        `an instance of class ${classNames(v)[0] ?? 'Table'} shaped like a ${FLECHETTE} Table but not one of the copy the workspace resolves; install one version of ${FLECHETTE}`,
      );
    }
    const table = v as FlechetteTableLike;
    return [cx.writeTable(flechetteIPC(fl, table)), extractionOptions(table, fl.Type)];
  },
  decode([id, options]: readonly unknown[], cx: CodecDecodeContext): unknown {
    return readFlechette(loadFlechette(cx.fromDir), cx.table(id), options);
  },
  summary(v: object, rows: number): LibrarySummary {
    const t = v as FlechetteTableLike & { readonly names: string[]; readonly numCols: number; at(i: number): Record<string, unknown> };
    const shown = Array.from({ length: Math.min(rows, t.numRows) }, (_, i) => t.at(i));
    return { header: `flechette Table: ${shapeText(t.numRows, t.numCols)}`, columns: t.names, rows: shown, total: t.numRows };
  },
};
