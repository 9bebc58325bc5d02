const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

/** Parses '2GiB', '512 MiB', '1.5GB', '4096' (bytes) into bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(text);
  if (!m || m[1] === undefined) return undefined;
  const bytes = Number(m[1]) * (UNITS[(m[2] ?? 'B').toUpperCase()] ?? NaN);
  return Number.isFinite(bytes) && bytes >= 1 ? Math.round(bytes) : undefined;
}
