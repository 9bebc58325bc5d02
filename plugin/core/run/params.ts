/**
 * Params are declared with defaults and may be overridden for one run from
 * the command line (`nx run etl:train --lr=0.1`). An override must have the
 * type of its default; Nx's parser turns `--n=3` into a number and `--x`
 * into true, so strings that read as the right type are accepted too.
 */
import type { Json } from '../../api/json';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';

/** Keys Nx itself adds to executor options; they are not params. */
const NX_KEYS = new Set(['_', '$0', '__overrides_unparsed__', '__overrides__', 'verbose', 'skipNxCache', 'skip-nx-cache', 'outputStyle', 'output-style']);

export interface ParamProblem {
  readonly param: string;
  readonly message: string;
  readonly hint: string;
}

function kindOf(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function coerce(name: string, def: Json, raw: unknown): Result<Json, ParamProblem> {
  const kind = kindOf(def);
  const shown = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
  const wrong = (): Result<Json, ParamProblem> =>
    fail({
      param: name,
      message: `Param \`${name}\` is ${kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`} (default ${JSON.stringify(def)}), but --${name} gave ${shown}.`,
      hint: kind === 'array' || kind === 'object' ? `Pass JSON: --${name}='${JSON.stringify(def)}'.` : `Pass a ${kind}: --${name}=${JSON.stringify(def)}.`,
    });
  if (def === null) return isJson(raw) ? ok(raw) : wrong();
  switch (kind) {
    case 'number': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return ok(raw);
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return ok(Number(raw));
      return wrong();
    }
    case 'string':
      return typeof raw === 'string' ? ok(raw) : typeof raw === 'number' || typeof raw === 'boolean' ? ok(String(raw)) : wrong();
    case 'boolean':
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === 'false') return ok(raw === 'true');
      return wrong();
    default: {
      let v: unknown = raw;
      if (typeof raw === 'string') {
        try {
          v = JSON.parse(raw);
        } catch {
          return wrong();
        }
      }
      return isJson(v) && kindOf(v) === kind ? ok(v) : wrong();
    }
  }
}

function isJson(v: unknown): v is Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJson);
  if (typeof v === 'object') return Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(isJson);
  return false;
}

/** Declared params with command-line overrides applied. */
export function applyOverrides(declared: Readonly<Record<string, Json>>, overrides: Readonly<Record<string, unknown>>): Result<Record<string, Json>, ParamProblem> {
  const out: Record<string, Json> = { ...declared };
  for (const [key, raw] of Object.entries(overrides)) {
    if (NX_KEYS.has(key) || key.startsWith('__')) continue;
    if (!(key in declared)) {
      const known = Object.keys(declared);
      return fail({
        param: key,
        message: `Unknown param \`${key}\` (from --${key}).`,
        hint: known.length ? `This step's params: ${known.join(', ')}.` : 'This step declares no params; declare one with step({ params: { ... } }, fn).',
      });
    }
    const v = coerce(key, declared[key] ?? null, raw);
    if (!v.ok) return v;
    out[key] = v.value;
  }
  return ok(out);
}
