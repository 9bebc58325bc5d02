/**
 * The params a result was made with (overrides applied), kept on this machine only
 * (`.nx-steps/params/<fingerprint digest>.json`, local-store.ts): the step's stored fingerprint holds only
 * their digests, since it travels in every cache entry. Secrets are kept as their mask, never as values.
 * Written by the engine whenever a step ends with a result (executed, kept, restored by its own key), read
 * by the run records (the experiments view) and by `nx-steps why` and `fingerprint`.
 */
import type { Json } from '../../api/json';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { shownParams } from '../state/secrets';
import { defineOwn, own } from '../util/own';
import { LocalStore } from './local-store';

export type ParamValues = Readonly<Record<string, Json>>;

const store = new LocalStore<{ readonly params: ParamValues }>('params', (raw) => {
  const params = (raw as { params?: unknown } | undefined)?.params;
  return params && typeof params === 'object' && !Array.isArray(params) ? { params: params as ParamValues } : undefined;
});

/** Keeps the params (secrets masked) of the result made with this fingerprint. Never fails the run. */
export function writeParamValues(workspaceRoot: string, fingerprint: string, params: Readonly<Record<string, Json>>, secrets: readonly string[]): void {
  if (Object.keys(params).length > 0) store.write(workspaceRoot, fingerprint, { params: shownParams(params, secrets) as ParamValues });
}

export function readParamValues(workspaceRoot: string, fingerprint: string): ParamValues | undefined {
  return store.read(workspaceRoot, fingerprint)?.params;
}

/** A record with its params' values beside their digests, for display (never stored, never hashed). */
export function withParamValues(record: FingerprintRecord, values: ParamValues | undefined): FingerprintRecord {
  if (!values) return record;
  const params: Record<string, { digest: string; value?: Json }> = {};
  for (const [name, p] of Object.entries(record.params)) {
    const value = own(values, name);
    defineOwn(params, name, value === undefined ? { digest: p.digest } : { digest: p.digest, value });
  }
  return { ...record, params };
}
