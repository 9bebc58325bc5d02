/**
 * Issue 8: step results shared across machines through Nx's remote cache,
 * against a real server (nginx on loopback, e2e/rig/remote-cache-server.ts).
 * A "machine" is a workspace copy in its own folder with its own local Nx
 * cache. Sharing is proved by counting step calls, comparing output bytes and
 * reading the server's own log and entries, never by trusting Nx's labels alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NxResult, TaskStatus, Workspace } from './rig';
import { createWorkspace, taskStatuses, workspacesPerTest } from './rig';
import { ETL_FILES } from './fixtures/etl';
import type { CacheRequest } from './rig/remote-cache-server';
import { RemoteCacheServer } from './rig/remote-cache-server';

const open = workspacesPerTest();
const servers: RemoteCacheServer[] = [];

function machine(name: string, files: Record<string, string> = ETL_FILES): Workspace {
  const ws = createWorkspace(name, files);
  open.push(ws);
  return ws;
}

async function startServer(): Promise<RemoteCacheServer> {
  const server = await RemoteCacheServer.start();
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.remove()));
});

const GIB = 1024 * 1024 * 1024;

/**
 * A step that writes 1 GiB of random bytes to ctx.outDir. Random, so gzip
 * (which Nx applies to every upload) cannot shrink it: the full size travels,
 * as with model weights or already-compressed data.
 */
const LARGE_FILES: Record<string, string> = {
  'big/big.pipeline.ts': `import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'big' });

export const large = step({ params: { mib: 1024 } }, ({ mib }, ctx) => {
  count('large');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  const file = join(ctx.outDir, 'large.bin');
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < mib; written += 16) writeSync(fd, randomFillSync(chunk));
  } finally {
    closeSync(fd);
  }
  return { file, bytes: mib * 1024 * 1024 };
});
`,
};

/** The steps whose results Nx caches, and the whole example pipeline (upload is `cache: false`). */
const CACHED_STEPS = ['load_data', 'clean_data', 'summary', 'report'];
const ALL_STEPS = [...CACHED_STEPS, 'upload'];

interface PipelineRun {
  readonly statuses: Record<string, TaskStatus>;
  readonly calls: Record<string, number>;
  readonly result: NxResult;
}

/** Runs every step of the etl pipeline; fails with Nx's output when the run fails. */
function runPipeline(ws: Workspace, env: Record<string, string | undefined>, extraArgs: string[] = []): PipelineRun {
  ws.resetCalls();
  // Static output: run-many's default style does not print the `> nx run` lines the statuses come from.
  const result = ws.nxOk(['run-many', '-t', ...ALL_STEPS, '-p', 'etl', '--output-style=static', ...extraArgs], { env });
  return { statuses: taskStatuses(result.output), calls: ws.calls(), result };
}

function statusesOf(steps: readonly string[], status: TaskStatus): Record<string, TaskStatus> {
  return Object.fromEntries(steps.map((s) => [`etl:${s}`, status]));
}

/** The requests the server received since `from` (an index into its log). */
function requestsSince(server: RemoteCacheServer, from: number): CacheRequest[] {
  return server.requests().slice(from);
}

/**
 * Nx's own keys are 64-bit numbers in decimal (at most 20 digits); nx-steps'
 * step-keyed entries are 128-bit numbers (more digits), see plugin/core/fingerprint/step-key.ts.
 */
function isStepKey(hash: string | undefined): boolean {
  return hash !== undefined && hash.length > 20;
}

/** Lookups of real task hashes by Nx (without nx-steps' own check of the server, or its step-keyed entries). */
function taskRequests(requests: readonly CacheRequest[], method: 'GET' | 'PUT'): CacheRequest[] {
  return requests.filter((r) => r.method === method && r.hash !== '0000000000000000000' && !isStepKey(r.hash));
}

/** Requests for step-keyed entries (the executor's own lookups and uploads). */
function entryRequests(requests: readonly CacheRequest[], method: 'GET' | 'PUT'): CacheRequest[] {
  return requests.filter((r) => r.method === method && isStepKey(r.hash));
}

/** Every file under `dir`, as sorted paths relative to it. */
function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(dir, child));
    else out.push(child);
  }
  return out.sort();
}

