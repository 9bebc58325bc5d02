/**
 * The results benchmarks (issue 15): each case stores a value and loads it
 * back in a fresh Node.js process, as a step and its downstream step do. The
 * script builds the value (untimed), then times the store and the load
 * separately; controls write and read the same value through the same file
 * system, so every ratio compares like with like. Peak RSS is the process's.
 */
import { spawnSync } from 'node:child_process';
import { distPath, REPO_ROOT } from './dist';
import type { Metrics } from './runner';

export interface ResultCase {
  /** JavaScript that defines `value` (untimed). */
  readonly make: string;
  /** Async JavaScript that stores `value` under `dir` and sets `diskBytes`. */
  readonly store: string;
  /** Async JavaScript that loads it back into `loaded`. */
  readonly load: string;
  /** JavaScript returning true when `loaded` is what was stored (checked, untimed). */
  readonly check: string;
}

/** What nx-steps' cases call: the run path's own result API, with full verification on load. */
export const NX_STEPS = {
  prelude: () => `
const result = require(${JSON.stringify(distPath('plugin/core/outputs/result.js'))});
const { hashFileContent } = require(${JSON.stringify(distPath('plugin/core/hash/file-hasher.js'))});
const info = { project: 'bench', step: 'step', fingerprint: { digest: 'f'.repeat(32), record: {} }, durationMs: 1, nxSteps: '0' };
const folderBytes = (d) => require('node:fs').readdirSync(d, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).reduce((n, e) => n + require('node:fs').statSync(require('node:path').join(e.parentPath ?? e.path, e.name)).size, 0);`,
  store: `result.beginResult(dir);
const stored = await result.writeResult(dir, value, { ...info, arrowFrom: process.cwd() });
if (!stored.ok) throw new Error(stored.error.message);
diskBytes = folderBytes(dir);`,
  load: `const read = result.readResult(dir, { digestOf: hashFileContent, arrowFrom: process.cwd() });
if (!read.ok) throw new Error(read.detail);
const v = read.value();
if (!v.ok) throw new Error(v.error.message);
loaded = v.value;`,
};

export function runResultCase(c: ResultCase, prelude = ''): Metrics {
  const script = `
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
${prelude}
(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-bench-result-'));
  const dir = path.join(root, 'out', 'step');
  fs.mkdirSync(dir, { recursive: true });
  try {
    ${c.make}
    let diskBytes = 0;
    let loaded;
    let t0 = performance.now();
    ${c.store}
    const storeSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    ${c.load}
    const loadSeconds = (performance.now() - t0) / 1000;
    if (!(${c.check})) throw new Error('the loaded value differs from the stored one');
    const metrics = { seconds: storeSeconds + loadSeconds, storeSeconds, loadSeconds, diskMB: diskBytes / 1e6, peakRssMB: process.resourceUsage().maxRSS * 1024 / 1e6 };
    process.stdout.write('\\n' + JSON.stringify(metrics) + '\\n');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
})().catch((e) => { console.error(e); process.exit(1); });
`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`benchmark child failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Metrics;
}
