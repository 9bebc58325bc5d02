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
 *   digests + the step's identity where its code may see it), computed by
 *   the executor, stored with the result, and compared to recognise outputs
 *   already on disk.
 *
 * Two encodings (hash/canonical.ts): values a step receives (literal args,
 * params, fan-out items, factory arguments) and the names of its input
 * object keep their order, which the step can see (`Object.keys`); the
 * structure of the record itself is sorted.
 */
import type { Json } from '../../api/json';
import type { StepCode } from '../code/closure';
import { canonicalDigest, orderedDigest } from '../hash/canonical';
import type { CanonicalValue } from '../hash/canonical';
import type { CacheStrategyName } from '../model/declarations';
import type { ResolvedArg, StepModel } from '../model/project-model';

/** 2: identity, input names in order, user values in order. */
export const FINGERPRINT_SCHEMA = 2;

export type ArgPart =
  /** `path`: as declared (workspace-relative, or absolute outside it); the step receives it, so it is part of the key. */
  | { readonly kind: 'file' | 'dir'; readonly digest: string; readonly path: string; readonly files?: number }
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
  /** A file item's path (workspace-relative, or absolute outside it): the step receives it, so it is part of the key. */
  readonly path?: string;
}

/**
 * Who the step is, as its code could see it: `ctx.project`, the project's
 * folder (the pipeline module's path, `__dirname`), `ctx.step`. Part of the
 * full key unless the code provably cannot observe it (identity.ts).
 */
export interface IdentityPart {
  readonly project: string;
  readonly root: string;
  readonly step: string;
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
  /** The names of the step function's input object, in the order it receives them (`inputNames`). */
  readonly inputs: readonly string[];
  /** Present when the step could observe who it is (input_hash, or code that reads it: `code.identity`). */
  readonly identity?: IdentityPart;
}

/** The parts that decide the digest; display-only fields are left out. */
export function keyMaterial(r: FingerprintRecord): CanonicalValue {
  return {
    schema: r.schema,
    nxSteps: r.nxSteps,
    strategy: r.strategy,
    code: r.code?.digest,
    args: argMaterial(r.args),
    params: Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, p.digest])),
    needs: Object.fromEntries(Object.entries(r.needs).map(([k, n]) => [k, n.digest])),
    version: r.version,
    key: r.key,
    ttl: r.ttl?.window,
    salt: r.salt,
    ...(r.item ? { item: itemMaterial(r.item) } : {}),
    inputs: [...r.inputs],
    ...(r.identity ? { identity: { project: r.identity.project, root: r.identity.root, step: r.identity.step } } : {}),
  };
}

export function itemMaterial(i: ItemPart): CanonicalValue {
  return { key: i.key, kind: i.kind, digest: i.digest, ...(i.path !== undefined ? { path: i.path } : {}) };
}

/** Each argument by content, and a file or folder by the path the step receives too (it may use it, not only read it). */
export function argMaterial(args: Readonly<Record<string, ArgPart>>): CanonicalValue {
  return Object.fromEntries(Object.entries(args).map(([k, a]) => [k, a.kind === 'value' ? `value:${a.digest}` : `${a.kind}:${a.path}:${a.digest}`]));
}

export function fingerprintDigest(r: FingerprintRecord): string {
  return canonicalDigest(keyMaterial(r));
}

/** A value the step receives: its key order counts (`Object.keys` sees it). */
export function valueDigest(value: Json): string {
  return orderedDigest(value as CanonicalValue);
}

/**
 * The names of the object the step function receives, in its order: args,
 * then a fan-out item, then upstream results, then params, the way
 * run/execute.ts builds it (integer-like names first, as in any object).
 */
export function inputNames(step: StepModel): string[] {
  const shape: Record<string, true> = {};
  for (const name of Object.keys(step.args)) shape[name] = true;
  if (step.item?.fanOut) shape[step.item.fanOut.input] = true;
  for (const name of Object.keys(step.needs)) shape[name] = true;
  for (const name of Object.keys(step.params)) shape[name] = true;
  return Object.keys(shape);
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
  return step.item?.source.kind === 'value' ? { factory: orderedDigest(step.item.source.value as CanonicalValue) } : undefined;
}

export function lockEntry(step: StepModel, code: StepCode | undefined): LockEntry {
  const cache = step.cache;
  const item = step.item ? declaredItem(step) : undefined;
  // What the step receives keeps its order (inputNames, and the values' own); the rest is our structure.
  const config = canonicalDigest({
    strategy: cache.enabled ? cache.strategy : 'none',
    inputs: inputNames(step),
    args: orderedDigest(Object.fromEntries(Object.entries(step.args).map(([k, a]) => [k, declaredArg(a)]))),
    params: orderedDigest(step.params as CanonicalValue),
    version: step.version,
    ttl: cache.enabled ? cache.ttl?.text : undefined,
    key: cache.enabled ? cache.key?.digest : undefined,
    ...(item !== undefined ? { item } : {}),
  });
  return cache.enabled && cache.strategy === 'code_hash' && code ? { code: code.digest, config } : { config };
}
