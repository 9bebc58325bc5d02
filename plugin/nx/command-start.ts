/**
 * When the `nx` command that runs this hook started, for the run record's
 * wall time. Nx hands the post-task hook the start of its task phase only:
 * the project graph, the plugins' start-up and the pre-task hooks come
 * before it, and a reader of `nx-steps report` compares the figure with the
 * time the command took.
 *
 * The hook runs in a plugin worker that the nx process spawned (or, with
 * plugin isolation off, in the nx process itself). On Linux the start of
 * that process is read from /proc. Elsewhere, or when the hook runs in the
 * daemon (whose parent is not the command), the answer is undefined and the
 * report shows the task phase only, saying so.
 */
import * as fs from 'node:fs';

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** `node …/nx/bin/nx.js`, `node …/nx/dist/bin/nx.js`, or a `.bin/nx` link, as the nx process's argv[1]. */
export function isNxCli(script: string | undefined): boolean {
  return script !== undefined && /(^|[\\/])nx([\\/]dist)?[\\/]bin[\\/]nx(\.js)?$|(^|[\\/])\.bin[\\/]nx$/.test(script);
}

/** Epoch ms at which process `pid` started (Linux), from its start in ticks after boot and the uptime now. */
export function linuxProcessStart(pid: number, now = Date.now(), read = (f: string) => fs.readFileSync(f, 'utf8')): number | undefined {
  try {
    const stat = read(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may hold spaces: starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    const uptimeSeconds = Number(read('/proc/uptime').split(' ')[0]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(uptimeSeconds)) return undefined;
    return Math.round(now - (uptimeSeconds - startTicks / TICKS_PER_SECOND) * 1000);
  } catch {
    return undefined;
  }
}

function argvOf(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

/** Epoch ms at which the nx command started, when it can be known. */
export function nxCommandStart(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  if (isNxCli(process.argv[1])) return Math.round(performance.timeOrigin);
  return isNxCli(argvOf(process.ppid)?.[1]) ? linuxProcessStart(process.ppid) : undefined;
}
