/**
 * Issue 4: peak memory while hashing a 4 GiB file, each measurement in its
 * own process (peak RSS is per process and never goes down). The goal is
 * < 100 MB for nx-steps; Nx's hashFile, shown for comparison, reads the
 * whole file into memory.
 * An idle process that only loads the hasher shows Node's own share.
 */
import { runChild, timed } from './lib/child';
import { distPath } from './lib/dist';
import type { Benchmark } from './lib/runner';
import { bigFileFixture, GiB, removeDir } from './lib/temp-files';

interface State {
  readonly dir: string;
  readonly file: string;
}

const SIZE = Number(process.env['NXS_BENCH_RSS_GIB'] ?? 4) * GiB;
const load = `const { readDigest } = require(${JSON.stringify(distPath('plugin/core/hash/content.js'))});`;

const bench: Benchmark<State> = {
  name: 'hash-rss',
  issueRow: 5,
  title: `peak RSS while hashing a ${SIZE / GiB} GiB file (each run a fresh process)`,
  runs: 3,
  bytesPerRun: SIZE,
  setup: () => bigFileFixture('rss', SIZE),
  teardown: (s) => removeDir(s.dir),
  describe: (s) => ({ file: s.file, bytes: SIZE }),
  cases: [
    { name: 'idle process (loads the hasher only)', bytes: 0, run: () => runChild(timed(load, '')) },
    { name: 'nx-steps readDigest', run: (s) => runChild(timed(load, `readDigest(${JSON.stringify(s.file)}, undefined);`)) },
    {
      name: 'Nx native hashFile',
      run: (s) => runChild(timed(`const { hashFile } = require(${JSON.stringify(require.resolve('nx/src/native'))});`, `hashFile(${JSON.stringify(s.file)});`)),
    },
  ],
  goals: [
    { label: `peak RSS hashing a ${SIZE / GiB} GiB file`, value: (r) => r.metric('nx-steps readDigest', 'peakRssMB'), op: '<', target: 100, unit: ' MB' },
    {
      label: `peak RSS hashing a ${SIZE / GiB} GiB file with Nx's hashFile (for comparison)`,
      value: (r) => r.metric('Nx native hashFile', 'peakRssMB'),
      unit: ' MB',
    },
  ],
};

export default bench;
