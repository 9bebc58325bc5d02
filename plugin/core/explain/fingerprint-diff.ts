/**
 * Which parts of a step's key changed between two fingerprint records.
 *
 * Written over the record's fields generically, not field by field: the
 * record grows (a custom key, a TTL window, a salt) and a part this file
 * does not know yet must still be reported, by its field name, rather than
 * silently ignored. Known parts get precise wording; a map of named entries
 * (args, params, needs, or any such field added later) is compared entry by
 * entry; anything else is compared by its canonical encoding.
 */
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import type { CanonicalValue } from '../hash/canonical';
import { canonicalEncode } from '../hash/canonical';
import { SECRET_MASK } from '../state/secrets';

export interface KeyChange {
  /** The record's field: 'code', 'args', 'params', 'needs', 'strategy', 'version', 'nxSteps', or one added later. */
  readonly part: string;
  /** The entry inside the part: an argument, param or need name, a code file, a package. */
  readonly name?: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** What the entry was and is, shortly, for display (absent when there is nothing to show). */
  readonly before?: string;
  readonly after?: string;
  /** One line for a person. */
  readonly message: string;
}

/** How each known part is called in messages. */
const PART_NAMES: Readonly<Record<string, string>> = {
  schema: 'fingerprint format',
  nxSteps: 'nx-steps version',
  strategy: 'cache strategy',
  code: 'code',
  args: 'argument',
  params: 'param',
  needs: 'upstream result',
  version: 'version salt',
  key: 'custom cache key (it may read the environment)',
  ttl: 'TTL window',
  salt: 'salt (set by nx-steps clear)',
  identity: "step's identity (project, folder, step name: its code may see them)",
  inputs: "names of the step's inputs, in order",
};

type Fields = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  return canonicalEncode(a as CanonicalValue) === canonicalEncode(b as CanonicalValue);
}

function short(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A value for display: strings as they are (digests shortened), anything else as JSON. */
function show(v: unknown): string {
  if (typeof v === 'string') return /^[0-9a-f]{16,}$/.test(v) ? v.slice(0, 12) : short(v);
  if (isObject(v) && typeof v['digest'] === 'string' && Object.keys(v).length === 1) return (v['digest'] as string).slice(0, 12);
  return short(JSON.stringify(v) ?? String(v));
}

/** A map whose values are all objects: compared entry by entry. */
function isEntryMap(v: unknown): v is Readonly<Record<string, Fields>> {
  return isObject(v) && Object.values(v).every(isObject);
}

function partName(part: string): string {
  return PART_NAMES[part] ?? part;
}

function describeEntry(part: string, name: string, before: Fields | undefined, after: Fields | undefined): KeyChange {
  const kind: KeyChange['kind'] = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
  const label = `${partName(part)} ${name}`;
  const base = { part, name, kind } as const;
  if (kind === 'added') return { ...base, after: show(after?.['value'] ?? after?.['path'] ?? after?.['digest']), message: `${label} is new` };
  if (kind === 'removed') return { ...base, before: show(before?.['value'] ?? before?.['path'] ?? before?.['digest']), message: `${label} was removed` };
  const b = before as Fields;
  const a = after as Fields;
  if (part === 'params' && (a['value'] === SECRET_MASK || b['value'] === SECRET_MASK)) return { ...base, message: `${label} changed (a secret: not shown)` };
  // Values where this machine knows both (records/param-values.ts); a result made elsewhere has only digests.
  if (part === 'params' && 'value' in a && 'value' in b)
    return { ...base, before: show(b['value']), after: show(a['value']), message: `${label}: ${show(b['value'])} → ${show(a['value'])}` };
  if (part === 'args' && (a['kind'] === 'file' || a['kind'] === 'dir')) {
    if (b['path'] !== a['path'] || b['kind'] !== a['kind']) {
      return {
        ...base,
        before: String(b['path'] ?? b['kind']),
        after: String(a['path']),
        message: `${label} now points at ${String(a['path'])} (was ${String(b['path'] ?? `a ${String(b['kind'])}`)})`,
      };
    }
    const files = a['kind'] === 'dir' && b['files'] !== a['files'] ? ` (${String(b['files'])} → ${String(a['files'])} files)` : '';
    return { ...base, before: show(b['digest']), after: show(a['digest']), message: `${label}: content of ${String(a['path'])} changed${files}` };
  }
  if (part === 'needs') {
    const step = String(a['step'] ?? name);
    return {
      ...base,
      before: show(b['digest']),
      after: show(a['digest']),
      message: `${partName(part)} of ${step}${step === name ? '' : ` (as ${name})`} changed: ${show(b['digest'])} → ${show(a['digest'])}`,
    };
  }
  return { ...base, before: show(b['digest'] ?? b), after: show(a['digest'] ?? a), message: `${label} changed` };
}

function diffCode(before: Fields | undefined, after: Fields | undefined): KeyChange[] {
  if (same(before?.['digest'], after?.['digest'])) return [];
  if (!before) return [{ part: 'code', kind: 'added', message: 'code now counts (the step uses code_hash)' }];
  if (!after) return [{ part: 'code', kind: 'removed', message: 'code no longer counts (the step uses input_hash)' }];
  const out: KeyChange[] = [];
  const files = (r: Fields) => (isObject(r['files']) ? r['files'] : {});
  const packages = (r: Fields) => (isObject(r['packages']) ? r['packages'] : {});
  for (const [file, kind] of keyDiff(files(before), files(after))) {
    const message = kind === 'added' ? `code: now reaches ${file}` : kind === 'removed' ? `code: no longer reaches ${file}` : `code: ${file} changed`;
    out.push({ part: 'code', name: file, kind, message });
  }
  for (const [pkg, kind] of keyDiff(packages(before), packages(after))) {
    const b = packages(before)[pkg];
    const a = packages(after)[pkg];
    const message =
      kind === 'added'
        ? `code: now imports package ${pkg} ${String(a)}`
        : kind === 'removed'
          ? `code: no longer imports package ${pkg}`
          : `code: package ${pkg} ${String(b)} → ${String(a)}`;
    out.push({
      part: 'code',
      name: `package ${pkg}`,
      kind,
      ...(b !== undefined ? { before: String(b) } : {}),
      ...(a !== undefined ? { after: String(a) } : {}),
      message,
    });
  }
  for (const list of ['builtins', 'unresolved']) {
    if (!same(before[list], after[list]))
      out.push({
        part: 'code',
        name: list,
        kind: 'changed',
        before: show(before[list]),
        after: show(after[list]),
        message: `code: ${list === 'builtins' ? 'Node built-in imports' : 'unresolved imports'} changed: ${show(before[list])} → ${show(after[list])}`,
      });
  }
  // Same files, packages and imports but another digest: how nx-steps reads code changed.
  if (out.length === 0)
    out.push({
      part: 'code',
      kind: 'changed',
      before: show(before['digest']),
      after: show(after['digest']),
      message: 'code digest changed (nx-steps reads code differently; an nx-steps update does this)',
    });
  return out;
}

/** Keys added, removed, or with a different value, in sorted order. */
function keyDiff(before: Fields, after: Fields): [string, KeyChange['kind']][] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k): [string, KeyChange['kind']][] => {
    if (!(k in before)) return [[k, 'added']];
    if (!(k in after)) return [[k, 'removed']];
    return same(before[k], after[k]) ? [] : [[k, 'changed']];
  });
}

