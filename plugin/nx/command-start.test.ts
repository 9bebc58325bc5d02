import { describe, expect, it } from 'vitest';
import { isNxCli, linuxProcessStart } from './command-start';

describe('the nx command start, for the run record', () => {
  it('recognises the nx CLI by its script, not the daemon or a plugin worker', () => {
    expect(isNxCli('/ws/node_modules/nx/bin/nx.js')).toBe(true);
    expect(isNxCli('/ws/node_modules/nx/dist/bin/nx.js')).toBe(true);
    expect(isNxCli('/ws/node_modules/.bin/nx')).toBe(true);
    expect(isNxCli('C:\\ws\\node_modules\\nx\\bin\\nx.js')).toBe(true);
    expect(isNxCli('/ws/node_modules/nx/src/daemon/server/start.js')).toBe(false);
    expect(isNxCli('/ws/node_modules/nx/src/project-graph/plugins/isolation/plugin-worker.js')).toBe(false);
    expect(isNxCli(undefined)).toBe(false);
  });

  it('reads a process start from /proc: ticks after boot against the uptime now', () => {
    // pid 42, a command name with spaces and parentheses; starttime (field 22) = 150000 ticks = 1500 s after boot.
    const stat = `42 (node (x) y) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 11 0 150000 0 0\n`;
    const files: Record<string, string> = { '/proc/42/stat': stat, '/proc/uptime': '1502.25 3000.00\n' };
    expect(linuxProcessStart(42, 1_000_000, (f) => files[f] as string)).toBe(1_000_000 - 2250);
    expect(
      linuxProcessStart(7, 1_000_000, () => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
  });
});
