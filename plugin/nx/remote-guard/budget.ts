/**
 * The time a run may spend waiting on the remote cache: the wall-clock time
 * during which at least one request to the server is outstanding (two
 * parallel requests of 3 s cost 3 s, not 6), so "the budget" is what the
 * remote cache can add to the run's duration, whatever Nx's parallelism.
 */
export class TimeBudget {
  private active = 0;
  private since = 0;
  private spentMs = 0;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Marks a request outstanding; call the returned function once it is over. */
  begin(): () => void {
    if (this.active++ === 0) this.since = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.active === 0) this.spentMs += this.now() - this.since;
    };
  }

  spent(): number {
    return this.spentMs + (this.active > 0 ? this.now() - this.since : 0);
  }

  remaining(): number {
    return Math.max(0, this.budgetMs - this.spent());
  }
}