/** Byte-for-byte comparison in chunks, so a 1 GiB file is never held in memory twice. */
function sameBytes(a: string, b: string): boolean {
  if (fs.statSync(a).size !== fs.statSync(b).size) return false;
  const chunk = 8 * 1024 * 1024;
  const bufA = Buffer.alloc(chunk);
  const bufB = Buffer.alloc(chunk);
  const fdA = fs.openSync(a, 'r');
  const fdB = fs.openSync(b, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fdA, bufA, 0, chunk, null);
      const m = fs.readSync(fdB, bufB, 0, chunk, null);
      if (n !== m) return false;
      if (n === 0) return true;
      if (!bufA.subarray(0, n).equals(bufB.subarray(0, m))) return false;
    }
  } finally {
    fs.closeSync(fdA);
    fs.closeSync(fdB);
  }
}

/** Fails unless both step output folders hold the same files with the same bytes. */
function expectSameOutputs(a: Workspace, b: Workspace, project: string, steps: readonly string[]): void {
  for (const step of steps) {
    const rel = `${project}/.nx-steps/out/${step}`;
    const files = listFiles(a.path(rel));
    expect(files, `${rel} on the second machine`).toEqual(listFiles(b.path(rel)));
    expect(files).toContain('step.json');
    for (const f of files) expect(sameBytes(path.join(a.path(rel), f), path.join(b.path(rel), f)), `${rel}/${f} differs`).toBe(true);
  }
}

/** The stored entries with their bytes: to prove later that none was replaced. */
function entryBytes(server: RemoteCacheServer): Map<string, Buffer> {
  return new Map([...server.entries().keys()].map((hash) => [hash, fs.readFileSync(server.entryPath(hash))]));
}

/** Lines of nx-steps' warning about the remote cache. */
function remoteCacheWarnings(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('nx-steps: the remote cache'));
}

/** Files under `roots` (recursively, any content, binary included) that contain one of `needles`. */
function filesContaining(roots: readonly string[], needles: readonly string[]): string[] {
  const hits: string[] = [];
  const visit = (p: string): void => {
    const stat = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p)) if (entry !== 'node_modules') visit(path.join(p, entry));
      return;
    }
    const bytes = fs.readFileSync(p);
    if (needles.some((n) => bytes.includes(n))) hits.push(p);
  };
  for (const root of roots) visit(root);
  return hits;
}

/**
 * No token in any output, nor anywhere in the machines' workspaces (their
 * .nx-steps/ and .nx/ folders among them) and local Nx caches, nor in the
 * server's logs.
 */
function expectNoTokenLeak(server: RemoteCacheServer, machines: readonly Workspace[], outputs: readonly string[]): void {
  for (const [i, output] of outputs.entries()) {
    for (const token of server.tokens) expect(output.includes(token), `run ${i + 1} printed a token`).toBe(false);
  }
  const roots = [...machines.flatMap((ws) => [ws.root, ws.cacheDir]), path.join(server.dir, 'logs')];
  expect(filesContaining(roots, server.tokens)).toEqual([]);
}

