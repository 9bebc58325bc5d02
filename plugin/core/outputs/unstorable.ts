/**
 * A value that cannot be stored faithfully, with where it sits inside the
 * result (`result.models[2].fit`). The encoder does not track paths while it
 * walks (that would cost on every value); each container adds its own step
 * to the path as the error passes through it.
 */
import { libraryHint, packageOfClass } from './library-hints';

export class UnstorableValue extends Error {
  private readonly steps: string[] = [];

  constructor(
    readonly what: string,
    steps: readonly string[] = [],
  ) {
    super(what);
    this.steps.push(...steps);
    this.message = this.describe();
  }

  private describe(): string {
    return `${this.path} is ${this.what}, which cannot be stored in the cache`;
  }

  /** Where in the value, e.g. `result.models[2].fit`. */
  get path(): string {
    return `result${[...this.steps].reverse().join('')}`;
  }

  /** Called by each container on the way out, innermost first. */
  within(step: string): this {
    this.steps.push(step);
    this.message = this.describe();
    return this;
  }
}

export function keyStep(key: string | number): string {
  return typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** How deep encode.ts walks a value before it looks for a cycle. */
export const MAX_DEPTH = 1000;

/** Why an object cannot be stored, and what to do instead. */
export function describeUnstorable(v: object): string {
  if (v instanceof Error) return `an Error (${v.message}); return plain data describing it instead`;
  if (v instanceof Promise) return 'a Promise; await it before returning';
  if (v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef) return 'a weak reference or collection';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} (only Buffer, ArrayBuffer and the standard typed arrays are stored)`;
  const known = libraryHint(v);
  if (known) return known;
  const ctor = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor;
  const name = ctor?.name;
  const pkg = packageOfClass(ctor);
  const what = name ? `an instance of class ${name}${pkg ? ` from ${pkg}` : ''}` : 'an object with a custom prototype';
  return `${what} (its prototype would be lost); register a serializer for it with registerType('${name ?? 'Name'}', ${name ?? 'Class'}, { toJSON, fromJSON }) from 'nx-steps', or return plain data`;
}

/** After TooDeep: either a cycle (named by its path) or a value nested too deeply to store. */
export function cycleOrDepth(value: unknown): UnstorableValue {
  const ancestors = new Set<object>();
  const find = (v: unknown): UnstorableValue | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (ancestors.has(v)) return new UnstorableValue('a reference back to one of its own containers (a cycle)');
    ancestors.add(v);
    try {
      const children: Array<[string, unknown]> =
        v instanceof Map
          ? [...v].flatMap(
              ([k, x], i) =>
                [
                  [`.<key ${i}>`, k],
                  [`.get(<key ${i}>)`, x],
                ] as Array<[string, unknown]>,
            )
          : v instanceof Set
            ? [...v].map((x, i) => [`.<item ${i}>`, x])
            : Array.isArray(v)
              ? v.map((x, i) => [`[${i}]`, x])
              : Object.keys(v).map((k) => [keyStep(k), (v as Record<string, unknown>)[k]]);
      for (const [step, child] of children) {
        const found = find(child);
        if (found) return found.within(step);
      }
      return undefined;
    } finally {
      ancestors.delete(v);
    }
  };
  return find(value) ?? new UnstorableValue(`nested more than ${MAX_DEPTH} levels deep; flatten it`);
}

/** Where a walk is inside a Map or Set, turned into a path step only when an error passes. */
export class EntryPath {
  index = 0;
  /** In a Map: walking the value (else the key). */
  value = false;
  constructor(private readonly isMap: boolean) {}
  step(): string {
    return this.isMap ? (this.value ? `.get(<key ${this.index}>)` : `.<key ${this.index}>`) : `.<item ${this.index}>`;
  }
}
