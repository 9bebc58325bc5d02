/**
 * Issue 15: a 10M-element Float64Array result (80 MB), stored and loaded,
 * against v8.serialize/deserialize of the same array through a file, and a
 * plain write/read of its raw bytes (the floor). nx-steps stores the bytes
 * as they are (value/1.bin), hashed while written; its load verifies every
 * digest in a fresh process, then reads the bytes into one ArrayBuffer.
 */
import type { Benchmark } from './lib/runner';
import type { ResultCase } from './lib/result-child';
import { NX_STEPS, runResultCase } from './lib/result-child';

const N = Number(process.env['NXS_BENCH_F64'] ?? 10_000_000);
const make = `const value = new Float64Array(${N}); for (let i = 0; i < value.length; i++) value[i] = (i * 7919 % 1000) / 7;`;
const check = `loaded instanceof Float64Array && loaded.length === value.length && loaded[${N - 1}] === value[${N - 1}]`;

const CASES: Record<string, ResultCase & { prelude?: string }> = {
  'v8.serialize / deserialize': {
    prelude: "const v8 = require('node:v8');",
    make,
    store: "fs.writeFileSync(path.join(dir, 'v.bin'), v8.serialize(value)); diskBytes = fs.statSync(path.join(dir, 'v.bin')).size;",
    load: "loaded = v8.deserialize(fs.readFileSync(path.join(dir, 'v.bin')));",
    check,
  },
  'raw bytes write / read': {
    make,
    store: "fs.writeFileSync(path.join(dir, 'v.raw'), value); diskBytes = fs.statSync(path.join(dir, 'v.raw')).size;",
    load: "const b = fs.readFileSync(path.join(dir, 'v.raw')); loaded = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));",
    check,
  },
  'nx-steps writeResult / readResult': { prelude: NX_STEPS.prelude(), make, store: NX_STEPS.store, load: NX_STEPS.load, check },
};

const NX = 'nx-steps writeResult / readResult';
const V8 = 'v8.serialize / deserialize';

const bench: Benchmark<void> = {
  name: 'results-f64',
  issueRow: 15,
  title: `a ${N.toLocaleString('en-US')}-element Float64Array result stored and loaded (each run a fresh process)`,
  runs: 5,
  setup: () => undefined,
  teardown: () => undefined,
  control: V8,
  cases: Object.entries(CASES).map(([name, c]) => ({ name, run: () => runResultCase(c, c.prelude) })),
  goals: [
    {
      label: '10M Float64Array: store + load time vs v8.serialize/deserialize',
      control: 'v8.serialize + write, read + v8.deserialize',
      value: (r) => r.ratio(NX, V8),
      op: '<=',
      target: 1.5,
      unit: '×',
    },
    {
      label: '10M Float64Array: size on disk vs its raw bytes',
      control: `${N * 8} bytes`,
      value: (r) => (r.metric(NX, 'diskMB')?.median !== undefined ? (r.metric(NX, 'diskMB')?.median as number) / ((N * 8) / 1e6) : undefined),
      op: '<=',
      target: 1.05,
      unit: '×',
    },
    { label: '10M Float64Array: peak RSS vs v8.serialize', control: 'v8, same array', value: (r) => r.ratio(NX, V8, 'peakRssMB'), unit: '×' },
    {
      label: '10M Float64Array: store + load time vs a plain write and read of the bytes',
      control: 'raw bytes through writeFile/readFile',
      value: (r) => r.ratio(NX, 'raw bytes write / read'),
      unit: '×',
    },
  ],
};

export default bench;
