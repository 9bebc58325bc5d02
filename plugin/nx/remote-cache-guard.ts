/**
 * Keeps an unusable self-hosted remote cache from failing the run.
 *
 * Nx 24's HTTP remote cache client (`NX_SELF_HOSTED_REMOTE_CACHE_SERVER`)
 * treats a lookup answered with anything but 200 or 404, or a server it cannot
 * reach, as a fatal error: checked on nx 24.0.6, a run against a stopped
 * server ends before any task starts ("Failed to send request: error sending
 * request for url (...)"), with every task listed as not run. A shared cache
 * only saves time, so nx-steps asks the server once, before Nx hashes any
 * task, and when it is not usable turns Nx's HTTP cache off for this run and
 * says so in one line. The run then reads and writes the local cache only.
 *
 * The check mirrors Nx's client (the URL, the Bearer header) but never prints
 * the token, or credentials or a query inside the server URL.
 */

export const SERVER_VAR = 'NX_SELF_HOSTED_REMOTE_CACHE_SERVER';
export const TOKEN_VAR = 'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN';

/**
 * The key the check looks up. Nx's keys are u64 numbers in decimal, which never
 * start with 0, so this cannot be a real entry; a server that follows the spec
 * answers 404.
 */
export const PROBE_HASH = '0000000000000000000';

/** How long the check waits. Nx's own client has no time limit: a silent server would hold the run. */
const PROBE_TIMEOUT_MS = 5_000;

export type RemoteCacheCheck =
  /** No self-hosted server set, the remote cache skipped for this run, a proxy, or credentials in the URL. */
  { readonly kind: 'not-checked' } | { readonly kind: 'usable' } | { readonly kind: 'unusable'; readonly server: string; readonly reason: string };

export interface CheckOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** Whether Nx will use the self-hosted server in this run (the flags and variables Nx itself reads). */
export function remoteCacheSkipped(env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  return (
    env['NX_SKIP_REMOTE_CACHE'] === 'true' ||
    env['NX_DISABLE_REMOTE_CACHE'] === 'true' ||
    argv.some((a) => a === '--skip-remote-cache' || a === '--skipRemoteCache' || a === '--skip-remote-cache=true' || a === '--skipRemoteCache=true')
  );
}

/**
 * Nx's client goes through HTTP(S)_PROXY; Node's fetch does not. Behind a
 * proxy the check could fail where Nx succeeds, so it is not made.
 */
function proxied(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].some((k) => (env[k] ?? '') !== '');
}

/** The server as it may be printed: scheme, host and path; never user, password or query. */
function printableServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return `the URL in ${SERVER_VAR}`;
  }
}

/**
 * Why a request failed, from the error's code or name only: error messages can
 * quote the URL, and with it whatever credentials or query it carries.
 */
function failureReason(error: unknown, timeoutMs: number): string {
  const e = error as { name?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const code = typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    case undefined:
      return `request failed (${typeof e.name === 'string' ? e.name : 'unknown error'})`;
    default:
      return `request failed (${code})`;
  }
}

/** Looks up PROBE_HASH the way Nx looks up a task's hash. Never throws. */
async function checkSelfHostedRemoteCache(env: NodeJS.ProcessEnv, argv: readonly string[], options: CheckOptions = {}): Promise<RemoteCacheCheck> {
  const base = env[SERVER_VAR];
  if (!base || remoteCacheSkipped(env, argv) || proxied(env)) return { kind: 'not-checked' };
  const server = printableServer(base);
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  // Nx joins the two strings as they are (a trailing slash gives `//v1`), and
  // sends the header whenever the variable is set, even empty.
  const url = `${base}/v1/cache/${PROBE_HASH}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'unusable', server, reason: `${SERVER_VAR} is not a valid URL` };
  }
  // Node's fetch refuses a URL with credentials in it, which Nx's client may accept.
  if (parsed.username !== '' || parsed.password !== '') return { kind: 'not-checked' };
  const headers: Record<string, string> = { Accept: 'application/octet-stream' };
  const token = env[TOKEN_VAR];
  if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
  try {
    const response = await (options.fetch ?? fetch)(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.status === 200 || response.status === 404) return { kind: 'usable' };
    const answer = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const hint = response.status === 401 || response.status === 403 ? `: check ${TOKEN_VAR}` : '';
    return { kind: 'unusable', server, reason: `${answer}${hint}` };
  } catch (error) {
    return { kind: 'unusable', server, reason: failureReason(error, timeoutMs) };
  }
}

/**
 * Runs the check and, when the server is not usable, turns Nx's HTTP cache off
 * for this run. Emptying the variable is enough (Nx tests it for truth when it
 * opens its cache, after this hook), and it is the only change a hook can hand
 * back to Nx: Nx copies the variables a hook sets, not the ones it deletes.
 */
export async function guardSelfHostedRemoteCache(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
  warn: (message: string) => void = console.warn,
  options: CheckOptions = {},
): Promise<RemoteCacheCheck> {
  const check = await checkSelfHostedRemoteCache(env, argv, options);
  if (check.kind === 'unusable') {
    env[SERVER_VAR] = '';
    warn(
      `nx-steps: the remote cache at ${check.server} is not usable (${check.reason}); this run uses the local cache only, and shares nothing with other machines.`,
    );
  }
  return check;
}
