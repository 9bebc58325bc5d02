/**
 * Expected failures travel as values. Code throws only when an invariant of our
 * own is broken; one boundary per entry point turns stray exceptions into
 * diagnostics.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Exhaustiveness check for switches over unions. */
export function unreachable(value: never, what = 'value'): never {
  throw new Error(`nx-steps internal error: unexpected ${what} ${JSON.stringify(value)}`);
}
