/**
 * The options of nx-steps/plugin in nx.json, checked. Pure, so the plugin, the CLI, the generators and
 * nx-steps/results read them the same way (no Nx configuration is built here).
 */
import type { Diagnostic } from './diagnostics';
import { DiagnosticCodes, DiagnosticError } from './diagnostics';
import type { RemoteCacheOptions, RemoteCacheSettings, SigningOptions } from './remote-options';
import { checkRemoteCacheOptions, checkSigningOptions, DEFAULT_REMOTE_CACHE } from './remote-options';
import { DEFAULT_SECRET_PARAMS } from './state/secrets';
import type { Result } from './util/result';
import { fail, ok } from './util/result';

/** Options of `"plugins": [{ "plugin": "nx-steps/plugin", "options": { ... } }]`. */
export interface NxStepsPluginOptions {
  /** Glob of pipeline files, relative to the workspace root. Default: '**\/*.pipeline.ts'. */
  readonly pipelines?: string;
  /** Time and size bounds of the remote cache (remote-options.ts). */
  readonly remoteCache?: RemoteCacheOptions;
  /** Signed results (docs/remote-cache.md): the public key trusted writers sign with. */
  readonly signing?: SigningOptions;
  /**
   * Params whose names match this regular expression (case-insensitive) are secrets, like those declared
   * with `secret()`: never shown or stored, keyed by HMAC (docs/hashing.md). `false`: only `secret()`
   * params. Default: DEFAULT_SECRET_PARAMS (core/state/secrets.ts).
   */
  readonly secretParams?: string | false;
}

export interface NormalizedOptions {
  readonly pipelines: string;
  readonly remoteCache: RemoteCacheSettings;
  readonly signing?: SigningOptions | undefined;
  readonly secretParams: string | false;
}

/** The name nx.json registers the plugin by. */
export const PLUGIN = 'nx-steps/plugin';

type PluginEntry = string | { readonly plugin: string; readonly options?: unknown };

export function isNxStepsPlugin(entry: PluginEntry): boolean {
  return (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN;
}

/** The plugin's options in nx.json's `plugins` (the defaults when it is registered as a plain string, or not at all). */
export function optionsOfPlugins(plugins: readonly PluginEntry[] | undefined): NormalizedOptions {
  const entry = (plugins ?? []).find(isNxStepsPlugin);
  return normalizeOptions(typeof entry === 'object' ? entry.options : undefined);
}

export const DEFAULT_OPTIONS: NormalizedOptions = { pipelines: '**/*.pipeline.ts', remoteCache: DEFAULT_REMOTE_CACHE, secretParams: DEFAULT_SECRET_PARAMS };

/** The options, or what is wrong with them (NXS301): unknown or mistyped options are a configuration error. */
export function checkOptions(raw: unknown): Result<NormalizedOptions, Diagnostic> {
  if (raw === undefined || raw === null) return ok(DEFAULT_OPTIONS);
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return optionsError('options must be an object, e.g. { "pipelines": "**/*.pipeline.ts" }.');
  }
  const known = ['pipelines', 'remoteCache', 'signing', 'secretParams'];
  const unknown = Object.keys(raw).find((key) => !known.includes(key));
  if (unknown !== undefined) return optionsError(`unknown option "${unknown}" in nx.json. Known options: ${known.join(', ')}.`);
  const { pipelines, remoteCache, signing, secretParams } = raw as NxStepsPluginOptions;
  if (pipelines !== undefined && (typeof pipelines !== 'string' || pipelines.length === 0)) {
    return optionsError('"pipelines" must be a non-empty glob string, e.g. "**/*.pipeline.ts".');
  }
  if (secretParams !== undefined && secretParams !== false && (typeof secretParams !== 'string' || !compiles(secretParams))) {
    return optionsError(`"secretParams" must be a regular expression (a string) or false, e.g. "${DEFAULT_SECRET_PARAMS}".`);
  }
  const remote = checkRemoteCacheOptions(remoteCache);
  if (!remote.ok) return optionsError(remote.error);
  const signed = checkSigningOptions(signing);
  if (!signed.ok) return optionsError(signed.error);
  return ok({
    pipelines: pipelines ?? DEFAULT_OPTIONS.pipelines,
    remoteCache: remote.value,
    ...(signed.value ? { signing: signed.value } : {}),
    secretParams: secretParams ?? DEFAULT_OPTIONS.secretParams,
  });
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return pattern.length > 0;
  } catch {
    return false;
  }
}

function optionsError(what: string): Result<never, Diagnostic> {
  return fail({
    code: DiagnosticCodes.badPluginOptions,
    severity: 'error',
    message: `nx-steps/plugin: ${what}`,
    hint: 'Fix the options of nx-steps/plugin in nx.json.',
  });
}

/** The options, for a caller that cannot go on without them: bad ones throw a DiagnosticError (NXS301). */
export function normalizeOptions(raw: unknown): NormalizedOptions {
  const checked = checkOptions(raw);
  if (!checked.ok) throw new DiagnosticError(checked.error);
  return checked.value;
}
