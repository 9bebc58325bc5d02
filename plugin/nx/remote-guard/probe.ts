/**
 * The check of a self-hosted remote cache server before Nx uses it: one
 * lookup of a key Nx never uses, the way Nx's own client sends it (the URL,
 * the Bearer header), bounded in time. Nx 24's client treats a lookup
 * answered with anything but 200 or 404, or a server it cannot reach, as a
 * fatal error for the whole command, so the pre-task hook (through the guard,
 * ../remote-cache-guard.ts) turns the remote off when this fails.
 *
 * Nothing here prints the token, or credentials or a query inside the URL.
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
export const PROBE_TIMEOUT_MS = 5_000;

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
export function printableServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return `the URL in ${SERVER_VAR}`;
  }
}

/**
 * Why a request failed, from the error's code or name only: error messages can
 * quote the URL, and with it whatever credentials or query it carries. Reads
 * Node's http errors (`code`) and fetch's (`cause.code`).
 */
export function failureReason(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case undefined:
      return `request failed (${typeof e.name === 'string' ? e.name : 'unknown error'})`;
    default:
      return `request failed (${code})`;
  }
}

/**
 * The server Nx will use in this run, when nx-steps can check it the way Nx
 * reaches it: none when no server is set, the remote cache is skipped, a
 * proxy variable is set (Nx's client goes through HTTP(S)_PROXY, Node's
 * fetch does not) or the URL holds credentials (Node's fetch refuses them).
 */
export function checkableServer(env: NodeJS.ProcessEnv, argv: readonly string[]): string | undefined {
  const base = env[SERVER_VAR];
  if (!base || remoteCacheSkipped(env, argv) || proxied(env)) return undefined;
  try {
    const parsed = new URL(`${base}/v1/cache/${PROBE_HASH}`);
    if (parsed.username !== '' || parsed.password !== '') return undefined;
  } catch {
    // An invalid URL is checked, and reported as such.
  }
  return base;
}

/** Looks up PROBE_HASH the way Nx looks up a task's hash. Never throws. */
export async function checkSelfHostedRemoteCache(env: NodeJS.ProcessEnv, argv: readonly string[], options: CheckOptions = {}): Promise<RemoteCacheCheck> {
  const base = checkableServer(env, argv);
  if (base === undefined) return { kind: 'not-checked' };
  const server = printableServer(base);
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  // Nx joins the two strings as they are (a trailing slash gives `//v1`), and
  // sends the header whenever the variable is set, even empty.
  const url = `${base}/v1/cache/${PROBE_HASH}`;
  if (!URL.canParse(url)) return { kind: 'unusable', server, reason: `${SERVER_VAR} is not a valid URL` };
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
    const name = (error as { name?: unknown }).name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    return { kind: 'unusable', server, reason: timedOut ? `no answer within ${timeoutMs / 1000} s` : failureReason(error) };
  }
}
