/**
 * `secret()`: a param whose value is a secret (a token, a password). Its value is given for one run on the
 * command line (`nx run etl:upload --token="$API_TOKEN"`); a run without it fails with NXS202 before the
 * step is called. The value joins the step's key only as a keyed digest (HMAC-SHA256, docs/hashing.md) and
 * is never written anywhere by nx-steps: not in the step's outputs (so never in a cache entry), not in run
 * records, reports or logs, where it shows as `•••`.
 *
 *   export const upload = step({ params: { token: secret() } }, ({ token }) => post(url, token));
 *
 * Read statically, like every declaration: write `secret()` itself as the param's value. Params whose names
 * look secret (the `secretParams` option of nx-steps/plugin, by default /token|secret|passw(or)?d|api[_-]?key|
 * private[_-]?key|credential/i) are treated as secrets too, whatever their value.
 */

/** Brand of `secret()`, shared by every copy of this module, even when loaded twice. */
export const SECRET_KIND = Symbol.for('nx-steps.secret');

export interface SecretParam {
  readonly [SECRET_KIND]: true;
}

/**
 * Declares a secret param. Typed as a string, the type the step function receives; at run time the value
 * the step receives is the command line's, never this marker.
 */
export function secret(): string {
  const marker: SecretParam = { [SECRET_KIND]: true };
  return marker as unknown as string;
}
