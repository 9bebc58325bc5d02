const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses '90s', '30m', '24h', '7d', '2w', '500ms' (also '1.5h') into milliseconds (TTLs, `--since 7d`). */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const ms = Number(m[1]) * (UNITS[m[2]] ?? NaN);
  return Number.isFinite(ms) && ms >= 1 ? Math.round(ms) : undefined;
}

/** A duration as people read it: 850ms, 2.35s, 12.4s, 1m 5s, 2h 3m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h ${Math.round((ms % 3_600_000) / 60_000)}m`;
}
