/**
 * `ctx.progress(done, total)` as a progress bar in the step's terminal output.
 *
 * The bar is printed as whole lines, a snapshot each, never redrawn in
 * place: Nx stores a step's terminal output in its cache and replays it on
 * every hit (also in CI logs, where carriage returns and cursor codes turn
 * into noise), and the step's own log lines must interleave cleanly. So the
 * output is throttled to a few readable lines instead: the first call, each
 * further tenth of the work (at most one a second), a line every 30 s on a
 * long stretch without a new tenth, and completion.
 *
 *   ▕██████░░░░░░░░░░░░░░▏  30% 300/1000 · 4.2s · about 9.8s left
 */
import { formatDuration } from '../util/duration';

const WIDTH = 20;
const MIN_GAP_MS = 1_000;
const HEARTBEAT_MS = 30_000;
/** Without a total there is no tenth to wait for: a line every 5 s at most. */
const UNKNOWN_TOTAL_GAP_MS = 5_000;

function count(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function renderBar(done: number, total: number | undefined, elapsedMs: number): string {
  if (total === undefined) return `progress ${count(done)} · ${formatDuration(elapsedMs)}`;
  const ratio = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(ratio * WIDTH);
  const bar = `▕${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}▏`;
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  const left = ratio > 0 && ratio < 1 && elapsedMs >= 1_000 ? ` · about ${formatDuration((elapsedMs / ratio) * (1 - ratio))} left` : '';
  return `${bar} ${pct} ${count(done)}/${count(total)} · ${formatDuration(elapsedMs)}${left}`;
}

/** A `progress(done, total?)` function that writes throttled bar lines through `write`. */
export function progressBar(write: (line: string) => void, now: () => number = () => performance.now()): (done: number, total?: number) => void {
  let started: number | undefined;
  let lastAt = -Infinity;
  let lastTenth = -1;
  let lastDone: number | undefined;
  let finished = false;
  return (done, total) => {
    // A cosmetic call must never break a step: ignore values that cannot be drawn.
    if (typeof done !== 'number' || !Number.isFinite(done) || done < 0) return;
    const known = typeof total === 'number' && Number.isFinite(total) && total > 0 ? total : undefined;
    const t = now();
    started ??= t;
    const first = lastDone === undefined;
    let due: boolean;
    if (known === undefined) {
      due = first || (done !== lastDone && t - lastAt >= UNKNOWN_TOTAL_GAP_MS);
    } else {
      const tenth = Math.floor(Math.min(1, done / known) * 10);
      const complete = done >= known;
      due =
        first ||
        (complete && !finished) ||
        (!complete && tenth > lastTenth && t - lastAt >= MIN_GAP_MS) ||
        (!complete && done !== lastDone && t - lastAt >= HEARTBEAT_MS);
      if (due) {
        lastTenth = tenth;
        finished = complete;
      }
    }
    if (!due) return;
    lastAt = t;
    lastDone = done;
    write(renderBar(done, known, t - started));
  };
}
