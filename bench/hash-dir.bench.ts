/**
 * Issue 4: a folder of 100,000 files. The first hash (empty stat memo)
 * against a re-check with nothing changed (goal: ≤ 1 s and ≥ 20× as fast as
 * the first hash). Each run is a fresh process, as each `nx run` is: it
 * loads the memo from disk, walks the folder, stats every file and saves.
 *
 * File sizes are uniform in [1, NXS_BENCH_DIR_MAX_KIB] KiB (default 16),
 * from a fixed seed; the files are written by setup and read from the page
 * cache, so the runs measure the hasher, not the disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runChild, timed } from './lib/child';
import { distPath } from './lib/dist';
import type { Benchmark } from './lib/runner';
import { benchTempDir, GiB, removeDir, settleTimestamps } from './lib/temp-files';

interface State {
  readonly root: string;
  readonly data: string;
  readonly memo: string;
  readonly bytes: number;
}

const FILES = Number(process.env['NXS_BENCH_DIR_FILES'] ?? 100_000);
const MAX_KIB = Number(process.env['NXS_BENCH_DIR_MAX_KIB'] ?? 16);
const PER_FOLDER = 1000;

/** A small deterministic generator (mulberry32), so every run builds the same tree. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeTree(data: string): number {
  const next = random(4);
  const block = Buffer.alloc(MAX_KIB * 1024);
  for (let i = 0; i < block.length; i++) block[i] = Math.floor(next() * 256);
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(data, `part-${String(Math.floor(i / PER_FOLDER)).padStart(4, '0')}`);
    if (i % PER_FOLDER === 0) fs.mkdirSync(folder, { recursive: true });
    const size = 1024 * (1 + Math.floor(next() * MAX_KIB));
    block.writeUInt32LE(i, 0); // every file differs
    fs.writeFileSync(path.join(folder, `sample-${i}.bin`), block.subarray(0, size));
    bytes += size;
  }
  return bytes;
}

/** The re-check must measure what it says: every file from the memo, none read. */
function recheckInChild(s: State): ReturnType<typeof runChild> {
  const m = hashInChild(s);
  if (m['filesRead'] !== 0 || m['memoHits'] !== FILES)
    throw new Error(`the re-check read ${m['filesRead']} file(s) and found ${m['memoHits']} of ${FILES} in the memo: it measured a re-hash`);
  return m;
}

function hashInChild(s: State): ReturnType<typeof runChild> {
  const prelude = `const { FileHasher } = require(${JSON.stringify(distPath('plugin/core/hash/file-hasher.js'))});
const { hashDir } = require(${JSON.stringify(distPath('plugin/core/hash/dir-hasher.js'))});`;
  const body = `const h = new FileHasher(${JSON.stringify(s.memo)});
const r = hashDir(${JSON.stringify(s.data)}, { include: [], exclude: [] }, h);
if (!r.ok) throw new Error(JSON.stringify(r.error));
h.save();`;
  return runChild(timed(prelude, body, 'filesRead: h.stats.hashed, memoHits: h.stats.memoHits'));
}

const bench: Benchmark<State> = {
  name: 'hash-dir',
  issueRow: 5,
  title: `${FILES.toLocaleString('en')}-file folder: first hash vs re-check with nothing changed (each run a fresh process)`,
  runs: 5,
  setup() {
    const root = benchTempDir('dir');
    const data = path.join(root, 'data');
    const bytes = writeTree(data);
    settleTimestamps();
    return { root, data, memo: path.join(root, 'memo'), bytes };
  },
  teardown: (s) => removeDir(s.root),
  describe: (s) => ({ files: FILES, folders: Math.ceil(FILES / PER_FOLDER), totalGiB: Number((s.bytes / GiB).toFixed(2)), fileSizesKiB: `1-${MAX_KIB}` }),
  control: 'first hash (empty memo)',
  cases: [
    { name: 'first hash (empty memo)', before: (s) => removeDir(s.memo), run: hashInChild },
    { name: 're-check, nothing changed', run: recheckInChild },
  ],
  goals: [
    {
      label: `dir re-check time, ${FILES.toLocaleString('en')} files, nothing changed`,
      value: (r) => r.metric('re-check, nothing changed'),
      op: '<=',
      target: 1,
      unit: ' s',
    },
    {
      label: 'dir re-check speed relative to the first hash',
      control: 'first hash of the folder (empty stat memo)',
      value: (r) => r.ratio('first hash (empty memo)', 're-check, nothing changed'),
      op: '>=',
      target: 20,
      unit: '×',
    },
  ],
};

export default bench;
