/**
 * Keeps a self-hosted remote cache from breaking, hanging or fooling a run.
 *
 * Checked on nx 24.0.6: Nx's HTTP client (`NX_SELF_HOSTED_REMOTE_CACHE_SERVER`)
 * fails the whole command on a server it cannot reach or a lookup answered
 * with anything but 200 or 404, waits without limit for a server that
 * accepts the connection and never answers, and its extractor fails the
 * command on an entry it cannot unpack. A cache only saves time, so:
 *
 * - the pre-task hook starts the guard (remote-guard/: a loopback server in
 *   its own process, for the length of the command) and points the variable
 *   at it, without waiting for it. The guard checks the server once (an
 *   unusable one turns the remote off: every lookup misses), then bounds
 *   every request in time, gives the command one time budget, checks every
 *   entry before Nx sees it (a damaged one is a miss) and turns refused
 *   uploads into "not stored". Nx reads the variable when it opens its
 *   cache, after the hook; task processes (and so step-keyed lookups)
 *   inherit it.
 * - the post-task hook stops the guard and prints what it saw, once.
 * - when the guard cannot run (a proxy variable, credentials in the URL,
 *   `remoteCache.guard: false`, or it fails to start), the server is checked
 *   once as before and turned off for the command when unusable.
 *
 * Nothing here prints the token, or credentials or a query in the server URL.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RemoteCacheSettings } from '../core/remote-options';
import { DEFAULT_REMOTE_CACHE } from '../core/remote-options';
import { ensureIgnoredDir, STATE_DIR, stateDir } from '../core/util/disk-cache';
import type { GuardHandle } from './remote-guard/launch';
import { GUARD_PATH, launchGuard, stopGuard } from './remote-guard/launch';
import type { CheckOptions, RemoteCacheCheck } from './remote-guard/probe';
import { checkableServer, checkSelfHostedRemoteCache, PROBE_TIMEOUT_MS, printableServer, SERVER_VAR } from './remote-guard/probe';
import type { GuardStatus } from './remote-guard/proxy';
import { formatSeconds } from './remote-guard/upstream';

export { PROBE_HASH, remoteCacheSkipped, SERVER_VAR, TOKEN_VAR } from './remote-guard/probe';
export type { RemoteCacheCheck } from './remote-guard/probe';

/** Turns the guard off for one command (`NX_STEPS_REMOTE_GUARD=off`), as `remoteCache.guard: false` does for the workspace. */
export const GUARD_OFF_VAR = 'NX_STEPS_REMOTE_GUARD';

export type GuardResult = RemoteCacheCheck | { readonly kind: 'guarded'; readonly server: string; readonly handle: GuardHandle };

export interface GuardOptions extends CheckOptions {
  readonly settings?: RemoteCacheSettings;
  /** Why this machine uploads nothing (signing is on and it holds no key), if so. */
  readonly uploadsOff?: string | undefined;
  /** The process whose end ends the guard: Nx's (or the daemon's), which started this plugin worker. */
  readonly hostPid?: number;
}

/** The process that runs the command: the plugin worker's parent, or this process when plugins are not isolated. */
function commandProcess(): number {
  return /plugin-worker/.test(process.argv[1] ?? '') ? process.ppid : process.pid;
}

function notUsable(server: string, reason: string): string {
  return `nx-steps: the remote cache at ${server} is not usable (${reason}); this run uses the local cache only, and shares nothing with other machines.`;
}

function turnOff(env: NodeJS.ProcessEnv, server: string, reason: string, warn: (m: string) => void): RemoteCacheCheck {
  // Emptying the variable is enough (Nx tests it for truth when it opens its
  // cache, after this hook), and it is the only change a hook can hand back to
  // Nx: Nx copies the variables a hook sets, not the ones it deletes.
  env[SERVER_VAR] = '';
  warn(notUsable(server, reason));
  return { kind: 'unusable', server, reason };
}

