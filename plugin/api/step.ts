/**
 * `step(options, fn)`: the declaration users write. At graph time nx-steps
 * reads these calls statically (nothing here runs); at run time the executor
 * imports the module and calls `fn`.
 */
import type { DirArg, FileArg, RangeArg } from './args';
import type { Json } from './json';
import type { Storable } from './storable';
import { STEP_BRAND } from '../shared/step-brand';

export { STEP_BRAND, isStep } from '../shared/step-brand';
/** Marks a step declared with `each`: one task per item. */
export const FAN_OUT_BRAND = Symbol.for('nx-steps.fan-out');

export type CacheStrategy = 'code_hash' | 'input_hash';

export interface CacheOptions {
  /** Default 'code_hash': re-run when the step's code or inputs change. */
  readonly strategy?: CacheStrategy;
  /**
   * Reuse an entry for at most this long, e.g. '30m', '24h', '7d'. Entries are
   * valid within fixed windows of this length (see the README's guide).
   */
  readonly ttl?: string;
  /**
   * Extra key material, evaluated before hashing each run. May read the
   * step's args, params and the environment; its value joins the key.
   */
  readonly key?: (ctx: KeyContext) => unknown;
}

export interface KeyContext {
  readonly args: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, Json>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type ArgValue = FileArg | DirArg | Json;
export type AnyStep = Step<unknown>;

/**
 * What a fan-out step runs over: a list of literal values, `range(start,
 * end)`, or `dir(path)` (each file of the folder, by its path inside it).
 */
export type EachSource = readonly Json[] | RangeArg | DirArg;

/** What `fn` receives for one item: the value, the number, or the file's absolute path. */
export type ItemOf<S> = S extends DirArg ? string : S extends RangeArg ? number : S extends readonly (infer T)[] ? T : never;

export interface StepOptions<A extends Record<string, ArgValue>, N extends Record<string, AnyStep>, P extends Record<string, Json>> {
  /** Named inputs: `file(...)`, `dir(...)` or literal values. */
  readonly args?: A;
  /** Upstream steps whose results this step reads, by the name `fn` sees them under. */
  readonly needs?: N;
  /** Configuration; each may be overridden for one run: `nx run etl:train --lr=0.1`. */
  readonly params?: P;
  /** 'code_hash' (default), 'input_hash', false (always run), or CacheOptions. */
  readonly cache?: CacheStrategy | false | CacheOptions;
  /** A salt: changing it invalidates this step's cached results only. */
  readonly version?: string | number;
  /** Shown by `nx show project`. */
  readonly description?: string;
}

export interface FanOutOptions<
  A extends Record<string, ArgValue>,
  N extends Record<string, AnyStep>,
  P extends Record<string, Json>,
  E extends Record<string, EachSource>,
> extends StepOptions<A, N, P> {
  /**
   * One task per item, each cached, restored and shared on its own:
   * `each: { scenario: range(1, 501) }`, `each: { lr: [0.01, 0.05, 0.1] }`,
   * `each: { file: dir('data/scenarios', { include: ['*.json'] }) }`. `fn`
   * receives one item under the given name; a step that needs this one
   * receives every item's result, keyed by item.
   */
  readonly each: E;
}

/** What `fn` receives: file and dir args as absolute paths, upstream results, params. */
export type StepInput<A, N, P> = {
  readonly [K in keyof A]: A[K] extends FileArg | DirArg ? string : A[K];
} & {
  readonly [K in keyof N]: StepResult<N[K]>;
} & {
  readonly [K in keyof P]: P[K];
};

export interface StepLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface StepContext {
  /** Project and step (target) name. */
  readonly project: string;
  readonly step: string;
  /**
   * An empty folder for files the step writes. Its contents are cached and
   * restored together with the step's result.
   */
  readonly outDir: string;
  readonly log: StepLogger;
  /** Reports progress; shown as a progress bar in the step's terminal output. */
  progress(done: number, total?: number): void;
  /**
   * Records a metric of this run (a finite number), e.g. `ctx.metric('f1',
   * 0.83)`: `nx-steps report --experiments` shows it beside the run's params.
   * Kept on this machine only, never in a cache entry. The last value given
   * for a name wins.
   */
  metric(name: string, value: number): void;
}

export type StepFunction<I, R> = (input: I, ctx: StepContext) => R | Promise<R>;

export interface Step<R> {
  readonly [STEP_BRAND]: true;
  readonly options: StepOptions<Record<string, ArgValue>, Record<string, AnyStep>, Record<string, Json>>;
  readonly fn: StepFunction<never, unknown>;
  /** Type-level only: the step's result type. */
  readonly __result?: R;
}

/** A step declared with `each`: a step that needs it receives `Record<item key, R>`. */
export interface FanOut<R> extends Step<R> {
  readonly [FAN_OUT_BRAND]: true;
}

export type StepResult<S> = S extends FanOut<infer R> ? Readonly<Record<string, R>> : S extends Step<infer R> ? R : never;

export function step<
  R,
  E extends Record<string, EachSource>,
  A extends Record<string, ArgValue> = {},
  N extends Record<string, AnyStep> = {},
  P extends Record<string, Json> = {},
>(options: FanOutOptions<A, N, P, E>, fn: StepFunction<StepInput<A, N, P> & { readonly [K in keyof E]: ItemOf<E[K]> }, R>): FanOut<Awaited<R>>;
export function step<R, A extends Record<string, ArgValue> = {}, N extends Record<string, AnyStep> = {}, P extends Record<string, Json> = {}>(
  options: StepOptions<A, N, P>,
  fn: StepFunction<StepInput<A, N, P>, Storable<R>>,
): Step<Awaited<R>>;
export function step<R>(fn: StepFunction<{}, Storable<R>>): Step<Awaited<R>>;
export function step(
  optionsOrFn: StepOptions<Record<string, ArgValue>, Record<string, AnyStep>, Record<string, Json>> | StepFunction<never, unknown>,
  maybeFn?: StepFunction<never, unknown>,
): Step<unknown> {
  const [options, fn] = typeof optionsOrFn === 'function' ? [{}, optionsOrFn] : [optionsOrFn, maybeFn];
  if (typeof fn !== 'function') {
    throw new TypeError('step(options, fn): fn must be a function');
  }
  const fanOut = typeof options === 'object' && options !== null && 'each' in options ? { [FAN_OUT_BRAND]: true } : {};
  return { [STEP_BRAND]: true, ...fanOut, options, fn };
}
