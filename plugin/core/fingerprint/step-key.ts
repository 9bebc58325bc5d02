/**
 * The one place a step's key is built. Every view of it comes from here, so
 * the views cannot disagree:
 *
 * - lock entry (static): code closure digest + declaration digest. Committed
 *   in nx-steps.lock.json; `nx affected` reads one field per step (the items
 *   of a fan-out share their step's: `lockId`).
 * - live digest: lock entry + argument contents + the item (a fan-out
 *   item's value or file, a factory call's arguments) + nx-steps version + TTL
 *   window + the step's identity where it is in the full key (below). The pre-task hook hands it to Nx as the step's `{env}` input
 *   (salted where this machine cleared the step), so it is part of Nx's task
 *   hash.
 * - full record: live parts + params with this run's overrides + upstream
 *   result digests + custom key + salt + the names of the step's input in
 *   their order + its identity (project, folder, step name) unless its code
 *   provably cannot see it (code_hash steps whose closure finds no way to:
 *   code/identity.ts). Stored in step.json; its digest recognises outputs
 *   already on disk, and names the step-keyed cache entry (`entryKey`). So
 *   a result made by one step is served to another only when both run the
 *   same code, which cannot tell them apart, on the same inputs.
 *
 * Building is split by cost: `parts` hashes data and code (the expensive
 * half, shared by all views); the views are pure functions of the parts.
 */
import type { Json } from '../../api/json';
import type { StepCode } from '../code/closure';
import type { Diagnostic } from '../diagnostics';
import { canonicalDigest } from '../hash/canonical';
import type { ProjectModel, StepModel } from '../model/project-model';
import { own } from '../util/own';
import type { Result } from '../util/result';
import { ok } from '../util/result';
import { nxStepsVersion } from '../version';
import type { Services } from '../workspace';
import { stepKey } from './env-name';
import { codeName, evaluateArgs, evaluateCode, evaluateItem } from './evaluate';
import type { ArgPart, FingerprintRecord, IdentityPart, ItemPart, LockEntry } from './fingerprint';
import { argMaterial, FINGERPRINT_SCHEMA, fingerprintDigest, inputNames, itemMaterial, lockEntry, valueDigest } from './fingerprint';
import { ttlWindow } from './ttl';

/** What the disk and the code say about a step: everything but this run's inputs. */
export interface KeyParts {
  readonly step: StepModel;
  /** `stepKey(projectRoot, name)`: the step's identity in the lock, the salts and env names. */
  readonly id: string;
  readonly strategy: FingerprintRecord['strategy'];
  readonly code?: StepCode;
  readonly lock: LockEntry;
  readonly args: Readonly<Record<string, ArgPart>>;
  /** A fan-out item or a factory call's arguments: what this task of its step is made with. */
  readonly item?: ItemPart;
  readonly nxSteps: string;
  readonly ttl?: NonNullable<FingerprintRecord['ttl']>;
  /** Who the step is (`ctx.project`, its folder, `ctx.step`): in the full key unless its code cannot see it. */
  readonly identity: IdentityPart;
}

/** The step's field in nx-steps.lock.json: the items of a fan-out share their step's. */
export function lockId(step: StepModel): string {
  return stepKey(step.projectRoot, codeName(step));
}

/** This run's inputs: they complete the parts into the full record. */
export interface RunInputs {
  /** Params with this run's overrides applied. */
  readonly params: Readonly<Record<string, Json>>;
  /** Upstream result digests by input name. */
  readonly needs: Readonly<Record<string, string>>;
  /** Digest of the custom key's value, for steps that declare one. */
  readonly customKey?: string;
  /** This machine's salt for the step's current live digest (state/salts.ts). */
  readonly salt?: string;
  /** The keyed digest of each secret param's value (state/secrets.ts): it stands for the value in the record. */
  readonly secretDigests?: Readonly<Record<string, string>>;
}

export interface FullKey {
  readonly record: FingerprintRecord;
  /** Digest of the record: what step.json stores and outputs on disk are matched by. */
  readonly digest: string;
  /** The key of the step-keyed cache entry: the digest in the form of an Nx cache key. */
  readonly entryKey: string;
}

/** Code closures are computed per pipeline file; this memo keeps one computation per project. */
export class KeyBuilder {
  private readonly codes = new Map<ProjectModel, Map<string, StepCode>>();
  /** By lockId: the 500 items of a fan-out share one entry. */
  private readonly locks = new Map<string, LockEntry>();

  constructor(
    private readonly services: Services,
    /** The run's clock reading (TTL windows). */
    private readonly now: number,
  ) {}

  /** The lock entry alone: reads code, never data. */
  lock(project: ProjectModel, step: StepModel): LockEntry {
    const id = lockId(step);
    let entry = this.locks.get(id);
    if (!entry) {
      entry = lockEntry(step, this.codeOf(project, step));
      this.locks.set(id, entry);
    }
    return entry;
  }

