import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunRecords, runsDir, writeRunRecord } from './record-store';
import type { RunRecord } from './run-record';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});
function tmp(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-records-'));
  roots.push(root);
  return root;
}

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const record = (i: number, at = T0 + i * 1000): RunRecord => ({
  schema: 1,
  id: `run${i}`,
  startedAt: new Date(at).toISOString(),
  durationMs: 5,
  command: ['run', 'etl:load'],
  steps: [{ project: 'etl', projectRoot: 'etl', step: 'load', source: 'executed', startMs: 0, durationMs: 5 }],
});

describe('run records on disk', () => {
  it('reads back what was written, oldest first, by time window and count', () => {
    const root = tmp();
    for (const i of [2, 0, 1]) writeRunRecord(root, record(i), { maxRuns: 10, maxAgeMs: DAY }, T0);
    expect(readRunRecords(root).map((r) => r.id)).toEqual(['run0', 'run1', 'run2']);
    expect(readRunRecords(root, { last: 1 }).map((r) => r.id)).toEqual(['run2']);
    expect(readRunRecords(root, { since: T0 + 1000 }).map((r) => r.id)).toEqual(['run1', 'run2']);
    // The folder is ignored by git like the rest of .nx-steps.
    expect(fs.readFileSync(path.join(root, '.nx-steps/.gitignore'), 'utf8')).toContain('*');
  });

  it('keeps a rolling window: at most maxRuns, none older than maxAge', () => {
    const root = tmp();
    for (let i = 0; i < 8; i++) writeRunRecord(root, record(i), { maxRuns: 5, maxAgeMs: DAY }, T0 + 10_000);
    expect(readRunRecords(root).map((r) => r.id)).toEqual(['run3', 'run4', 'run5', 'run6', 'run7']);
    writeRunRecord(root, record(9, T0 + 2 * DAY), { maxRuns: 5, maxAgeMs: DAY }, T0 + 2 * DAY);
    expect(readRunRecords(root).map((r) => r.id)).toEqual(['run9']);
  });

  it('writers never share a file, even with the same Nx id and start time (what makes concurrent runs safe)', () => {
    const root = tmp();
    for (let i = 0; i < 20; i++) writeRunRecord(root, record(1), { maxRuns: 100, maxAgeMs: DAY }, T0);
    expect(readRunRecords(root)).toHaveLength(20);
    expect(fs.readdirSync(runsDir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('skips files it cannot read and records of another schema', () => {
    const root = tmp();
    writeRunRecord(root, record(1), { maxRuns: 10, maxAgeMs: DAY }, T0);
    fs.writeFileSync(path.join(runsDir(root), '20260301T000002000Z-torn.json'), '{"schema":1,');
    fs.writeFileSync(path.join(runsDir(root), '20260301T000003000Z-future.json'), JSON.stringify({ ...record(3), schema: 99 }));
    expect(readRunRecords(root).map((r) => r.id)).toEqual(['run1']);
  });
});
