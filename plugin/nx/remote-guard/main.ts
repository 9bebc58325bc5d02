/**
 * The guard's own process (started by ../remote-cache-guard.ts from the
 * pre-task hook, detached): checks the real server once, starts the guard on
 * a loopback port, says so in one JSON line on stdout, then serves the
 * command's requests until the post-task hook stops it or the process that
 * runs the command (Nx, or the Nx daemon) is gone.
 *
 * It never writes to stdout or stderr after that line (nobody reads them),
 * and an unexpected exception is survived: a guard that died would turn
 * every later request of the command into a refused connection, which Nx
 * fails on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LaunchConfig, ReadyLine } from './launch';
import { CONFIG_VAR } from './launch';
import { listenGuard } from './proxy';
import { checkSelfHostedRemoteCache, SERVER_VAR } from './probe';

function say(line: ReadyLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function hostAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function main(): Promise<void> {
  process.stdout.on('error', () => undefined);
  process.on('uncaughtException', () => undefined);
  const config = JSON.parse(process.env[CONFIG_VAR] ?? '{}') as LaunchConfig;
  delete process.env[CONFIG_VAR];
  const started = performance.now();
  const probe = await checkSelfHostedRemoteCache({ ...process.env, [SERVER_VAR]: config.upstream }, [], { timeoutMs: config.probeTimeoutMs });
  const spentMs = performance.now() - started;
  if (probe.kind === 'unusable') return say({ unusable: { server: probe.server, reason: probe.reason } });
  if (probe.kind === 'not-checked') return say({ notChecked: true });
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-steps-guard-'));
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running.close().catch(() => undefined);
    process.exit(0);
  };
  const running = await listenGuard({ ...config, spoolDir, spentMs }, () => void stop());
  process.once('SIGTERM', () => void stop());
  setInterval(() => {
    if (!hostAlive(config.hostPid)) void stop();
  }, 1000).unref();
  // The server keeps the process alive; the interval does not.
  say({ port: running.port });
}

main().catch((e: unknown) => {
  say({ failed: e instanceof Error ? (e.message.split('\n')[0] ?? 'unknown error') : String(e) });
  process.exit(1);
});
