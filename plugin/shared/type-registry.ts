/**
 * The process-wide registry of `registerType` classes. Shared by the declaration API (which registers)
 * and the result codec in the engine (which looks classes up), so neither imports the other's values
 * (docs/architecture.md, the dependency rule). It lives on globalThis, so two copies of nx-steps in one
 * process (CommonJS and ESM) share it.
 */
export interface RegisteredType {
  readonly name: string;
  readonly cls: abstract new (...args: never[]) => unknown;
  readonly toJSON: (value: unknown) => unknown;
  readonly fromJSON: (data: unknown) => unknown;
}

interface Registry {
  readonly byName: Map<string, RegisteredType>;
  readonly byClass: Map<unknown, RegisteredType>;
}

const REGISTRY = Symbol.for('nx-steps.types');

/** The process-wide registry (shared by every copy of this module). */
export function typeRegistry(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry };
  return (g[REGISTRY] ??= { byName: new Map(), byClass: new Map() });
}
