/**
 * Maps keyed by names users choose: steps, needs, params, args, exports, top-level declarations, fan-out
 * items. A plain object is no such map: `map['toString']` answers with Object.prototype's function,
 * `'constructor' in map` is true for every object, and `map['__proto__'] = v` replaces the object's
 * prototype instead of adding a key. These maps stay plain JSON (they are cached on disk and read back
 * with JSON.parse, which makes ordinary objects again), so the rule is:
 *
 * - build them with `emptyRecord()` / `recordFrom()` (no prototype, so a write is always a key);
 * - read them with `own()` / `hasOwn()`, which see own keys only, whatever the object's prototype;
 * - give users objects with their usual prototype, keys set by `defineOwn()` (a `__proto__` key then is one).
 */

/** A map with no prototype: every name is only ever a key. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Like `Object.fromEntries`, into a map with no prototype. */
export function recordFrom<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = emptyRecord<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** `record[key]` when it is the record's own key; never a value inherited from Object.prototype. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether `key` is the record's own key (`key in record` is true for `toString` on every plain object). */
export function hasOwn(record: object | undefined, key: string): boolean {
  return record !== undefined && Object.hasOwn(record, key);
}

/** Sets an own, enumerable key, also `__proto__`, on an object users see (its prototype is left alone). */
export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Names of Object.prototype's own properties: Nx 24 cannot use them as target or project names (its maps are plain objects). */
export const OBJECT_PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
