/**
 * What NXS205 says about a value nx-steps still cannot store: the class,
 * the package it comes from and, for the values of data libraries users
 * return, the one-line conversion to one it stores. A known value is
 * recognised by its structure together with its class names (the message
 * only: nothing is stored on a name), any other class by the installed
 * package whose module exports it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classNames, isFunction } from './library-codec';

interface Hint {
  readonly pkg: string;
  readonly cls: string;
  /** What it is, and the conversion. */
  readonly todo: string;
  is(v: Readonly<Record<string, unknown>>, names: readonly string[]): boolean;
}

const HINTS: readonly Hint[] = [
  {
    pkg: 'nodejs-polars',
    cls: 'LazyDataFrame',
    todo: 'a query plan, not data; return lazy.collectSync(), a DataFrame',
    is: (v) => typeof v['_ldf'] === 'object' && isFunction(v['collectSync']),
  },
  { pkg: 'nodejs-polars', cls: 'Expr', todo: 'an expression, not data; return df.select(expr), a DataFrame', is: (v) => typeof v['_expr'] === 'object' },
  {
    pkg: 'apache-arrow',
    cls: 'RecordBatch',
    todo: 'return new Table(batch), an Arrow Table',
    is: (v, n) => n.includes('RecordBatch') && typeof v['numRows'] === 'number' && 'schema' in v,
  },
  {
    pkg: 'apache-arrow',
    cls: 'Vector',
    todo: 'return new Table({ name: vector }), an Arrow Table, or vector.toArray()',
    is: (v, n) => n.includes('Vector') && Array.isArray(v['data']) && 'type' in v && isFunction(v['get']),
  },
  {
    pkg: '@uwdata/flechette',
    cls: 'Column',
    todo: 'return tableFromColumns({ name: column }), a flechette Table, or column.toArray()',
    is: (v, n) => n.includes('Column') && Array.isArray(v['data']) && 'type' in v && isFunction(v['at']) && isFunction(v['toArray']),
  },
  {
    pkg: '@duckdb/node-api',
    cls: 'DuckDBResultReader',
    todo: 'a reader bound to its connection; return reader.getRowObjects() (its rows, DuckDB values stored exactly), with reader.columnNamesAndTypesJson() for the schema',
    is: (v, n) => n.includes('DuckDBResultReader') && isFunction(v['getRowObjects']),
  },
  {
    pkg: '@duckdb/node-api',
    cls: 'DuckDBResult',
    todo: 'a result bound to its connection; return await result.getRowObjects() (its rows, DuckDB values stored exactly), with result.columnNamesAndTypesJson() for the schema',
    is: (v, n) => n.includes('DuckDBResult') && isFunction(v['getRowObjects']),
  },
  {
    pkg: '@duckdb/node-api',
    cls: 'DuckDBConnection',
    todo: 'a database connection; open it in the step that queries it, and return what the query gives (reader.getRowObjects())',
    is: (_v, n) => n.includes('DuckDBConnection') || n.includes('DuckDBInstance'),
  },
  {
    pkg: '@tensorflow/tfjs',
    cls: 'LayersModel',
    todo: 'a model with its code; return its weights (model.getWeights(), Tensors) and rebuild it downstream, or model.save() it into ctx.outDir',
    is: (v, n) => (n.includes('LayersModel') || n.includes('GraphModel')) && isFunction(v['predict']),
  },
  {
    pkg: 'onnxruntime-node',
    cls: 'InferenceSession',
    todo: 'a loaded model; return the model bytes (a Uint8Array) and create the session downstream: await InferenceSession.create(bytes)',
    is: (v, n) => n.includes('InferenceSession') && isFunction(v['run']),
  },
];

/** A data library's value nx-steps does not store, described with what to return instead; undefined for anything else. */
export function libraryHint(v: object): string | undefined {
  const names = classNames(v);
  const hint = HINTS.find((h) => h.is(v as Readonly<Record<string, unknown>>, names));
  const cls = hint ? (names[0] ?? hint.cls) : undefined;
  return hint ? `an instance of class ${cls} from ${hint.pkg} (${hint.todo})` : undefined;
}

/**
 * The installed package whose loaded CommonJS module exports `cls`, if any
 * (`require.cache`, searched on this error path only). ES modules are not
 * listed there: their classes are named without a package.
 */
export function packageOfClass(cls: unknown): string | undefined {
  if (typeof cls !== 'function') return undefined;
  for (const m of Object.values(require.cache)) {
    if (!m || !m.filename.includes(`${path.sep}node_modules${path.sep}`) || !exportsClass(m.exports, cls)) continue;
    const pkg = packageName(path.dirname(m.filename));
    if (pkg) return pkg;
  }
  return undefined;
}

function exportsClass(exports: unknown, cls: unknown): boolean {
  if (exports === cls) return true;
  if (exports === null || typeof exports !== 'object') return false;
  try {
    return Object.values(exports as Record<string, unknown>).includes(cls);
  } catch {
    return false; // a throwing getter
  }
}

/** The name of the nearest package.json that has one, up from `dir` (nested ones may only set "type"). */
function packageName(dir: string): string | undefined {
  for (let d = dir; path.basename(d) !== 'node_modules' && path.dirname(d) !== d; d = path.dirname(d)) {
    try {
      const name = (JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as { name?: unknown }).name;
      if (typeof name === 'string') return name;
    } catch {
      // no package.json here
    }
  }
  return undefined;
}
