/**
 * The shape of a workspace's signing policy (implemented by
 * core/outputs/trust.ts), here so the services every entry point shares can
 * carry one without the lower layers depending on the outputs layer.
 */

/** The digests of a verified result that its signature covers (a StepMeta has them). */
export interface SignedResult {
  readonly fingerprint: { readonly digest: string };
  readonly result: { readonly digest: string };
}

export interface ResultTrust {
  /** Why a verified result folder is not trusted, or undefined. */
  untrusted(dir: string, meta: SignedResult): string | undefined;
  /** Signs a result folder this machine just computed. */
  sign(dir: string, meta: SignedResult): void;
  /** Whether this machine holds the team's key (its results are trusted everywhere, and it may upload). */
  readonly teamSigner: boolean;
}
