/**
 * A value that cannot be stored faithfully, with where it sits inside the
 * result (`result.models[2].fit`). The encoder does not track paths while it
 * walks (that would cost on every value); each container adds its own step
 * to the path as the error passes through it.
 */
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
