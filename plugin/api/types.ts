import type { RegisteredType } from '../shared/type-registry';
import { typeRegistry } from '../shared/type-registry';

/**
 * `registerType(name, Class, serializer?)`: lets a step return instances of a
 * class the user owns (a trained model, a data frame). The result stores
 * `serializer.toJSON(instance)` (any storable value: plain data, typed
 * arrays, an Arrow Table, ...) under `name`; reading it back calls
 * `serializer.fromJSON(data)`. Without a serializer the class's own
 * `toJSON()` method and static `fromJSON(data)` are used.
 *
 *   registerType('ml.Forest', RandomForestRegression, { toJSON: (m) => m.toJSON(), fromJSON: RandomForestRegression.load });
 *
 * Call it at the top level of a module the pipeline file imports, so that it
 * runs before a step stores or reads such a value, in every process. The
 * registry lives on globalThis, so two copies of nx-steps in one process
 * (CommonJS and ESM) share it.
 *
 * For the editor and `tsc` to accept the class in a step's result, declare it
 * too (see `StorableTypes` in ./storable.ts):
 *
 *   declare module 'nx-steps' { interface StorableTypes { forest: RandomForestRegression } }
 */
export interface TypeSerializer<T, D = unknown> {
  /** What to store for an instance: any value nx-steps can store. */
  toJSON(value: T): D;
  /** Rebuilds an instance from what `toJSON` returned. */
  fromJSON(data: D): T;
}

type Ctor<T> = abstract new (...args: never[]) => T;
type WithStatics<T, D> = Ctor<T> & { fromJSON?: (data: D) => T };

export function registerType<T, D = unknown>(name: string, cls: WithStatics<T, D>, serializer?: Partial<TypeSerializer<T, D>>): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('registerType(name, Class): name must be a non-empty string');
  if (typeof cls !== 'function') throw new TypeError(`registerType('${name}', Class): Class must be a class (a constructor function)`);
  const toJSON = serializer?.toJSON ?? ((v: T) => (v as { toJSON?: () => D }).toJSON?.call(v));
  const fromJSON = serializer?.fromJSON ?? cls.fromJSON?.bind(cls);
  if (!serializer?.toJSON && typeof (cls.prototype as { toJSON?: unknown }).toJSON !== 'function') {
    throw new TypeError(`registerType('${name}', ${cls.name}): pass { toJSON } or give ${cls.name} a toJSON() method`);
  }
  if (typeof fromJSON !== 'function')
    throw new TypeError(`registerType('${name}', ${cls.name}): pass { fromJSON } or give ${cls.name} a static fromJSON(data) method`);
  const registry = typeRegistry();
  const existing = registry.byName.get(name);
  if (existing && existing.cls !== cls) {
    throw new TypeError(`registerType('${name}', ${cls.name}): the name is already registered for class ${existing.cls.name}; choose another name`);
  }
  const entry: RegisteredType = { name, cls, toJSON: toJSON as (v: unknown) => unknown, fromJSON: fromJSON as (d: unknown) => unknown };
  registry.byName.set(name, entry);
  registry.byClass.set(cls, entry);
}
