/**
 * Expected generator failures (a duplicate step, an unknown need, a missing
 * pipeline) travel as values, like the core's diagnostics. Each generator has
 * one boundary, `valueOrThrow`, that turns a failure into the error Nx prints:
 * its first line becomes the title, the hint the body. Nx flushes nothing
 * when a generator throws, so a failure writes nothing.
 */
import type { Result } from '../../plugin/core/util/result';
import { fail } from '../../plugin/core/util/result';

export type FailureReason =
  | 'invalid-option'
  | 'invalid-name'
  | 'duplicate-step'
  | 'name-taken'
  | 'unknown-need'
  | 'no-pipeline'
  | 'file-outside-project'
  | 'not-a-pipeline-file'
  | 'unreadable-file'
  | 'directory-taken';

export interface GeneratorFailure {
  readonly reason: FailureReason;
  /** What is wrong, in one line. */
  readonly message: string;
  /** What to do about it. */
  readonly hint?: string;
}

export function failure(reason: FailureReason, message: string, hint?: string): { ok: false; error: GeneratorFailure } {
  return fail({ reason, message, ...(hint !== undefined ? { hint } : {}) });
}

/** The error a failure becomes at a generator's boundary; `failure` keeps the value for callers and tests. */
export class GeneratorError extends Error {
  override readonly name = 'GeneratorError';

  constructor(
    readonly generator: string,
    readonly failure: GeneratorFailure,
  ) {
    super([`${generator}: ${failure.message}`, ...(failure.hint !== undefined ? [failure.hint] : [])].join('\n'));
    // The message is the whole report: without a stack, Nx does not add
    // "Pass --verbose to see the stacktrace" to an expected failure.
    Object.defineProperty(this, 'stack', { value: undefined });
  }
}

export function valueOrThrow<T>(generator: string, result: Result<T, GeneratorFailure>): T {
  if (!result.ok) throw new GeneratorError(generator, result.error);
  return result.value;
}
