/** Options of `"plugins": [{ "plugin": "nx-steps/plugin", "options": { ... } }]`. */
export interface NxStepsPluginOptions {
  /** Glob of pipeline files, relative to the workspace root. Default: '**\/*.pipeline.ts'. */
  readonly pipelines?: string;
}

export interface NormalizedOptions {
  readonly pipelines: string;
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

export const DEFAULT_OPTIONS: NormalizedOptions = { pipelines: '**/*.pipeline.ts' };

/** Unknown or mistyped options are a configuration error with a clear message. */
export function normalizeOptions(raw: unknown): NormalizedOptions {
  if (raw === undefined || raw === null) return DEFAULT_OPTIONS;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error('nx-steps/plugin: options must be an object, e.g. { "pipelines": "**/*.pipeline.ts" }.');
  }
  const known = Object.keys(DEFAULT_OPTIONS);
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new Error(`nx-steps/plugin: unknown option "${key}" in nx.json. Known options: ${known.join(', ')}.`);
    }
  }
  const { pipelines } = raw as NxStepsPluginOptions;
  if (pipelines !== undefined && (typeof pipelines !== 'string' || pipelines.length === 0)) {
    throw new Error('nx-steps/plugin: "pipelines" must be a non-empty glob string, e.g. "**/*.pipeline.ts".');
  }
  return { pipelines: pipelines ?? DEFAULT_OPTIONS.pipelines };
}