describe('sharing step results through a remote cache', () => {
  it('machine B gets every cached step of machine A as a remote hit, byte-identical, without calling a step', async () => {
    const server = await startServer();
    const a = machine('machine-a');
    const b = machine('machine-b');

    // Verbose, so that the token search at the end also covers Nx's most talkative output.
    const first = runPipeline(a, server.nxEnv('read-write'), ['--verbose']);
    expect(first.calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1, upload: 1 });
    const uploads = taskRequests(server.requests(), 'PUT');
    expect(uploads.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Each executed cached step is also stored under its own key.
    const entryUploads = entryRequests(server.requests(), 'PUT');
    expect(entryUploads.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect([...server.entries().keys()].sort()).toEqual([...uploads, ...entryUploads].map((r) => r.hash).sort());

    const from = server.requests().length;
    const second = runPipeline(b, server.nxEnv('read-write'), ['--verbose']);
    // Only upload (cache: false, a side effect) runs; its input, clean_data's result, came from A.
    expect(second.calls).toEqual({ upload: 1 });
    expect(second.statuses).toEqual({ ...statusesOf(CACHED_STEPS, 'remote'), 'etl:upload': 'run' });
    const requests = requestsSince(server, from);
    expect(taskRequests(requests, 'GET').map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(taskRequests(requests, 'PUT')).toEqual([]);
    // Nx hit every step: the executor never ran, so no step-keyed lookup either.
    expect(entryRequests(requests, 'GET')).toEqual([]);
    expectSameOutputs(a, b, 'etl', CACHED_STEPS);
    expect(b.read('etl/.nx-steps/out/report/value/value.msgpack')).toBe(a.read('etl/.nx-steps/out/report/value/value.msgpack'));

    expectNoTokenLeak(server, [a, b], [first.result.output, second.result.output]);
  });

  it('a read-only token reads but never writes: the server refuses every upload (403) and the run succeeds', async () => {
    const server = await startServer();
    const main = machine('main');
    runPipeline(main, server.nxEnv('read-write'));
    const before = entryBytes(server);
    expect(before.size).toBe(8);

    // A pull request that changes one step's param: two steps hit, two miss and run.
    const pr = machine('pull-request');
    pr.edit('etl/etl.pipeline.ts', 'params: { scale: 1 }', 'params: { scale: 2 }');
    const from = server.requests().length;
    const run = runPipeline(pr, server.nxEnv('read-only'), ['--verbose']);
    expect(run.calls).toEqual({ summary: 1, report: 1, upload: 1 });
    expect(run.statuses).toEqual({ ...statusesOf(['load_data', 'clean_data'], 'remote'), ...statusesOf(['summary', 'report', 'upload'], 'run') });
    expect(pr.stored('etl/.nx-steps/out/report')).toBe('total=80');

    const requests = requestsSince(server, from);
    expect(requests.every((r) => r.role === 'ro')).toBe(true);
    // Nx tried to upload the two new results; the server refused both, and stored nothing.
    expect(taskRequests(requests, 'PUT').map((r) => r.status)).toEqual([403, 403]);
    expect(entryRequests(requests, 'PUT').map((r) => r.status)).toEqual([403, 403]);
    expect(requests.filter((r) => r.method === 'PUT' && r.status === 200)).toEqual([]);
    expect(entryBytes(server)).toEqual(before);
    expect(remoteCacheWarnings(run.result.output)).toEqual([]);

    expectNoTokenLeak(server, [main, pr], [run.result.output]);
  });

  it('an upload to an existing key gets 409, the entry is not replaced, and nothing breaks', async () => {
    const server = await startServer();
    runPipeline(machine('first'), server.nxEnv('read-write'));
    const before = entryBytes(server);

    // Two machines building the same commit at once: both miss, both run, the
    // later upload meets the earlier entry. (step.json records each run's
    // duration, so a replaced entry would not have the same bytes.)
    server.hideEntries(true);
    const second = machine('second');
    const from = server.requests().length;
    const run = runPipeline(second, server.nxEnv('read-write'));
    expect(run.calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1, upload: 1 });
    expect(taskRequests(requestsSince(server, from), 'PUT').map((r) => r.status)).toEqual([409, 409, 409, 409]);
    expect(entryRequests(requestsSince(server, from), 'PUT').map((r) => r.status)).toEqual([409, 409, 409, 409]);
    expect(entryBytes(server)).toEqual(before);
    expect(remoteCacheWarnings(run.result.output)).toEqual([]);

    // The second machine's own results are in its local cache.
    server.hideEntries(false);
    const again = runPipeline(second, server.nxEnv('read-write'));
    expect(again.calls).toEqual({ upload: 1 });
    expect(again.statuses).toEqual({ ...statusesOf(CACHED_STEPS, 'local'), 'etl:upload': 'run' });
  });

  it('with the server down, runs succeed from local results with one warning', async () => {
    const server = await startServer();
    const a = machine('writer');
    runPipeline(a, server.nxEnv('read-write'));
    await server.stop();
    // Nx 24 alone fails such a run before any task starts ("Failed to send
    // request"); nx-steps checks the server first and turns it off for the run.
    const expected = new RegExp(
      `^nx-steps: the remote cache at ${server.url.replace(/[.]/g, '\\.')} is not usable \\(connection refused\\); this run uses the local cache only`,
    );

    const warm = runPipeline(a, server.nxEnv('read-write'));
    expect(warm.calls).toEqual({ upload: 1 });
    expect(warm.statuses).toEqual({ ...statusesOf(CACHED_STEPS, 'local'), 'etl:upload': 'run' });
    expect(remoteCacheWarnings(warm.result.output)).toEqual([expect.stringMatching(expected)]);

    const fresh = machine('fresh');
    const cold = runPipeline(fresh, server.nxEnv('read-write'));
    expect(cold.calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1, upload: 1 });
    expect(remoteCacheWarnings(cold.result.output)).toEqual([expect.stringMatching(expected)]);

    expectNoTokenLeak(server, [a, fresh], [warm.result.output, cold.result.output]);
  });

  it('with the server answering 500, the run succeeds locally with one warning and sends nothing more', async () => {
    const server = await startServer();
    server.failWith500(true);
    const ws = machine('broken-server');
    const run = runPipeline(ws, server.nxEnv('read-write'));
    expect(run.calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1, upload: 1 });
    expect(remoteCacheWarnings(run.result.output)).toEqual([
      `nx-steps: the remote cache at ${server.url} is not usable (answered 500 Internal Server Error); this run uses the local cache only, and shares nothing with other machines.`,
    ]);
    // nx-steps' one check of the server, and no lookup or upload by Nx.
    expect(server.requests().map((r) => `${r.method} ${r.uri} ${r.status}`)).toEqual(['GET /v1/cache/0000000000000000000 500']);
    expectNoTokenLeak(server, [ws], [run.result.output]);
  });

  // Every case above also searches its outputs, workspaces, local caches and
  // the server's logs for the tokens (expectNoTokenLeak); this one adds a token
  // the server refuses.
  it('a refused token is reported by its variable name, and no token is printed or stored anywhere', async () => {
    const server = await startServer();
    const ws = machine('wrong-token');
    // The wrong token contains the real one, so the search below covers both.
    const wrong = { ...server.nxEnv('read-write'), NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: `${server.token('read-write')}x` };
    const refused = runPipeline(ws, wrong, ['--verbose']);
    expect(refused.calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1, upload: 1 });
    expect(remoteCacheWarnings(refused.result.output)).toEqual([
      `nx-steps: the remote cache at ${server.url} is not usable (answered 401 Unauthorized: check NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN); this run uses the local cache only, and shares nothing with other machines.`,
    ]);
    expect(server.requests().map((r) => `${r.method} ${r.status} ${r.role || 'unknown token'}`)).toEqual(['GET 401 unknown token']);
    // The search finds a token where there is one (the server's own config), so an empty result means something.
    expect(filesContaining([path.join(server.dir, 'nginx.conf')], server.tokens)).toHaveLength(1);
    expectNoTokenLeak(server, [ws], [refused.result.output]);
  });

  // Minutes on a busy 2-core machine (Nx compresses 1 GiB on one core), so it
  // runs when NXS_E2E_LARGE=1: .ci/run sets it, so CI always runs it.
  it.runIf(process.env['NXS_E2E_LARGE'] === '1')(
    'a 1 GiB file written to ctx.outDir round-trips through the remote cache (NXS_E2E_LARGE=1; set by .ci/run)',
    { timeout: 900_000 },
    async () => {
      const server = await startServer();
      const a = machine('large-a', LARGE_FILES);
      const b = machine('large-b', LARGE_FILES);
      // Generous limits: the 2-core machines are shared, and Nx compresses the upload on one core.
      const nxTimeoutMs = 600_000;

      let started = Date.now();
      a.resetCalls();
      const upload = a.nxOk(['run', 'big:large'], { env: server.nxEnv('read-write'), timeoutMs: nxTimeoutMs });
      const aSeconds = (Date.now() - started) / 1000;
      expect(a.calls()).toEqual({ large: 1 });
      const put = taskRequests(server.requests(), 'PUT');
      expect(put.map((r) => r.status)).toEqual([200]);
      // And once more under the step's own key (the step-keyed entry): the cost of surviving pipeline edits.
      expect(entryRequests(server.requests(), 'PUT').map((r) => r.status)).toEqual([200]);
      // Incompressible: the gzip tar Nx sent is no smaller than the file.
      const stored = [...server.entries().values()];
      expect(stored).toHaveLength(2);
      for (const size of stored) expect(size).toBeGreaterThanOrEqual(GIB);

      started = Date.now();
      b.resetCalls();
      const download = b.nxOk(['run', 'big:large'], { env: server.nxEnv('read-write'), timeoutMs: nxTimeoutMs });
      const bSeconds = (Date.now() - started) / 1000;
      expect(b.calls()).toEqual({});
      expect(taskStatuses(download.output)).toEqual({ 'big:large': 'remote' });
      const rel = 'big/.nx-steps/out/large/files/large.bin';
      expect(fs.statSync(b.path(rel)).size).toBe(GIB);
      expectSameOutputs(a, b, 'big', ['large']);
      // Outputs and server logs only: the other cases search the workspaces, which here hold 1 GiB files.
      expectNoTokenLeak(server, [], [upload.output, download.output]);

      const get = taskRequests(server.requests(), 'GET').find((r) => r.status === 200);
      const stepSeconds = /result computed in ([\d.]+m?s)/.exec(upload.output)?.[1] ?? '?';
      // Figures for the record (not asserted: timing depends on the machine and its load).
      console.log(
        `1 GiB round trip: machine A ran the step (${stepSeconds}), cached and uploaded it in ${aSeconds.toFixed(1)} s ` +
          `(the server received ${put[0]?.requestBytes} bytes in ${put[0]?.seconds} s); ` +
          `machine B restored it in ${bSeconds.toFixed(1)} s (the server sent it in ${get?.seconds} s)`,
      );
    },
  );
});