/** Checks the server and, where it can, puts the guard between it and Nx for this command. Never throws. */
export async function guardSelfHostedRemoteCache(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
  warn: (message: string) => void = console.warn,
  options: GuardOptions = {},
): Promise<GuardResult> {
  const base = checkableServer(env, argv);
  // A nested command (a step that runs nx) inherits the outer command's guard.
  if (base === undefined || base.includes(GUARD_PATH)) return { kind: 'not-checked' };
  const settings = options.settings ?? DEFAULT_REMOTE_CACHE;
  const server = printableServer(base);
  if (settings.guard && env[GUARD_OFF_VAR] !== 'off') {
    const launched = await launchGuard(
      {
        upstream: base,
        requestTimeoutMs: settings.requestTimeoutMs,
        budgetMs: settings.budgetMs,
        maxEntryBytes: settings.maxEntryBytes,
        uploadsOff: options.uploadsOff,
        hostPid: options.hostPid ?? commandProcess(),
        // The check is one request like the others, and its time counts against the budget.
        probeTimeoutMs: options.timeoutMs ?? Math.min(PROBE_TIMEOUT_MS, settings.requestTimeoutMs),
      },
      env,
    );
    if ('handle' in launched) {
      env[SERVER_VAR] = launched.handle.url;
      return { kind: 'guarded', server, handle: launched.handle };
    }
    warn(`nx-steps: could not start its remote-cache guard (${launched.failed}); Nx uses ${server} directly, without time limits or checks of its entries.`);
  }
  const check = await checkSelfHostedRemoteCache(env, argv, options);
  return check.kind === 'unusable' ? turnOff(env, check.server, check.reason, warn) : check;
}

/**
 * Where the pre-task hook leaves the guard of a command for the post-task
 * hook (which may run in another plugin worker): a file named by Nx's id of
 * the command.
 */
function handleFile(workspaceRoot: string, commandId: string): string {
  return path.join(workspaceRoot, STATE_DIR, 'guards', `${commandId.replace(/[^\w.-]/g, '_')}.json`);
}

interface Remembered {
  readonly handle: GuardHandle;
  /** The real server, as it may be printed. */
  readonly server: string;
}

export function rememberGuard(workspaceRoot: string, commandId: string, guarded: Remembered): void {
  try {
    const file = handleFile(workspaceRoot, commandId);
    // Ignored by git and so by Nx's hashing, before the file exists.
    ensureIgnoredDir(stateDir(workspaceRoot));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ handle: guarded.handle, server: guarded.server }), { mode: 0o600 });
  } catch {
    // The guard then ends with the command's process instead.
  }
}

/** Stops the command's guard, if it has one, and returns what it saw. */
export async function finishGuard(workspaceRoot: string, commandId: string): Promise<{ status: GuardStatus; server: string } | undefined> {
  const file = handleFile(workspaceRoot, commandId);
  let remembered: Remembered;
  try {
    remembered = JSON.parse(fs.readFileSync(file, 'utf8')) as Remembered;
  } catch {
    return undefined;
  }
  fs.rmSync(file, { force: true });
  const status = await stopGuard(remembered.handle);
  return status ? { status, server: remembered.server } : undefined;
}

/**
 * What the guard saw, as warnings (none when all went well). `taskOf` names
 * the task of an Nx hash; a longer key is a step-keyed entry.
 */
export function guardWarnings(status: GuardStatus, server: string, taskOf: (hash: string) => string | undefined): string[] {
  const where = `the remote cache at ${server}`;
  const name = (hash: string) => taskOf(hash) ?? (hash.length > 20 ? `a step-keyed entry (${hash.slice(0, 12)}…)` : `Nx hash ${hash}`);
  const out: string[] = [];
  if (status.unusable) out.push(notUsable(server, status.unusable));
  if (status.off) {
    out.push(
      `nx-steps: ${where} stopped being usable during this run (${status.off}, after ${formatSeconds(status.spentMs)} spent waiting on it); the rest of the run used the local cache only.`,
    );
  }
  if (status.damaged.length > 0) {
    const list = status.damaged.map((d) => `${name(d.hash)} (${d.reason})`).join('; ');
    const n = status.damaged.length;
    out.push(`nx-steps: ${where} served ${n === 1 ? 'an unusable entry, taken as a miss' : `${n} unusable entries, taken as misses`}: ${list}.`);
  }
  if (status.notStored.length > 0) {
    const list = status.notStored.map((d) => `${name(d.hash)}: ${d.reason}`).join('; ');
    out.push(`nx-steps: ${where} did not store ${status.notStored.length} upload(s) (${list}); the results stay in the local cache.`);
  }
  if (status.uploadsOff && status.uploads > 0) out.push(`nx-steps: ${status.uploads} result(s) not uploaded to ${where}: ${status.uploadsOff}.`);
  return out;
}
