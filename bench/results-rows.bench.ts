/**
 * Issue 15: a 1M-row result ({ id, x, y, label } objects), stored by a step
 * and loaded by its downstream step, against msgpackr's pack/unpack and
 * JSON.stringify/parse of the same rows written to and read from a file.
 * nx-steps' store is the run path's writeResult (walk, MessagePack, digests,
 * step.json); its load is readResult with every digest verified in a fresh
 * process (no stat memo), then decoded.
 */
import type { Benchmark } from './lib/runner';
import type { ResultCase } from './lib/result-child';
import { NX_STEPS, runResultCase } from './lib/result-child';

const ROWS = Number(process.env['NXS_BENCH_ROWS'] ?? 1_000_000);
const make = `const value = Array.from({ length: ${ROWS} }, (_, i) => ({ id: i, x: (i * 7919 % 1000) / 7, y: i * 0.5 + 0.25, label: 'label-' + (i % 100) }));`;
const check = `loaded.length === value.length && loaded[${ROWS - 1}].label === value[${ROWS - 1}].label && loaded[777].x === value[777].x`;

const CASES: Record<string, ResultCase & { prelude?: string }> = {
  'msgpackr pack / unpack': {
    prelude: "const { Packr, Unpackr } = require('msgpackr');",
    make,
    store: "fs.writeFileSync(path.join(dir, 'v.msgpack'), new Packr().pack(value)); diskBytes = fs.statSync(path.join(dir, 'v.msgpack')).size;",
    load: "loaded = new Unpackr().unpack(fs.readFileSync(path.join(dir, 'v.msgpack')));",
    check,
  },
  'JSON.stringify / parse': {
    make,
    store: "fs.writeFileSync(path.join(dir, 'v.json'), JSON.stringify(value)); diskBytes = fs.statSync(path.join(dir, 'v.json')).size;",
    load: "loaded = JSON.parse(fs.readFileSync(path.join(dir, 'v.json'), 'utf8'));",
    check,
  },
  'nx-steps writeResult / readResult': { prelude: NX_STEPS.prelude(), make, store: NX_STEPS.store, load: NX_STEPS.load, check },
};

const NX = 'nx-steps writeResult / readResult';
const MSGPACKR = 'msgpackr pack / unpack';
const JSON_CASE = 'JSON.stringify / parse';

const bench: Benchmark<void> = {
  name: 'results-rows',
  issueRow: 15,
  title: `a ${ROWS.toLocaleString('en-US')}-row result stored and loaded (each run a fresh process)`,
  runs: 5,
  setup: () => undefined,
  teardown: () => undefined,
  control: MSGPACKR,
  cases: Object.entries(CASES).map(([name, c]) => ({ name, run: () => runResultCase(c, c.prelude) })),
  goals: [
    {
      label: '1M-row result: store time vs msgpackr',
      control: 'msgpackr pack + write, same process kind',
      value: (r) => r.ratio(NX, MSGPACKR, 'storeSeconds'),
      op: '<=',
      target: 1.5,
      unit: '×',
    },
    {
      label: '1M-row result: load time vs msgpackr',
      control: 'read + msgpackr unpack',
      value: (r) => r.ratio(NX, MSGPACKR, 'loadSeconds'),
      op: '<=',
      target: 1.5,
      unit: '×',
    },
    {
      label: '1M-row result: store time vs JSON.stringify',
      control: 'JSON.stringify + write',
      value: (r) => r.ratio(NX, JSON_CASE, 'storeSeconds'),
      op: '<=',
      target: 1.0,
      unit: '×',
    },
    {
      label: '1M-row result: load time vs JSON.parse',
      control: 'read + JSON.parse',
      value: (r) => r.ratio(NX, JSON_CASE, 'loadSeconds'),
      op: '<=',
      target: 1.0,
      unit: '×',
    },
    { label: '1M-row result: peak RSS vs msgpackr', control: 'msgpackr, same value', value: (r) => r.ratio(NX, MSGPACKR, 'peakRssMB'), unit: '×' },
    { label: '1M-row result: peak RSS vs JSON', control: 'JSON, same value', value: (r) => r.ratio(NX, JSON_CASE, 'peakRssMB'), unit: '×' },
    { label: '1M-row result: size on disk vs msgpackr', control: 'msgpackr file', value: (r) => r.ratio(NX, MSGPACKR, 'diskMB'), unit: '×' },
  ],
};

export default bench;
