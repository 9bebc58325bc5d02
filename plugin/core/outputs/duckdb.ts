/**
 * `@duckdb/node-api` values: the rows of a DuckDB result (`getRows()`,
 * `getRowObjects()`, `getColumns()`...) hold DuckDB's own value classes
 * where JS has no exact type (DuckDBDecimalValue, DuckDBTimestampValue,
 * DuckDBListValue, DuckDBUUIDValue, ...). Each is plain data in a class (its
 * fields are its state), stored as its class name and fields and rebuilt as
 * an instance of the workspace's class, without calling its constructor: the
 * downstream step gets the same rows of the same DuckDB values.
 *
 * A result or reader itself is not stored (see library-hints.ts): it is
 * bound to a connection, and only an asynchronous query on a database can
 * make one, while results are read synchronously.
 */
import type { CodecDecodeContext, CodecEncodeContext, LibraryCodec, LibrarySummary } from './library-codec';
import { classNames } from './library-codec';
import { PeerMissing, requirePeer } from './peers';
import { UnstorableValue } from './unstorable';
import { CorruptValue } from './wire';

const DUCKDB = '@duckdb/node-api';

type DuckDBModule = Readonly<Record<string, unknown>>;

const loadDuckDB = (fromDir: string): DuckDBModule => requirePeer<DuckDBModule>(DUCKDB, 'a DuckDB value', fromDir);

/** A class of @duckdb/node-api's values: `DuckDB<Kind>Value`, with data fields only. */
const VALUE_CLASS = /^DuckDB[A-Za-z]+Value$/;

function valueClass(duckdb: DuckDBModule, name: unknown): (abstract new (...args: never[]) => unknown) | undefined {
  const cls = typeof name === 'string' && VALUE_CLASS.test(name) ? duckdb[name] : undefined;
  return typeof cls === 'function' ? (cls as abstract new (...args: never[]) => unknown) : undefined;
}

/**
 * The workspace's @duckdb/node-api, for a value recognised by its class name alone: a class of the user's
 * with such a name, in a workspace without DuckDB, is an unstorable class (NXS205), not a missing DuckDB.
 */
function duckdbFor(name: string | undefined, fromDir: string): DuckDBModule {
  try {
    return loadDuckDB(fromDir);
  } catch (e) {
    if (!(e instanceof PeerMissing)) throw e;
    throw new UnstorableValue(
      `an instance of class ${String(name)}, named like a ${DUCKDB} value, but ${e.message}; install it (npm install ${DUCKDB}), or return plain data`,
    );
  }
}

export const duckdbValueCodec: LibraryCodec = {
  id: 'duckdb.Value',
  pkg: DUCKDB,
  what: 'a DuckDB value',
  matches: (v: object) => {
    const names = classNames(v);
    return names.length === 1 && VALUE_CLASS.test(names[0] ?? '');
  },
  encode(v: object, cx: CodecEncodeContext): readonly unknown[] {
    const name = classNames(v)[0];
    const cls = valueClass(duckdbFor(name, cx.fromDir), name);
    if (!cls || Object.getPrototypeOf(v) !== cls.prototype) {
      throw new UnstorableValue(`an instance of class ${String(name)} that is not one of the ${DUCKDB} the workspace resolves`);
    }
    return [name, cx.walk({ ...v })];
  },
  decode([name, fields]: readonly unknown[], cx: CodecDecodeContext): unknown {
    const cls = valueClass(loadDuckDB(cx.fromDir), name);
    if (!cls || fields === null || typeof fields !== 'object') throw new CorruptValue(`a stored DuckDB value names no class of ${DUCKDB} (${String(name)})`);
    return Object.assign(Object.create(cls.prototype as object) as object, fields);
  },
  summary: (v: object): LibrarySummary => ({ header: `${classNames(v)[0] ?? 'DuckDB value'} ${String(v)}` }),
};