/** The parts of `after` (the next run's key) that differ from `before` (the stored one). */
export function diffFingerprints(before: FingerprintRecord, after: FingerprintRecord): KeyChange[] {
  const b = before as unknown as Fields;
  const a = after as unknown as Fields;
  // Fixed order for the known parts (most telling first), then any others by name.
  const order = ['code', 'args', 'params', 'needs', 'strategy', 'version', 'key', 'ttl', 'salt', 'nxSteps', 'schema'];
  const parts = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort(
    (x, y) => (order.indexOf(x) + 1 || order.length + 1) - (order.indexOf(y) + 1 || order.length + 1) || x.localeCompare(y),
  );
  const out: KeyChange[] = [];
  for (const part of parts) {
    const before_ = b[part];
    const after_ = a[part];
    if (same(before_, after_)) continue;
    if (part === 'code') {
      out.push(...diffCode(isObject(before_) ? before_ : undefined, isObject(after_) ? after_ : undefined));
    } else if ((before_ === undefined || isEntryMap(before_)) && (after_ === undefined || isEntryMap(after_))) {
      const bm = (before_ ?? {}) as Readonly<Record<string, Fields>>;
      const am = (after_ ?? {}) as Readonly<Record<string, Fields>>;
      for (const [name] of keyDiff(bm, am)) out.push(describeEntry(part, name, bm[name], am[name]));
    } else {
      out.push(describeScalar(part, before_, after_));
    }
  }
  return out;
}

function describeScalar(part: string, before: unknown, after: unknown): KeyChange {
  const kind: KeyChange['kind'] = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
  const shown = (v: unknown) => (part === 'ttl' && isObject(v) ? `${String(v['text'])} window #${String(v['window'])}` : show(v));
  const base = { part, kind, ...(before !== undefined ? { before: shown(before) } : {}), ...(after !== undefined ? { after: shown(after) } : {}) };
  const name = partName(part);
  if (kind === 'added') return { ...base, message: `${name} is new: ${shown(after)}` };
  if (kind === 'removed') return { ...base, message: `${name} was removed (was ${shown(before)})` };
  return { ...base, message: `${name}: ${shown(before)} → ${shown(after)}` };
}
