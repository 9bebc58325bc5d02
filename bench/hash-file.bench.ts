/**
 * Issue 4: one large, page-cached file. nx-steps' streamed XXH3-128 against
 * a plain read of the same file in the same 1 MiB reads (the speed of the
 * disk, here of the page cache: goal ≥ 0.9× as fast) and against Nx's native
 * `hashFile` (xxh3-64 of the whole file read into memory: goal ≥ 2.5× as fast).
 */
import * as fs from 'node:fs';
import { fromDist } from './lib/dist';
import type { Benchmark } from './lib/runner';
import { bigFileFixture, GiB, MiB, removeDir, warmPageCache } from './lib/temp-files';

type Content = typeof import('../plugin/core/hash/content');
interface NxNative {
  hashFile(file: string): string | null;
}

interface State {
  readonly dir: string;
  readonly file: string;
  readonly content: Content;
  readonly nx: NxNative;
}

const SIZE = Number(process.env['NXS_BENCH_FILE_GIB'] ?? 1) * GiB;

function plainRead(file: string): void {
  const buf = Buffer.allocUnsafe(MiB);
  const fd = fs.openSync(file, 'r');
  try {
    for (let pos = 0; ;) {
      const n = fs.readSync(fd, buf, 0, MiB, pos);
      if (n === 0) break;
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

const bench: Benchmark<State> = {
  name: 'hash-file',
  issueRow: 5,
  title: `${SIZE / GiB} GiB page-cached file: nx-steps vs a plain read vs Nx's hashFile`,
  runs: 5,
  bytesPerRun: SIZE,
  setup() {
    const { dir, file } = bigFileFixture('file', SIZE);
    warmPageCache(file);
    return {
      dir,
      file,
      content: fromDist<Content>('plugin/core/hash/content.js'),
      nx: require('nx/src/native') as NxNative,
    };
  },
  teardown: (s) => removeDir(s.dir),
  describe: (s) => ({ file: s.file, bytes: SIZE }),
  control: 'plain read (1 MiB reads)',
  cases: [
    { name: 'plain read (1 MiB reads)', run: (s) => plainRead(s.file) },
    { name: 'nx-steps readDigest (XXH3-128)', run: (s) => void s.content.readDigest(s.file, undefined) },
    { name: 'Nx native hashFile (xxh3-64)', run: (s) => void s.nx.hashFile(s.file) },
  ],
  goals: [
    {
      label: 'file hashing speed relative to a plain read',
      control: 'plain read of the same file, 1 MiB reads',
      value: (r) => r.ratio('plain read (1 MiB reads)', 'nx-steps readDigest (XXH3-128)'),
      op: '>=',
      target: 0.9,
      unit: '×',
    },
    {
      label: "file hashing speed relative to Nx's hashFile",
      control: "Nx's native hashFile",
      value: (r) => r.ratio('Nx native hashFile (xxh3-64)', 'nx-steps readDigest (XXH3-128)'),
      op: '>=',
      target: 2.5,
      unit: '×',
    },
  ],
};

export default bench;
