/**
 * What a step may return, checked by TypeScript: a step whose declared or
 * inferred result holds something nx-steps cannot store (a function, a
 * method of a class instance, a Promise, a symbol, an Error) is a type error
 * at the step, naming the path inside the value, before anything runs:
 *
 *   error TS2322: Type 'Promise<{ model: Forest; }>' is not assignable to type
 *     'Unstorable<"result.model.predict is a function: ...">'
 *
 * The run-time check (plugin/core/outputs/encode.ts) stays the authority:
 * types cannot see everything (a class with data fields only looks like a
 * plain object), and `any` or `unknown` pass here.
 *
 * The values of the data libraries nx-steps stores are accepted by shape
 * (library-types.ts): flechette and arquero tables, nodejs-polars
 * DataFrames and Series, tfjs and onnxruntime Tensors, DuckDB values.
 *
 * Classes registered with `registerType` are accepted once declared here:
 *
 *   declare module 'nx-steps' {
 *     interface StorableTypes { forest: RandomForestRegression }
 *   }
 */

import type { IsDuckDBValue, LibraryProblem, LibraryValue } from './library-types';

/** Augment to declare classes registered with `registerType` (the keys are free names). */
export interface StorableTypes {}

/** An apache-arrow Table of any version, by shape (nx-steps does not depend on apache-arrow). */
export interface ArrowTable {
  readonly schema: unknown;
  readonly batches: readonly unknown[];
  readonly numRows: number;
  readonly numCols: number;
}

// Buffer is a Uint8Array, so it is covered without naming it: the types must not need @types/node.
type Leaf =
  | string
  | number
  | boolean
  | bigint
  | null
  | undefined
  | void
  | Date
  | RegExp
  | ArrayBuffer
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

type Registered = StorableTypes[keyof StorableTypes];

type Deeper<D extends unknown[]> = [...D, 0];

/**
 * The first things in T that cannot be stored, as `<path> is <what>`, or
 * never. Types nested deeper than 8 levels are left to the run-time check.
 */
export type StorableProblem<T, P extends string = 'result', D extends unknown[] = []> = D['length'] extends 8
  ? never
  : 0 extends 1 & T
    ? never
    : T extends Registered
      ? never
      : T extends DataView
        ? `${P} is a DataView: store its buffer (an ArrayBuffer) instead`
        : T extends Leaf
          ? never
          : T extends ArrowTable
            ? never
            : [LibraryProblem<T, P>] extends [never]
              ? T extends LibraryValue
                ? never
                : IsDuckDBValue<T> extends true
                  ? never
                  : ObjectProblem<T, P, D>
              : LibraryProblem<T, P>;

/** The problem of anything else: a function, a symbol, a Promise, an Error, or what a container holds. */
type ObjectProblem<T, P extends string, D extends unknown[]> = T extends (...args: never[]) => unknown
  ? `${P} is a function: return plain data, or register its class with registerType() and declare it in StorableTypes`
  : T extends symbol
    ? `${P} is a symbol`
    : T extends PromiseLike<unknown>
      ? `${P} is a Promise: await it before returning`
      : T extends Error
        ? `${P} is an Error: return plain data describing it`
        : T extends WeakMap<object, unknown> | WeakSet<object>
          ? `${P} is a weak collection`
          : T extends ReadonlyMap<infer K, infer V>
            ? StorableProblem<K, `${P}.<key>`, Deeper<D>> | StorableProblem<V, `${P}.get()`, Deeper<D>>
            : T extends ReadonlySet<infer V>
              ? StorableProblem<V, `${P}.<item>`, Deeper<D>>
              : T extends readonly unknown[]
                ? StorableProblem<T[number], `${P}[number]`, Deeper<D>>
                : T extends object
                  ? {
                      [K in keyof T]-?: K extends symbol
                        ? `${P} has a symbol-keyed property`
                        : StorableProblem<T[K], `${P}.${K & (string | number)}`, Deeper<D>>;
                    }[keyof T]
                  : never;

/** What the type checker demands instead of an unstorable result: its message is the error users read. */
export interface Unstorable<Problem> {
  readonly 'nx-steps cannot store this result': Problem;
}

/** R itself when it can be stored; otherwise a type R is not assignable to, which names the problem. */
export type Storable<R> = [StorableProblem<Awaited<R>>] extends [never] ? R : Unstorable<StorableProblem<Awaited<R>>>;
