/**
 * A step's fingerprint: one explicit record of everything its result
 * depends on, in a fixed shape, each part with its own digest so that tools
 * (`nx-steps why`) can say which part changed.
 *
 * Three views of it are used:
 * - the lock entry: the parts that are fixed by committed files (code,
 *   declaration); written to nx-steps.lock.json so `nx affected` can see a
 *   change to one step without seeing its siblings;
 * - the live digest: lock entry + data content + plugin version + salts,
 *   computed before each run and handed to Nx as an env input;
 * - the full record (live parts + params with overrides + upstream result
 *   digests), computed by the executor, stored with the result, and compared
 *   to recognise outputs already on disk.
 */
import type { Json } from '../../api/json';
import type { StepCode } from '../code/closure';
import { canonicalDigest } from '../hash/canonical';
import type { CanonicalValue } from '../hash/canonical';
import type { CacheStrategyName } from '../model/declarations';
import type { ResolvedArg, StepModel } from '../model/project-model';

export const FINGERPRINT_SCHEMA = 1;

export type ArgPart =
  | { readonly kind: 'file' | 'dir'; readonly digest: string; /** display only */ readonly path: string; readonly files?: number }
  | { readonly kind: 'value'; readonly digest: string };

/**
 * The item one task of a declared step is made with (a fan-out item, a
 * factory call's arguments): its key (the value as text, or the file's path
 * inside the folder) and its digest (the value's, or the file's content).
 */
export interface ItemPart {
  readonly key: string;
  readonly kind: 'value' | 'file';
  readonly digest: string;
  /** display only: a file item's path */
  readonly path?: string;
}

export interface FingerprintRecord {
  readonly schema: typeof FINGERPRINT_SCHEMA;
  readonly nxSteps: string;
  readonly strategy: CacheStrategyName;
  /** Present for code_hash only: input_hash ignores code. */
  readonly code?: StepCode;
  readonly args: Readonly<Record<string, ArgPart>>;
  /**
   * Each param's digest (a secret's keyed: state/secrets.ts). No values: the record is stored in the step's
   * outputs, so in every cache entry; values stay on this machine (records/param-values.ts). Records written
   * before held `value` too, which is never read for a key.
   */
  readonly params: Readonly<Record<string, { readonly digest: string; readonly value?: Json }>>;
  readonly needs: Readonly<Record<string, { readonly step: string; readonly digest: string }>>;
  readonly version?: string;
  /** Digest of the custom cache key's value. */
  readonly key?: string;
  /** TTL window index (see ttl.ts). */
  readonly ttl?: { readonly text: string; readonly window: number };
  /** Set by `nx-steps clear` / `--fresh` until the step's inputs change. */
  readonly salt?: string;
  /** A fan-out item or a factory call's arguments. */
  readonly item?: ItemPart;
}

/** The parts that decide the digest; display-only fields are left out. */
export function keyMaterial(r: FingerprintRecord): CanonicalValue {
  return {
    schema: r.schema,
    nxSteps: r.nxSteps,
    strategy: r.strategy,
    code: r.code?.digest,
    args: Object.fromEntries(Object.entries(r.args).map(([k, a]) => [k, `${a.kind}:${a.digest}`])),
    params: Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, p.digest])),
    needs: Object.fromEntries(Object.entries(r.needs).map(([k, n]) => [k, n.digest])),
    version: r.version,
    key: r.key,
    ttl: r.ttl?.window,
    salt: r.salt,
    // Only when present: a step that is no item keeps the digest it always had.
    ...(r.item ? { item: itemMaterial(r.item) } : {}),
  };
}

export function itemMaterial(i: ItemPart): CanonicalValue {
  return { key: i.key, kind: i.kind, digest: i.digest };
}

export function fingerprintDigest(r: FingerprintRecord): string {
  return canonicalDigest(keyMaterial(r));
}

export function valueDigest(value: Json): string {
  return canonicalDigest(value as CanonicalValue);
}

/** How an argument is declared (not its content): part of the lock entry. */
function declaredArg(a: ResolvedArg): CanonicalValue {
  switch (a.kind) {
    case 'value':
      return { kind: 'value', value: a.value as CanonicalValue };
    case 'file':
      return { kind: 'file', scope: a.location.scope, path: a.location.path };
    case 'dir':
      // Pattern order never changes which files a folder selects (docs/hashing.md), so it never changes the lock.
      return { kind: 'dir', scope: a.location.scope, path: a.location.path, include: [...a.include].sort(), exclude: [...a.exclude].sort() };
  }
}

export interface LockEntry {
  /** Digest of the step's code closure (code_hash only). */
  readonly code?: string;
  /** Digest of the declaration: strategy, args as declared, params, version, cache options. */
  readonly config: string;
}

/**
 * How a step's item is declared: for a fan-out the `each` declaration but
 * not its items, so adding an item changes no other item's lock entry (the
 * items share their step's); for a factory call its arguments.
 */
function declaredItem(step: StepModel): CanonicalValue {
  const each = step.declaration.each;
  if (step.item?.fanOut && each) {
    const src = each.source;
    return {
      each: each.input,
      source: src.kind === 'values' ? 'values' : { dir: src.path, external: src.external, include: [...src.include].sort(), exclude: [...src.exclude].sort() },
    };
  }
  return step.item?.source.kind === 'value' ? { factory: step.item.source.value as CanonicalValue } : undefined;
}

export function lockEntry(step: StepModel, code: StepCode | undefined): LockEntry {
  const cache = step.cache;
  const item = step.item ? declaredItem(step) : undefined;
  const config = canonicalDigest({
    strategy: cache.enabled ? cache.strategy : 'none',
    args: Object.fromEntries(Object.entries(step.args).map(([k, a]) => [k, declaredArg(a)])),
    params: step.params as CanonicalValue,
    version: step.version,
    ttl: cache.enabled ? cache.ttl?.text : undefined,
    key: cache.enabled ? cache.key?.digest : undefined,
    ...(item !== undefined ? { item } : {}),
  });
  return cache.enabled && cache.strategy === 'code_hash' && code ? { code: code.digest, config } : { config };
}
