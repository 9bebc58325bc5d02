/**
 * Run records on disk: <workspace>/.nx-steps/runs/<time>-<id>.json, one
 * file per Nx command.
 *
 * One file per run, written by rename, is what makes concurrent writers
 * safe without a lock: two Nx commands finishing together write two
 * different files, and a reader sees each file whole or not at all. File
 * names start with the run's start time, so listing the folder gives the
 * runs in order without opening them.
 *
 * Bounded: after each write the oldest files go, beyond a count and an age
 * (a rolling window). Pruning races are harmless: deleting a file another
 * writer already deleted is ignored.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureIgnoredDir, stateDir } from '../util/disk-cache';
import { readJsonIfExists, writeFileAtomic } from '../util/fs-atomic';
import type { RunRecord } from './run-record';
import { RUN_RECORD_SCHEMA } from './run-record';

export interface Retention {
  /** Runs kept at most. */
  readonly maxRuns: number;
  /** Runs older than this are dropped. */
  readonly maxAgeMs: number;
}

/** About 200 runs of a 20-step pipeline is 1–2 MB. */
const DEFAULT_RETENTION: Retention = { maxRuns: 200, maxAgeMs: 30 * 86_400_000 };

const RECORD_NAME = /^(\d{8}T\d{9}Z)-[A-Za-z0-9_-]+\.json$/;
/** Temporary files of a writer that crashed between write and rename. */
const STALE_TEMP_MS = 3_600_000;

export function runsDir(workspaceRoot: string): string {
  return path.join(stateDir(workspaceRoot), 'runs');
}

/** 2026-11-22T02:53:10.123Z → 20261122T025310123Z: sortable and valid in every file system. */
function compactTime(iso: string): string {
  return iso.replace(/[-:.]/g, '');
}

function timeOfName(name: string): number {
  const m = RECORD_NAME.exec(name);
  if (!m || !m[1]) return NaN;
  const t = m[1];
  return Date.parse(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.${t.slice(15, 18)}Z`);
}

function listRecordNames(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => RECORD_NAME.test(n)).sort();
}

export function writeRunRecord(workspaceRoot: string, record: RunRecord, retention: Retention = DEFAULT_RETENTION, now: number = Date.now()): string {
  ensureIgnoredDir(stateDir(workspaceRoot));
  const dir = runsDir(workspaceRoot);
  // The random part keeps names unique even for two runs with the same Nx id and start time.
  const unique = `${record.id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24)}-${randomUUID().slice(0, 8)}`;
  const file = path.join(dir, `${compactTime(new Date(record.startedAt).toISOString())}-${unique}.json`);
  writeFileAtomic(file, `${JSON.stringify(record)}\n`);
  pruneRunRecords(dir, retention, now);
  return file;
}

function pruneRunRecords(dir: string, retention: Retention, now: number): void {
  const names = listRecordNames(dir);
  const excess = names.length - retention.maxRuns;
  names.forEach((name, i) => {
    if (i < excess || now - timeOfName(name) > retention.maxAgeMs) fs.rmSync(path.join(dir, name), { force: true });
  });
  for (const name of safeReaddir(dir)) {
    if (!name.endsWith('.tmp')) continue;
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_TEMP_MS) fs.rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export interface RecordQuery {
  /** Only runs that started at or after this time (epoch ms). */
  readonly since?: number;
  /** Only the newest n runs (after `since`). */
  readonly last?: number;
}

/** Records in start order, oldest first. Unreadable files and other schemas are skipped. */
export function readRunRecords(workspaceRoot: string, query: RecordQuery = {}): RunRecord[] {
  const dir = runsDir(workspaceRoot);
  let names = listRecordNames(dir);
  if (query.since !== undefined) {
    const since = query.since;
    // The name's time is the run's start time; compare by it to avoid opening older files.
    names = names.filter((n) => timeOfName(n) >= since);
  }
  if (query.last !== undefined) names = names.slice(Math.max(0, names.length - query.last));
  const out: RunRecord[] = [];
  for (const name of names) {
    const r = readJsonIfExists<RunRecord>(path.join(dir, name));
    if (r && r.schema === RUN_RECORD_SCHEMA && Array.isArray(r.steps)) out.push(r);
  }
  return out;
}
