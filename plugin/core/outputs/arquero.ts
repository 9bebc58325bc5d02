/**
 * arquero tables (arquero 8 and later, built on flechette): stored as the
 * Arrow IPC file of `table.toArrow()` (arquero's own conversion: the rows a
 * filter keeps, in the table's order, column types inferred from the values
 * or kept from Arrow-backed columns), read back with the workspace's
 * `fromArrow`, so the downstream step gets an arquero `ColumnTable` whose
 * columns are Arrow columns. Its params are stored with it. A grouped table
 * is refused: its groups are functions of the rows, which cannot be stored.
 */
import type { CodecDecodeContext, CodecEncodeContext, LibraryCodec, LibrarySummary } from './library-codec';
import { classNames, isFunction, shapeText } from './library-codec';
import { extractionOptions, flechetteIPC, loadFlechette, readFlechette } from './flechette';
import type { FlechetteTableLike } from './flechette';
import { requirePeer } from './peers';
import { UnstorableValue } from './unstorable';

const ARQUERO = 'arquero';

interface ArqueroTable {
  toArrow(): unknown;
  isGrouped(): boolean;
  columnNames(): string[];
  column(name: string): unknown;
  params(): Record<string, unknown> | undefined;
  params(values: Record<string, unknown>): ArqueroTable;
  numRows(): number;
  objects(options: { limit: number }): Array<Record<string, unknown>>;
}

interface ArqueroModule {
  readonly ColumnTable: abstract new (...args: never[]) => unknown;
  /** Given a flechette Table, uses it as it is. */
  fromArrow(table: unknown): ArqueroTable;
}

const loadArquero = (fromDir: string): ArqueroModule => requirePeer<ArqueroModule>(ARQUERO, 'an arquero table', fromDir);

function looksLikeArquero(v: object): boolean {
  const t = v as Partial<Record<'_data' | '_names' | 'toArrow' | 'isGrouped' | 'objects' | 'columnNames', unknown>>;
  return '_data' in v && Array.isArray(t._names) && isFunction(t.toArrow) && isFunction(t.isGrouped) && isFunction(t.objects) && isFunction(t.columnNames);
}

/**
 * How to read the table back so its values come out as they went in:
 * arquero's default (Dates), the options of its Arrow-backed columns, and
 * bigints where a column of plain values holds bigints.
 */
function readOptions(table: ArqueroTable, arrow: FlechetteTableLike, Type: Readonly<Record<string, number>>): Record<string, boolean> {
  const options: Record<string, boolean> = { useDate: true, ...extractionOptions(arrow, Type) };
  for (const name of table.columnNames()) {
    const column = table.column(name);
    if (Array.isArray(column) && column.some((x) => typeof x === 'bigint')) options['useBigInt'] = true;
  }
  return Object.fromEntries(
    Object.keys(options)
      .sort()
      .map((k) => [k, options[k] === true]),
  );
}

export const arqueroCodec: LibraryCodec = {
  id: 'arquero',
  pkg: ARQUERO,
  what: 'an arquero table',
  matches: looksLikeArquero,
  encode(v: object, cx: CodecEncodeContext): readonly unknown[] {
    const aq = loadArquero(cx.fromDir);
    if (!(v instanceof aq.ColumnTable)) {
      throw new UnstorableValue(
        `an instance of class ${classNames(v)[0] ?? 'Table'} shaped like an arquero table but not a ColumnTable of the arquero the workspace resolves`,
      );
    }
    const table = v as unknown as ArqueroTable;
    if (table.isGrouped()) {
      throw new UnstorableValue(
        'a grouped arquero table (its groups are functions of the rows, which cannot be stored); return table.ungroup() and group it again downstream',
      );
    }
    const fl = loadFlechette(cx.fromDir, 'an arquero table');
    const arrow = table.toArrow() as FlechetteTableLike;
    const options = readOptions(table, arrow, fl.Type);
    return [cx.writeTable(flechetteIPC(fl, arrow)), options, cx.walk(table.params() ?? null)];
  },
  decode([id, options, params]: readonly unknown[], cx: CodecDecodeContext): unknown {
    const aq = loadArquero(cx.fromDir);
    const arrow = readFlechette(loadFlechette(cx.fromDir, 'an arquero table'), cx.table(id), options);
    const table = aq.fromArrow(arrow);
    return params && typeof params === 'object' ? table.params(params as Record<string, unknown>) : table;
  },
  summary(v: object, rows: number): LibrarySummary {
    const t = v as unknown as ArqueroTable;
    const columns = t.columnNames();
    return { header: `arquero table: ${shapeText(t.numRows(), columns.length)}`, columns, rows: t.objects({ limit: rows }), total: t.numRows() };
  },
};
