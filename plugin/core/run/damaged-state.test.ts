/**
 * The damaged-state table: every kind of file nx-steps keeps (docs/architecture.md, "Files on disk") ×
 * every kind of damage (corrupt, truncated, swapped with another key's, unreadable, a folder in its place),
 * through the workspace pass, the model, the engine and the run records, twice (test-utils/damaged-state.ts
 * says what each case holds to). Each is a miss or a located error, never NXS900, never a wrong result,
 * never a cleared step's old entry.
 *
 * Unreadable: root reads a `chmod 000` file, so as root that column runs in a child process as `nobody`
 * (or is skipped, saying why, when there is no such user or it cannot read this checkout).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Verdict } from './test-utils/damaged-state';
import { DAMAGES, KINDS, runCase } from './test-utils/damaged-state';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-damaged-'));
fs.chmodSync(base, 0o777);
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** The unreadable column as an unprivileged user, beside the other columns (a child process); a string says why it cannot run. */
function unreadableAsNobody(): Promise<Verdict[] | string> {
  const harness = path.join(__dirname, 'test-utils/damaged-state.ts');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', harness, base, ...KINDS.map((k) => k.name)], {
      cwd: path.resolve(__dirname, '../../..'),
      uid: NOBODY,
      gid: NOBODY,
      env: { PATH: process.env['PATH'] ?? '', HOME: base, TMPDIR: base },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(`cannot run as uid ${NOBODY}: ${e.message}`));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Verdict[]);
      } catch {
        resolve(`the child as uid ${NOBODY} gave no verdicts (exit ${code}): ${err.slice(0, 500)}`);
      }
    });
  });
}

const byNobody = asRoot ? unreadableAsNobody() : undefined;

describe.each(KINDS.map((k) => k.name))('%s', (kind) => {
  it.each(DAMAGES.filter((d) => d !== 'unreadable' || !asRoot))('%s: a miss or a located error', async (damage) => {
    const verdict = await runCase(base, kind, damage);
    expect(verdict.problems, verdict.outcomes.join(', ')).toEqual([]);
  });

  it.runIf(asRoot)(
    `unreadable (as uid ${NOBODY}: root reads any file): a miss or a located error`,
    async (ctx) => {
      const verdicts = await byNobody;
      // No such user, or it cannot read this checkout: the column cannot run here, and says why.
      if (typeof verdicts === 'string') return ctx.skip(verdicts);
      const verdict = verdicts?.find((v) => v.kind === kind);
      expect(verdict?.problems, verdict?.outcomes.join(', ')).toEqual([]);
      // The first of these waits for the whole column, which runs beside the others.
    },
    600_000,
  );
});
