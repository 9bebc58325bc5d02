/**
 * Params are declared with defaults and may be overridden for one run from
 * the command line (`nx run etl:train --lr=0.1`). An override must have the
 * type of its default; Nx's parser turns `--n=3` into a number and `--x`
 * into true, so strings that read as the right type are accepted too.
 *
 * Overrides flow: every dependsOn forwards them (plugin/nx/targets.ts), so
 * each step of the run receives all of them and takes those it declares.
 * `nx run ml:evaluate --lr=0.05` trains with 0.05 and evaluates that model.
 * An override that no step of the run declares is an error naming the params
 * that exist, never silently ignored.
 */
import type { Json } from '../../api/json';
import type { Result } from '../util/result';
import { hasOwn, own } from '../util/own';
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

/** A secret's override: a string (Nx's parser reads `--token=123` as a number), never shown. */
function coerceSecret(name: string, raw: unknown): Result<Json, ParamProblem> {
  if (typeof raw === 'string') return ok(raw);
  if (typeof raw === 'number' || typeof raw === 'boolean') return ok(String(raw));
  return fail({ param: name, message: `Param \`${name}\` is a secret: --${name} must give a string.`, hint: `Pass it as --${name}=<value>.` });
}

function coerce(name: string, def: Json, raw: unknown, secret: boolean): Result<Json, ParamProblem> {
  if (secret) return coerceSecret(name, raw);
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

/** Who declares which params: names → the steps declaring them. */
export type ParamOwners = ReadonlyMap<string, readonly string[]>;

/** The params around a step, for overrides it does not declare itself. */
export interface OverrideScope {
  /** The project, for the hint. */
  readonly project: string;
  /** Params declared by the steps of this run (the overrides reach each of them), owned by declared step (a fan-out's items by their step). */
  readonly run: ParamOwners;
  /** Params declared by any step of the project, and the pipeline's shared params (owned by none). */
  readonly all: ParamOwners;
}

function listed(owners: ParamOwners): string {
  return [...owners].map(([name, steps]) => `${name} (${steps.length ? steps.join(', ') : 'pipeline'})`).join(', ');
}

function unknownParam(key: string, scope: OverrideScope | undefined, declared: readonly string[]): ParamProblem {
  if (!scope) {
    return {
      param: key,
      message: `Unknown param \`${key}\` (from --${key}).`,
      hint: declared.length ? `This step's params: ${declared.join(', ')}.` : 'This step declares no params; declare one with step({ params: { ... } }, fn).',
    };
  }
  const elsewhere = scope.all.get(key) ?? [];
  const there = elsewhere.length
    ? ` \`${key}\` is declared by ${elsewhere.slice(0, 5).join(', ')}${elsewhere.length > 5 ? ', ...' : ''}, which this run does not include: run ${elsewhere.length > 1 ? 'one of them' : 'it'} (nx run ${scope.project}:${elsewhere[0]} --${key}=...).`
    : scope.all.has(key)
      ? ` \`${key}\` is a param of the pipeline that no step uses yet.`
      : '';
  return {
    param: key,
    message: `No step of this run declares param \`${key}\` (from --${key}).`,
    hint: `${scope.run.size ? `Params of this run: ${listed(scope.run)}.` : "This run's steps declare no params."}${there}`,
  };
}

/**
 * Declared params with command-line overrides applied. An override this step
 * does not declare is left to the steps of the run that do (`scope`, built
 * only when needed); without a scope every override must be this step's.
 */
/** Which of a step's params are secrets: all of them (never shown), and those declared with `secret()` (no default). */
export interface SecretParams {
  readonly all: readonly string[];
  readonly required: readonly string[];
}

export function applyOverrides(
  declared: Readonly<Record<string, Json>>,
  overrides: Readonly<Record<string, unknown>>,
  scope?: () => OverrideScope,
  secrets: SecretParams = { all: [], required: [] },
): Result<Record<string, Json>, ParamProblem> {
  const out: Record<string, Json> = { ...declared };
  let known: OverrideScope | undefined;
  for (const [key, raw] of Object.entries(overrides)) {
    // Own keys only: `toString` or `constructor` is a param only where a step declares it.
    if (NX_KEYS.has(key) || (key.startsWith('__') && !hasOwn(declared, key))) continue;
    if (!hasOwn(declared, key)) {
      known ??= scope?.();
      if (known?.run.has(key)) continue;
      return fail(unknownParam(key, known, Object.keys(declared)));
    }
    const v = coerce(key, own(declared, key) ?? null, raw, secrets.all.includes(key));
    if (!v.ok) return v;
    out[key] = v.value;
  }
  const missing = secrets.required.find((name) => !hasOwn(overrides, name));
  if (missing !== undefined) {
    return fail({
      param: missing,
      message: `Param \`${missing}\` is a secret() and has no value: it is given on the command line only.`,
      hint: `Pass it: nx run <project>:<step> --${missing}=<value> (in CI, from a masked secret: --${missing}="$SECRET").`,
    });
  }
  return ok(out);
}
