/**
 * Time-to-live, exactly:
 *
 * Time is cut into windows of length `ttl`. A step's key includes the index
 * of the current window, so an entry made during a window is reused only
 * until that window ends: never more than `ttl` after it was made, and
 * possibly sooner (an entry made just before a boundary lives briefly).
 * Each step's windows are shifted by an offset derived from its identity,
 * so steps with the same ttl do not all expire at the same instant, yet
 * every machine agrees on the windows (shared remote cache entries expire
 * together everywhere).
 *
 * The clock is read once per run, by the pre-task hook, and handed to the
 * step processes (NX_STEPS_RUN_TIME), so the hash Nx computes and the
 * fingerprint the executor stores always use the same window.
 */
import { hashBytes } from '../util/xxhash';

/** Set by the pre-task hook: the run's clock reading, in ms since the epoch. */
export const RUN_TIME_ENV = 'NX_STEPS_RUN_TIME';
/** Pretend the current time is this (ms since the epoch): for tests and for reproducing a TTL decision. */
const NOW_ENV = 'NX_STEPS_NOW';

interface TtlWindow {
  readonly window: number;
  /** When the window started and ends (ms since the epoch). */
  readonly startsAt: number;
  readonly endsAt: number;
}

export function ttlWindow(stepId: string, ttlMs: number, nowMs: number): TtlWindow {
  const offset = parseInt(hashBytes(stepId).slice(0, 12), 16) % ttlMs;
  const window = Math.floor((nowMs + offset) / ttlMs);
  const startsAt = window * ttlMs - offset;
  return { window, startsAt, endsAt: startsAt + ttlMs };
}

/** The run's time: the hook's frozen reading, else NX_STEPS_NOW, else the clock. */
export function runTime(env: NodeJS.ProcessEnv = process.env): number {
  for (const name of [RUN_TIME_ENV, NOW_ENV]) {
    const v = env[name];
    if (v !== undefined && v !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return Date.now();
}
