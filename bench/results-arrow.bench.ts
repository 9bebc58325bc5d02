/**
 * Issue 15: a 1M-row apache-arrow Table ({ id: Int32, x: Float64, label:
 * dictionary strings }) across a step boundary: stored by one step, loaded
 * as a Table by the next, against writing and reading the raw Arrow IPC file
 * (tableToIPC + writeFile, readFile + tableFromIPC).
 */
import type { Benchmark } from './lib/runner';
import type { ResultCase } from './lib/result-child';
import { NX_STEPS, runResultCase } from './lib/result-child';

const ROWS = Number(process.env['NXS_BENCH_ROWS'] ?? 1_000_000);
const make = `const { tableFromArrays, tableToIPC, tableFromIPC } = require('apache-arrow');
const value = tableFromArrays({ id: Int32Array.from({ length: ${ROWS} }, (_, i) => i), x: Float64Array.from({ length: ${ROWS} }, (_, i) => i / 2), label: Array.from({ length: ${ROWS} }, (_, i) => 'l' + (i % 10)) });`;
const check = `loaded.numRows === ${ROWS} && loaded.getChild('x').get(${ROWS - 1}) === ${(ROWS - 1) / 2} && loaded.getChild('label').get(13) === 'l3'`;

const CASES: Record<string, ResultCase & { prelude?: string }> = {
  'raw Arrow IPC file write / read': {
    make,
    store: "fs.writeFileSync(path.join(dir, 't.arrow'), tableToIPC(value, 'file')); diskBytes = fs.statSync(path.join(dir, 't.arrow')).size;",
    load: "loaded = tableFromIPC(fs.readFileSync(path.join(dir, 't.arrow')));",
    check,
  },
  'nx-steps writeResult / readResult': { prelude: NX_STEPS.prelude(), make, store: NX_STEPS.store, load: NX_STEPS.load, check },
};

const NX = 'nx-steps writeResult / readResult';
const RAW = 'raw Arrow IPC file write / read';

const bench: Benchmark<void> = {
  name: 'results-arrow',
  issueRow: 15,
  title: `a ${ROWS.toLocaleString('en-US')}-row Arrow table across a step boundary (each run a fresh process)`,
  runs: 5,
  setup: () => undefined,
  teardown: () => undefined,
  control: RAW,
  cases: Object.entries(CASES).map(([name, c]) => ({ name, run: () => runResultCase(c, c.prelude) })),
  goals: [
    {
      label: '1M-row Arrow table across a step boundary vs raw IPC write + read',
      control: 'tableToIPC + writeFile, readFile + tableFromIPC',
      value: (r) => r.ratio(NX, RAW),
      op: '<=',
      target: 1.5,
      unit: '×',
    },
    { label: '1M-row Arrow table: peak RSS vs raw IPC', control: 'raw IPC, same table', value: (r) => r.ratio(NX, RAW, 'peakRssMB'), unit: '×' },
  ],
};

export default bench;
