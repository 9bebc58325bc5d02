/**
 * One writer per step output folder. Two runs of the same pipeline at once
 * (two terminals, two CI jobs on one machine) may both miss Nx's cache for a
 * step; without a lock both would empty and write the same folder, mixing
 * their outputs. The lock is a file created exclusively next to the folder,
 * holding the owner's pid; a lock whose owner is gone (killed) is taken over.
 * The run that waited re-checks the outputs afterwards: usually the other run
 * just produced exactly what it needs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface StepLock {
  release(): void;
}

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly at: string;
}

function ownerGone(owner: Owner): boolean {
  if (typeof owner.pid !== 'number') return true;
  if (owner.host !== os.hostname()) return false; // cannot tell; wait for it
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

function isOlderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock of an output folder, waiting while another live process
 * holds it. `onWait` is called once, with the holder, when waiting starts.
 */
export async function lockOutputDir(dir: string, onWait: (owner: Owner | undefined) => void, pollMs = 200): Promise<StepLock> {
  const file = `${dir}.lock`;
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() } satisfies Owner));
      fs.closeSync(fd);
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(file);
    // Its owner was killed, or died between creating and writing it (or it is damage, a folder included): take over.
    if (owner ? ownerGone(owner) : isOlderThan(file, 10_000)) {
      fs.rmSync(file, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      announced = true;
      onWait(owner);
    }
    await sleep(pollMs);
  }
}
