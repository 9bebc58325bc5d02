/**
 * The data libraries' values, by shape, for the `Storable` type check: what
 * nx-steps stores (tables, DataFrames, tensors, DuckDB values), and what it
 * cannot with the message the type checker shows. nx-steps depends on none
 * of these libraries, so their types are not imported: each interface holds
 * members the library's own class has and plain data does not.
 */

/** A @uwdata/flechette Table (arquero 8's Arrow data). */
export interface FlechetteTable {
  readonly schema: { readonly fields: readonly unknown[] };
  readonly names: readonly unknown[];
  readonly children: readonly unknown[];
  readonly numRows: number;
  toColumns(): unknown;
  getChild(name: never): unknown;
}

/** An arquero table (a ColumnTable). */
export interface ArqueroTable {
  numRows(): number;
  columnNames(...args: never[]): string[];
  isGrouped(): boolean;
  toArrow(...args: never[]): unknown;
  objects(...args: never[]): object[];
}

/** A nodejs-polars DataFrame. */
export interface PolarsDataFrame {
  readonly height: number;
  readonly width: number;
  writeIPC(...args: never[]): unknown;
  frameEqual(...args: never[]): boolean;
}

/** A nodejs-polars Series. */
export interface PolarsSeries {
  readonly name: string;
  readonly dtype: unknown;
  toFrame(): unknown;
  seriesEqual(...args: never[]): boolean;
}

/** A tfjs Tensor (@tensorflow/tfjs, tfjs-node, tfjs-core). */
export interface TfjsTensor {
  readonly dataId: object;
  readonly shape: readonly number[];
  readonly dtype: string;
  dataSync(): unknown;
}

/** An onnxruntime Tensor (onnxruntime-node, onnxruntime-web). */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly type: string;
  readonly location: string;
  getData(...args: never[]): Promise<unknown>;
}

export type LibraryValue = FlechetteTable | ArqueroTable | PolarsDataFrame | PolarsSeries | TfjsTensor | OrtTensor;

/** The fields of @duckdb/node-api's value classes (DuckDBDecimalValue, DuckDBTimestampValue, DuckDBListValue, ...). */
type DuckDBFields =
  | { readonly width: number; readonly scale: number; readonly value: bigint }
  | { readonly micros: bigint }
  | { readonly millis: bigint }
  | { readonly nanos: bigint }
  | { readonly seconds: bigint }
  | { readonly days: number }
  | { readonly months: number; readonly days: number; readonly micros: bigint }
  | { readonly bits: bigint; readonly micros: bigint; readonly offset: number }
  | { readonly hugeint: bigint }
  | { readonly bytes: Uint8Array }
  | { readonly data: Uint8Array; readonly length: number }
  | { readonly items: readonly unknown[] }
  | { readonly entries: unknown }
  | { readonly tag: string; readonly value: unknown }
  | { readonly value: unknown; readonly type?: unknown };

/** The only methods those classes have. */
type DuckDBMethods = 'toString' | 'toDouble' | 'toParts' | 'toUint128' | 'padding' | 'getBool' | 'toBools' | 'getBit' | 'toBits';

type FunctionKeys<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/** True for a DuckDB value: its fields, a toString, and no method other than theirs. */
export type IsDuckDBValue<T> = T extends DuckDBFields & { toString(): string }
  ? [Exclude<FunctionKeys<T>, DuckDBMethods>] extends [never]
    ? [Extract<FunctionKeys<T>, 'toString'>] extends [never]
      ? false
      : true
    : false
  : false;

/** What the type checker says of a library value nx-steps does not store, or never. */
export type LibraryProblem<T, P extends string> = T extends TfjsTensor & { assign(...args: never[]): unknown; readonly trainable: boolean }
  ? `${P} is a tfjs Variable: return tf.clone(variable), a Tensor`
  : T extends { collectSync(...args: never[]): unknown; describePlan(): string }
    ? `${P} is a nodejs-polars LazyDataFrame: return lazy.collectSync(), a DataFrame`
    : T extends { getRowObjects(...args: never[]): unknown; columnNamesAndTypesJson(): unknown }
      ? `${P} is a @duckdb/node-api result: return its rows, reader.getRowObjects() (DuckDB values are stored exactly)`
      : T extends { run(...args: never[]): Promise<unknown>; readonly inputNames: readonly string[]; readonly outputNames: readonly string[] }
        ? `${P} is an onnxruntime InferenceSession: return the model bytes (a Uint8Array) and create the session downstream`
        : T extends { predict(...args: never[]): unknown; getWeights(...args: never[]): unknown }
          ? `${P} is a tfjs model: return model.getWeights() (Tensors) and rebuild it downstream`
          : never;
