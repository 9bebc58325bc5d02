/**
 * Phase 2 types: the validated steps of each project. Every step here either
 * resolved completely or carries the diagnostics that explain why not; a
 * broken step still becomes a target, so `nx run` says what is wrong instead
 * of "target not found".
 */
import type { Json } from '../../api/json';
import type { Diagnostic } from '../diagnostics';
import type { CacheDeclaration, StepDeclaration } from './declarations';

export type PathLocation =
  /** Inside the workspace: POSIX path relative to the workspace root. */
  | { readonly scope: 'workspace'; readonly path: string }
  /** Outside the workspace: absolute path. */
  | { readonly scope: 'external'; readonly path: string };

export type ResolvedArg =
  | { readonly kind: 'file'; readonly location: PathLocation; readonly declared: string }
  | {
      readonly kind: 'dir';
      readonly location: PathLocation;
      readonly declared: string;
      readonly include: readonly string[];
      readonly exclude: readonly string[];
    }
  | { readonly kind: 'value'; readonly value: Json };

/**
 * The value one task of a declared step is made with, beyond the
 * declaration: one item of a fan-out (`each`), or the arguments of a factory
 * call. Its identity is part of the step's key (fingerprint/step-key.ts).
 */
export interface StepItem {
  /** For a fan-out item: the fan-out step (its group target) and the name `fn` receives the item under. */
  readonly fanOut?: { readonly step: string; readonly input: string };
  /** The item's identity as users see it: '3', '0.05', 'sub/a.json', 'simStep(1)'. */
  readonly key: string;
  readonly source: { readonly kind: 'value'; readonly value: Json } | { readonly kind: 'file'; readonly location: PathLocation };
}

/** A fan-out step: a group target over one task per item. */
export interface FanOutModel {
  /** The declared step's name: the group target, and the export the items run. */
  readonly name: string;
  readonly file: string;
  /** The name `fn` receives each item under. */
  readonly input: string;
  /** In declaration order (a folder's files in code-point order of their paths). */
  readonly items: readonly { readonly key: string; readonly target: string }[];
}

export interface StepModel {
  /** Target name: the step's exported name. */
  readonly name: string;
  readonly projectRoot: string;
  /** Pipeline file, workspace-relative. */
  readonly file: string;
  /** The export the executor imports (the same as `name`). */
  readonly exportName: string;
  /** Input name → upstream step (target) name in the same project. */
  readonly needs: Readonly<Record<string, string>>;
  readonly args: Readonly<Record<string, ResolvedArg>>;
  readonly params: Readonly<Record<string, Json>>;
  /** Params whose values are secrets: declared with `secret()`, or named so (state/secrets.ts). Never shown, keyed by HMAC. */
  readonly secrets: readonly string[];
  /** Effective cache setting, after the pipeline-wide switch. */
  readonly cache: CacheDeclaration;
  readonly version?: string;
  readonly description?: string;
  readonly declaration: StepDeclaration;
  /** Errors that make this step impossible to run; empty when it is valid. */
  readonly errors: readonly Diagnostic[];
  /** One item of a fan-out, or a factory call's arguments: part of the key. */
  readonly item?: StepItem;
}

export interface ProjectModel {
  /** Workspace-relative POSIX root ('.' for the workspace root). */
  readonly root: string;
  /** The project name nx-steps gives, or undefined when an existing project.json names it. */
  readonly name: string | undefined;
  /** The name the project is known by (given or existing). */
  readonly displayName: string;
  readonly pipelineFiles: readonly string[];
  /** Runnable steps, one per target: a fan-out step contributes one per item. */
  readonly steps: readonly StepModel[];
  /** Fan-out steps by name: `needs` may name one, and then means every item. */
  readonly fanOuts: Readonly<Record<string, FanOutModel>>;
  /** Params the pipeline files declare for their steps to share. */
  readonly params: Readonly<Record<string, Json>>;
  /** Every diagnostic of the project's files, warnings included. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface WorkspaceModel {
  readonly projects: readonly ProjectModel[];
}