  /** Hashes the step's arguments and code. Fails when an argument cannot be hashed. */
  parts(project: ProjectModel, step: StepModel): Result<KeyParts, Diagnostic> {
    const args = evaluateArgs(this.services, step, project.displayName);
    if (!args.ok) return args;
    const item = evaluateItem(this.services, step, project.displayName);
    if (!item.ok) return item;
    const code = this.codeOf(project, step);
    const cache = step.cache;
    const id = stepKey(step.projectRoot, step.name);
    const ttl = cache.enabled && cache.ttl ? { text: cache.ttl.text, window: ttlWindow(id, cache.ttl.ms, this.now).window } : undefined;
    return ok({
      step,
      id,
      strategy: cache.enabled ? cache.strategy : 'code_hash',
      ...(code ? { code } : {}),
      lock: this.lock(project, step),
      args: args.value,
      ...(item.value ? { item: item.value } : {}),
      nxSteps: nxStepsVersion(),
      ...(ttl ? { ttl } : {}),
      identity: { project: project.displayName, root: step.projectRoot, step: step.name },
    });
  }

  /** The step's code closure (code_hash steps only). */
  code(project: ProjectModel, step: StepModel): StepCode | undefined {
    return this.codeOf(project, step);
  }

  private codeOf(project: ProjectModel, step: StepModel): StepCode | undefined {
    const cache = step.cache;
    if (!cache.enabled || cache.strategy !== 'code_hash' || step.errors.length > 0) return undefined;
    let codes = this.codes.get(project);
    if (!codes) {
      codes = evaluateCode(this.services, project);
      this.codes.set(project, codes);
    }
    return codes.get(codeName(step));
  }
}

/**
 * The live digest: what can change without a committed file changing (data
 * contents, the plugin version, the TTL window) on top of the lock entry.
 */
export function liveDigest(parts: KeyParts): string {
  return canonicalDigest({
    lock: { code: parts.lock.code, config: parts.lock.config },
    nxSteps: parts.nxSteps,
    args: argMaterial(parts.args),
    ttl: parts.ttl?.window,
    ...(parts.item ? { item: itemMaterial(parts.item) } : {}),
    // Nx's hash of a moved project folder may be the same (its name, its lock field's content, this value):
    // a step that may see where it is must change this value too, or Nx restores the old folder's outputs.
    ...(identityInKey(parts) ? { identity: { project: parts.identity.project, root: parts.identity.root, step: parts.identity.step } } : {}),
  });
}

/** The `{env}` input's value: the live digest, salted where this machine cleared the step. */
export function envValue(live: string, salt: string | undefined): string {
  return salt === undefined ? live : canonicalDigest({ live, salt });
}

export function fullKey(parts: KeyParts, inputs: RunInputs): FullKey {
  const { step } = parts;
  const record: FingerprintRecord = {
    schema: FINGERPRINT_SCHEMA,
    nxSteps: parts.nxSteps,
    strategy: parts.strategy,
    ...(parts.code ? { code: parts.code } : {}),
    args: parts.args,
    params: Object.fromEntries(Object.entries(inputs.params).map(([k, v]) => [k, { digest: own(inputs.secretDigests, k) ?? valueDigest(v) }])),
    needs: Object.fromEntries(Object.entries(inputs.needs).map(([k, digest]) => [k, { step: step.needs[k] ?? k, digest }])),
    ...(step.version !== undefined ? { version: step.version } : {}),
    ...(inputs.customKey !== undefined ? { key: inputs.customKey } : {}),
    ...(parts.ttl ? { ttl: parts.ttl } : {}),
    ...(inputs.salt !== undefined ? { salt: inputs.salt } : {}),
    ...(parts.item ? { item: parts.item } : {}),
    inputs: inputNames(step),
    ...(identityInKey(parts) ? { identity: parts.identity } : {}),
  };
  const digest = fingerprintDigest(record);
  return { record, digest, entryKey: entryKeyOf(digest) };
}

/**
 * An Nx cache key for a fingerprint digest: its 128 bits in decimal. Nx's own
 * keys are 64-bit numbers in decimal (at most 20 digits); these have up to 39,
 * so the two never meet, and a server that accepts Nx's keys accepts these.
 */
export function entryKeyOf(digest: string): string {
  return BigInt(`0x${digest}`).toString(10);
}

/**
 * Whether the step's identity joins its full key: always, unless nx-steps
 * can prove the step cannot observe it, which takes its code in the key
 * (code_hash: input_hash keys have none) and a closure with no way to reach
 * `ctx.step`, `ctx.project` or its own module's path (`code.identity`).
 * Two steps whose keys then agree run the same code on the same inputs and
 * cannot tell each other apart: they may share a result.
 */
export function identityInKey(parts: Pick<KeyParts, 'strategy' | 'code'>): boolean {
  if (parts.strategy !== 'code_hash' || !parts.code) return true;
  return parts.code.identity?.observable !== false;
}
