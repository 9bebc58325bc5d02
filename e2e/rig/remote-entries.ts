/**
 * What a hostile or broken cache server serves, for the e2e tests of the
 * remote-cache guard and of signed results: which stored entry is which
 * step's (under Nx's key or the step's own), each kind of damage the issue
 * lists, and an entry forged with nx-steps' own store code (consistent
 * digests, any value).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { ReadMember, TarMember } from '../../plugin/test-utils/tar';
import { nxTrailer, readTar, tar, zeroBomb } from '../../plugin/test-utils/tar';
import type { RemoteCacheServer } from './remote-cache-server';
import type { Workspace } from './workspace';

export interface StoredEntry {
  readonly hash: string;
  /** 'nx': Nx's entry of the task; 'step': the step-keyed entry. */
  readonly kind: 'nx' | 'step';
  readonly step: string;
  /** The folder of the result inside the archive, e.g. `dmg/.nx-steps/out/u1` or `.nx-steps/entries/<key>`. */
  readonly folder: string;
  readonly body: Buffer;
}

/** Every stored entry that holds a step result, by `<kind>:<step>`. */
export function storedEntries(server: RemoteCacheServer): Map<string, StoredEntry> {
  const out = new Map<string, StoredEntry>();
  for (const hash of server.entries().keys()) {
    const body = fs.readFileSync(server.entryPath(hash));
    let members: ReadMember[];
    try {
      members = readTar(zlib.gunzipSync(body));
    } catch {
      continue;
    }
    const meta = members.find((m) => m.name.endsWith('/step.json'));
    if (!meta) continue;
    const { step } = JSON.parse(meta.data.toString('utf8')) as { step: string };
    const folder = path.posix.dirname(meta.name);
    const kind = folder.startsWith('.nx-steps/entries/') ? 'step' : 'nx';
    out.set(`${kind}:${step}`, { hash, kind, step, folder, body });
  }
  return out;
}

/** A member of the genuine archive, as a TarMember to write back. */
function asMember(m: ReadMember): TarMember {
  return { name: m.name, type: m.type, data: m.data };
}

function rebuilt(entry: StoredEntry, change: (members: TarMember[]) => TarMember[]): Buffer {
  const members = readTar(zlib.gunzipSync(entry.body)).map(asMember);
  return zlib.gzipSync(tar(change(members)));
}

/** Where a hostile entry tries to write outside the cache: must never exist. */
export const ESCAPE_TARGET = path.join(os.tmpdir(), `nxs-e2e-escaped-${process.pid}`);

/** Each kind of damage of the issue, applied to a genuine entry. */
export const DAMAGE: Readonly<Record<string, (entry: StoredEntry) => Buffer | Promise<Buffer>>> = {
  truncated: (e) => e.body.subarray(0, Math.floor(e.body.length / 2)),
  random: () => randomBytes(700),
  empty: () => Buffer.alloc(0),
  'junk-gzip': () => zlib.gzipSync(Buffer.from('this is no tar archive\n'.repeat(100))),
  'only-output': (e) => zlib.gzipSync(tar(nxTrailer(`> nx run ${e.step}\n`))),
  absolute: (e) => rebuilt(e, (ms) => [{ name: `${ESCAPE_TARGET}/absolute.txt`, data: 'pwned' }, ...ms]),
  traversal: (e) => rebuilt(e, (ms) => [{ name: `${e.folder}/../../../../../../..${ESCAPE_TARGET}/traversal.txt`, data: 'pwned' }, ...ms]),
  symlink: (e) =>
    rebuilt(e, (ms) => [...ms.filter((m) => !m.name.endsWith('/result.xxh128')), { name: `${e.folder}/result.xxh128`, type: '2', linkName: '/etc/hostname' }]),
  hardlink: (e) =>
    rebuilt(e, (ms) => [...ms.filter((m) => !m.name.endsWith('/result.xxh128')), { name: `${e.folder}/result.xxh128`, type: '1', linkName: '/etc/hostname' }]),
  bomb: (e) => zeroBomb(3 * 1024 ** 3, `${e.folder}/files/zeros.bin`),
};

/**
 * An entry holding a result nx-steps' own store code wrote for `value`, with
 * the genuine entry's fingerprint (and its signature, when it has one): every
 * digest consistent, so only the signature can tell it from the real one.
 * What a writer with the read-write token and no signing key can upload.
 */
export async function forgedEntry(ws: Workspace, entry: StoredEntry, value: unknown): Promise<Buffer> {
  const genuine = readTar(zlib.gunzipSync(entry.body));
  const meta = JSON.parse(genuine.find((m) => m.name === `${entry.folder}/step.json`)?.data.toString('utf8') ?? '{}') as {
    project: string;
    step: string;
    fingerprint: unknown;
    nxSteps: string;
  };
  const store = path.join(fs.realpathSync(ws.path('node_modules/nx-steps')), 'dist/plugin/core/outputs/store.js');
  const { finishOutputs } = createRequire(store)(store) as { finishOutputs(dir: string, input: object): Promise<unknown> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-forged-'));
  try {
    fs.mkdirSync(path.join(dir, 'files'));
    await finishOutputs(dir, { project: meta.project, step: meta.step, fingerprint: meta.fingerprint, value, durationMs: 1, nxSteps: meta.nxSteps });
    const members: TarMember[] = [];
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          members.push({ name: `${entry.folder}/${child}`, type: '5' });
          walk(child);
        } else members.push({ name: `${entry.folder}/${child}`, data: fs.readFileSync(path.join(dir, child)) });
      }
    };
    walk('');
    // The best an attacker without the key can do: the genuine signature, on the forged contents.
    const signature = genuine.find((m) => m.name === `${entry.folder}/signature.json`);
    if (signature) members.push({ name: signature.name, data: signature.data });
    return zlib.gzipSync(tar([...members, ...nxTrailer(`forged ${entry.step}\n`)]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes under `dir` (recursively), to show a bomb left nothing behind. */
export function bytesUnder(dir: string): number {
  let total = 0;
  const visit = (p: string): void => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else total += st.size;
  };
  visit(dir);
  return total;
}
