/**
 * Starts the guard's process (main.ts) for one Nx command and stops it:
 * the pre-task hook's and the post-task hook's side of the guard.
 *
 * The hook opens the loopback socket itself and hands it to the guard's
 * process as an inherited file descriptor (fd 3), so it returns at once with
 * the URL for Nx: requests that come before the process is up wait in the
 * socket's queue (bench/remote-guard.bench.ts measures what is left). Where
 * a socket has no file descriptor (Windows) there is no guard, and the hook
 * checks the server itself as before.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { GuardConfig, GuardStatus } from './proxy';

/** The variable that carries the configuration to the guard's process. */
export const CONFIG_VAR = 'NX_STEPS_GUARD_CONFIG';

/** The socket's file descriptor in the guard's process. */
export const SOCKET_FD = 3;

export interface LaunchConfig extends Omit<GuardConfig, 'spoolDir'> {
  /** The process whose end ends the guard. */
  readonly hostPid: number;
  readonly probeTimeoutMs: number;
}

/** A running guard: the URL Nx is given (its control paths start with it), and its process. */
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

export type Launched = { readonly handle: GuardHandle } | { readonly failed: string };

function listening(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const socket = net.createServer();
    socket.once('error', reject);
    socket.listen(0, '127.0.0.1', () => resolve(socket));
  });
}

/** Starts the guard for `settings.upstream`. Never throws; resolves as soon as the socket is handed over. */
export async function launchGuard(settings: Omit<LaunchConfig, 'prefix'>, env: NodeJS.ProcessEnv): Promise<Launched> {
  const config: LaunchConfig = { ...settings, prefix: `${GUARD_PATH}${randomBytes(12).toString('hex')}` };
  let socket: net.Server | undefined;
  try {
    socket = await listening();
    const { port } = socket.address() as net.AddressInfo;
    const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) return { failed: 'this platform cannot hand a socket to another process' };
    const { file, args } = mainFile();
    // Spawned synchronously: the descriptor is the child's before this process closes its own copy.
    const child = spawn(process.execPath, args, {
      cwd: path.dirname(file),
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', fd],
      env: { ...env, [CONFIG_VAR]: JSON.stringify(config) },
    });
    child.unref();
    if (child.pid === undefined) return { failed: 'its process did not start' };
    return { handle: { url: `http://127.0.0.1:${port}${config.prefix}`, pid: child.pid } };
  } catch (e) {
    return { failed: (e as Error).message.split('\n')[0] ?? 'unknown error' };
  } finally {
    // The guard's process holds its own copy of the socket now.
    socket?.close();
  }
}

/** POSTs to a loopback URL and parses the JSON answer (node:http: the hook need not load fetch's client for one request). */
function postJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
}

/** Stops the guard and returns what it saw, or undefined when it does not answer within 3 s. */
export async function stopGuard(handle: GuardHandle): Promise<GuardStatus | undefined> {
  try {
    return (await postJson(`${handle.url}/_nxs/stop`, 3000)) as GuardStatus;
  } catch {
    try {
      process.kill(handle.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    return undefined;
  }
}
