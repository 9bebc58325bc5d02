/**
 * The guard's own process, started detached by the pre-task hook
 * (launch.ts), which hands it an already listening loopback socket (fd 3):
 * Nx's first requests wait in that socket's queue while this process starts,
 * so the hook never waits for it. It checks the real server once (every
 * request waits for that check), then serves the command's requests until the
 * post-task hook stops it or the process that runs the command (Nx, or the Nx
 * daemon) is gone.
 *
 * It writes nothing to stdout or stderr (nobody reads them), and an
 * unexpected exception is survived: a guard that died would turn every later
 * request of the command into a refused connection, which Nx fails on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LaunchConfig } from './launch';
import { CONFIG_VAR, SOCKET_FD } from './launch';
import { processAlive } from '../../core/util/process';
import { listenGuard } from './proxy';
import { checkSelfHostedRemoteCache, SERVER_VAR } from './probe';

async function start(config: LaunchConfig): Promise<void> {
  const unusable = checkSelfHostedRemoteCache({ ...process.env, [SERVER_VAR]: config.upstream }, [], { timeoutMs: config.probeTimeoutMs }).then((c) =>
    c.kind === 'unusable' ? c.reason : undefined,
  );
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-steps-guard-'));
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running.close().catch(() => undefined);
    process.exit(0);
  };
  const running = await listenGuard({ ...config, spoolDir }, { socket: { fd: SOCKET_FD }, unusable, onStop: () => void stop() });
  process.once('SIGTERM', () => void stop());
  setInterval(() => {
    if (!processAlive(config.hostPid)) void stop();
  }, 1000).unref();
}

process.on('uncaughtException', () => undefined);
const config = JSON.parse(process.env[CONFIG_VAR] ?? '{}') as LaunchConfig;
delete process.env[CONFIG_VAR];
start(config).catch(() => process.exit(1));
