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
  /** Effective cache setting, after the pipeline-wide switch. */
  readonly cache: CacheDeclaration;
  readonly version?: string;
  readonly description?: string;
  readonly declaration: StepDeclaration;
  /** Errors that make this step impossible to run; empty when it is valid. */
  readonly errors: readonly Diagnostic[];
}

export interface ProjectModel {
  /** Workspace-relative POSIX root ('.' for the workspace root). */
  readonly root: string;
  /** The project name nx-steps gives, or undefined when an existing project.json names it. */
  readonly name: string | undefined;
  /** The name the project is known by (given or existing). */
  readonly displayName: string;
  readonly pipelineFiles: readonly string[];
  readonly steps: readonly StepModel[];
  /** Every diagnostic of the project's files, warnings included. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface WorkspaceModel {
  readonly projects: readonly ProjectModel[];
}
