/**
 * Phase 1 types: what a pipeline file declares, read statically. Nothing
 * here is validated across files yet (see analyze.ts), and nothing
 * here ran any user code.
 */
import type { Json } from '../../api/json';
import type { CodeUnit, ModuleIndex } from '../code/module-index';
import type { Diagnostic } from '../diagnostics';

/** Position inside the declaring file (the file is implied by the container). */
export interface Loc {
  readonly line: number;
  readonly column: number;
  readonly length: number;
}

export type ArgDeclaration =
  | { readonly kind: 'file'; readonly path: string; readonly external: boolean; readonly loc: Loc }
  | {
      readonly kind: 'dir';
      readonly path: string;
      readonly external: boolean;
      readonly include: readonly string[];
      readonly exclude: readonly string[];
      readonly loc: Loc;
    }
  | { readonly kind: 'value'; readonly value: Json; readonly loc: Loc };

export interface NeedDeclaration {
  /** The identifier written in `needs: { raw: load_data }` (here `load_data`). */
  readonly local: string;
  readonly loc: Loc;
}

export type CacheStrategyName = 'code_hash' | 'input_hash';

export type CacheDeclaration =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      readonly strategy: CacheStrategyName;
      readonly ttl?: { readonly text: string; readonly ms: number };
      /** The custom key function's code; its value is computed before each run. */
      readonly key?: CodeUnit;
    };

/** `each: { name: source }`: the step runs once per item (see analyze.ts for how items become targets). */
export interface EachDeclaration {
  /** The name `fn` receives each item under. */
  readonly input: string;
  readonly source:
    | { readonly kind: 'values'; readonly values: readonly Json[] }
    | {
        readonly kind: 'dir';
        readonly path: string;
        readonly external: boolean;
        readonly include: readonly string[];
        readonly exclude: readonly string[];
      };
  readonly loc: Loc;
}

/** A step made by calling a factory of the same file with literal arguments: `export const sim_a = simStep(1)`. */
export interface FactoryCall {
  readonly name: string;
  readonly args: readonly Json[];
}

export interface StepDeclaration {
  /** The local variable name (the target name is the exported name; see `exportedAs`). */
  readonly local: string;
  /** Exported name, or undefined when the step is not exported (an error). */
  readonly exportedAs: string | undefined;
  readonly loc: Loc;
  readonly args: Readonly<Record<string, ArgDeclaration>>;
  readonly needs: Readonly<Record<string, NeedDeclaration>>;
  /** Each param's default; a `secret()` param's is null (it has none: its value comes from the command line). */
  readonly params: Readonly<Record<string, Json>>;
  /** Params declared with `secret()` (state/secrets.ts), when there are any. */
  readonly secrets?: readonly string[];
  /** Where each param is written, for diagnostics about overrides. */
  readonly paramLocs: Readonly<Record<string, Loc>>;
  readonly cache: CacheDeclaration;
  /** Whether `cache` was written (a pipeline's `cache: false` only overrides the default). */
  readonly cacheExplicit: boolean;
  readonly version?: string;
  readonly description?: string;
  /** The step function's own code (for a factory call: the factory's whole declaration). */
  readonly fn: CodeUnit;
  /** Declared with `each`: one task per item. */
  readonly each?: EachDeclaration;
  /** Made by a factory call: its arguments are part of the step's key. */
  readonly factory?: FactoryCall;
}

export interface PipelineDeclaration {
  readonly name?: string;
  readonly cache?: boolean;
  readonly description?: string;
  /** Params several steps share (each step that uses one declares it: `params: { lr: ml.params.lr }`). */
  readonly params?: Readonly<Record<string, Json>>;
  /** Shared params declared with `secret()`. */
  readonly secrets?: readonly string[];
  readonly loc: Loc;
}

export interface ParsedPipelineFile {
  /** Workspace-relative POSIX path. */
  readonly file: string;
  /** Digest of the file's bytes: the key of the parse cache. */
  readonly digest: string;
  readonly pipeline?: PipelineDeclaration;
  readonly steps: readonly StepDeclaration[];
  /** The code index, for the step's code closure. */
  readonly module: ModuleIndex;
  readonly diagnostics: readonly Diagnostic[];
}
