/**
 * Apache Arrow tables as results. nx-steps does not depend on apache-arrow:
 * a Table is recognised by its shape, written with the apache-arrow that the
 * workspace installed (the one the step used to build it), and read back
 * with the same, so the downstream step gets a `Table` of its own
 * apache-arrow. Nothing is loaded unless a Table is stored or read.
 *
 * On disk a table is an Arrow IPC file (`value/<n>.arrow`), which pyarrow,
 * polars or DuckDB open as it is. Writing streams the writer's chunks (views
 * of the table's own buffers) to the file, so no copy of the whole table is
 * made; reading reads the file once and the Table's columns are views into
 * that buffer (no second copy).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PeerMissing } from './peers';

/** The part of apache-arrow this file uses. */
export interface ArrowModule {
  readonly Table: abstract new (...args: never[]) => unknown;
  readonly RecordBatchFileWriter: { writeAll(table: unknown): AsyncIterable<Uint8Array> };
  tableFromIPC(bytes: Uint8Array): unknown;
}

export interface ArrowTableLike {
  readonly schema: { readonly fields: readonly unknown[] };
  readonly batches: readonly unknown[];
  readonly numRows: number;
  readonly numCols: number;
}

const TABLE_MARK = Symbol.for('apache-arrow/Table');

/** An apache-arrow Table, of any copy of the library (recent versions mark their prototype; older ones by shape). */
export function isArrowTable(value: object): value is ArrowTableLike {
  const v = value as Partial<ArrowTableLike> & { constructor?: { name?: string }; getChild?: unknown; [TABLE_MARK]?: unknown };
  if (v[TABLE_MARK] === true) return true;
  return (
    v.constructor?.name === 'Table' &&
    Array.isArray(v.batches) &&
    typeof v.numRows === 'number' &&
    typeof v.getChild === 'function' &&
    typeof v.schema === 'object'
  );
}

export class ArrowMissing extends PeerMissing {
  constructor(detail: string) {
    super('apache-arrow', 'an Arrow Table', detail);
  }
}

const loaded = new Map<string, ArrowModule>();

function checked(mod: ArrowModule, fromDir: string): ArrowModule {
  if (typeof mod.tableFromIPC !== 'function' || typeof mod.RecordBatchFileWriter?.writeAll !== 'function' || typeof mod.Table !== 'function') {
    throw new ArrowMissing(`the apache-arrow found from ${fromDir} has no tableFromIPC / RecordBatchFileWriter (version 13 or later is needed)`);
  }
  return mod;
}

/** apache-arrow (its CommonJS build) as the code in `fromDir` resolves it: the workspace's copy. Tables read back are of this copy. */
export function loadArrow(fromDir: string): ArrowModule {
  const hit = loaded.get(fromDir);
  if (hit) return hit;
  let mod: ArrowModule;
  try {
    mod = createRequire(path.join(fromDir, 'noop.js'))('apache-arrow') as ArrowModule;
  } catch (e) {
    throw new ArrowMissing(`apache-arrow cannot be loaded from ${fromDir} (${(e as Error).message.split('\n')[0]})`);
  }
  loaded.set(fromDir, checked(mod, fromDir));
  return mod;
}

/** The ES module build of the same package (an ESM pipeline builds its tables with it). */
async function importArrow(fromDir: string): Promise<ArrowModule | undefined> {
  try {
    let dir = path.dirname(createRequire(path.join(fromDir, 'noop.js')).resolve('apache-arrow'));
    while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      exports?: { '.'?: { node?: { import?: { default?: string } } } };
      module?: string;
    };
    const entry = pkg.exports?.['.']?.node?.import?.default ?? pkg.module;
    return entry ? checked((await import(pathToFileURL(path.join(dir, entry)).href)) as ArrowModule, fromDir) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The apache-arrow that made `table`. Its writer must be that very copy: the
 * writer of another copy (the CommonJS build writing a table of the ES module
 * build, say) accepts the table (`instanceof` is made to work across copies)
 * but writes its dictionary columns wrongly. So the class must be the same.
 */
export async function arrowOf(table: object, fromDir: string): Promise<ArrowModule> {
  const cjs = loadArrow(fromDir);
  if (table.constructor === cjs.Table) return cjs;
  const esm = await importArrow(fromDir);
  if (esm && table.constructor === esm.Table) return esm;
  throw new ArrowMissing(
    `the Table was made by a copy of apache-arrow other than the one ${fromDir} resolves (install one version of apache-arrow in the workspace)`,
  );
}

/** Streams a table's IPC file form, chunk by chunk, to `write`. */
export async function writeArrowTable(arrow: ArrowModule, table: ArrowTableLike, write: (chunk: Uint8Array) => void): Promise<void> {
  for await (const chunk of arrow.RecordBatchFileWriter.writeAll(table)) write(chunk);
}
