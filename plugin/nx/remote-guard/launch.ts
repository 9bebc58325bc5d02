/**
 * Starts the guard's process (main.ts) for one Nx command and stops it:
 * the pre-task hook's and the post-task hook's side of the guard.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { GuardConfig, GuardStatus } from './proxy';

export const CONFIG_VAR = 'NX_STEPS_GUARD_CONFIG';

export interface LaunchConfig extends Omit<GuardConfig, 'spoolDir' | 'prefix'> {
  /** The process whose end ends the guard. */
  readonly hostPid: number;
  readonly probeTimeoutMs: number;
  readonly prefix: string;
}

/** What the guard says when it is ready, or why it is not serving. */
export type ReadyLine =
  | { readonly port: number }
  | { readonly unusable: { readonly server: string; readonly reason: string } }
  | { readonly notChecked: true }
  | { readonly failed: string };

/** A running guard: the URL Nx is given, and its control URLs. */
export interface GuardHandle {
  readonly url: string;
  readonly pid: number;
}

/** The first path segment of every guard URL: a server URL that holds it is already a guard's. */
export const GUARD_PATH = '/nxs-guard/';

function mainFile(): { file: string; args: string[] } {
  const ts = __filename.endsWith('.ts');
  const file = path.join(__dirname, ts ? 'main.ts' : 'main.js');
  // From the sources (the unit tests) the process needs tsx; the package runs compiled JavaScript.
  return { file, args: ts ? ['--import', 'tsx', file] : [file] };
}

export type Launched = { readonly handle: GuardHandle } | Exclude<ReadyLine, { port: number }>;

/**
 * Starts the guard for `upstream` and waits (at most the probe's timeout and
 * a few seconds) for its first line. Never throws.
 */
export function launchGuard(settings: Omit<LaunchConfig, 'prefix'>, env: NodeJS.ProcessEnv): Promise<Launched> {
  const prefix = `${GUARD_PATH}${randomBytes(12).toString('hex')}`;
  const config: LaunchConfig = { ...settings, prefix };
  const { file, args } = mainFile();
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: Launched): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.destroy();
      child.unref();
      resolve(value);
    };
    const child = spawn(process.execPath, args, {
      cwd: path.dirname(file),
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...env, [CONFIG_VAR]: JSON.stringify(config) },
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ failed: `it did not start within ${Math.round((settings.probeTimeoutMs + 5000) / 1000)} s` });
    }, settings.probeTimeoutMs + 5000);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n') || line === undefined) return;
      let ready: ReadyLine;
      try {
        ready = JSON.parse(line) as ReadyLine;
      } catch {
        ready = { failed: 'it answered something unexpected' };
      }
      done('port' in ready ? { handle: { url: `http://127.0.0.1:${ready.port}${prefix}`, pid: child.pid ?? 0 } } : ready);
    });
    child.once('error', (e) => done({ failed: e.message }));
    child.once('exit', (code) => done({ failed: `it exited (${String(code)}) before it was ready` }));
  });
}

/** Stops the guard and returns what it saw, or undefined when it does not answer within 3 s. */
export async function stopGuard(handle: GuardHandle): Promise<GuardStatus | undefined> {
  try {
    const res = await fetch(`${handle.url}/_nxs/stop`, { method: 'POST', signal: AbortSignal.timeout(3000) });
    return (await res.json()) as GuardStatus;
  } catch {
    try {
      process.kill(handle.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    return undefined;
  }
}
