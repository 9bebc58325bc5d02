import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nxEntry, zeroBomb } from '../../test-utils/tar';
import type { GuardConfig, RunningGuard } from './proxy';
import { listenGuard } from './proxy';

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A fake upstream server; `seen` lists the requests it received. */
async function upstream(behaviour: Behaviour): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const s = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    behaviour(req, res);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

async function guard(url: string, config: Partial<GuardConfig> = {}): Promise<{ running: RunningGuard; base: string }> {
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-guard-test-'));
  const running = await listenGuard({
    upstream: url,
    prefix: '/nxs-guard/test',
    requestTimeoutMs: 300,
    budgetMs: 5_000,
    maxEntryBytes: 64 * 1024 * 1024,
    spoolDir,
    ...config,
  });
  closers.push(() => running.close());
  return { running, base: `http://127.0.0.1:${running.port}/nxs-guard/test` };
}

const ENTRY = nxEntry([{ name: 'etl/.nx-steps/out/a/step.json', data: '{}' }]);

function serve(body: Buffer): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Length': String(body.length) });
    res.end(body);
  };
}

async function get(base: string, hash = '123'): Promise<{ status: number; body: Buffer; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}/v1/cache/${hash}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), ms: performance.now() - started };
}

async function put(base: string, body: Buffer, hash = '123'): Promise<number> {
  return (await fetch(`${base}/v1/cache/${hash}`, { method: 'PUT', body })).status;
}

describe('the remote-cache guard', () => {
  it('hands Nx a checked entry byte for byte, and answers a damaged one with a miss', async () => {
    const good = await upstream(serve(ENTRY));
    const g1 = await guard(good.url);
    const hit = await get(g1.base);
    expect(hit.status).toBe(200);
    expect(hit.body.equals(ENTRY)).toBe(true);
    const damaged = await upstream(serve(ENTRY.subarray(0, ENTRY.length - 9)));
    const g2 = await guard(damaged.url);
    expect((await get(g2.base)).status).toBe(404);
    expect(g2.running.guard.status()).toMatchObject({
      lookups: 1,
      hits: 0,
      damaged: [{ hash: '123', reason: expect.stringMatching(/truncated/) }],
      off: undefined,
    });
  });

  it('holds a large entry in a file while checking it, and removes the file', async () => {
    const big = nxEntry([{ name: 'etl/big.bin', data: Buffer.from(Array.from({ length: 4 * 1024 * 1024 }, (_, i) => (i * 7919) % 251)) }]);
    const u = await upstream(serve(big));
    const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-spool-'));
    const g = await guard(u.url, { spoolDir, spoolMemoryBytes: 64 * 1024 });
    const hit = await get(g.base);
    expect(hit.status).toBe(200);
    expect(hit.body.equals(big)).toBe(true);
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  });

  it('stops a 3 GiB bomb at the cap, and hands Nx nothing', async () => {
    const u = await upstream(serve(await zeroBomb(3 * 1024 ** 3)));
    const g = await guard(u.url, { maxEntryBytes: 1024 ** 3 });
    const miss = await get(g.base);
    expect(miss.status).toBe(404);
    expect(g.running.guard.status().damaged[0]?.reason).toMatch(/unpacks to more than 1 GiB/);
  });

  it('gives a server that never answers one request timeout, then turns the remote off for the run', async () => {
    const u = await upstream(() => undefined);
    const g = await guard(u.url);
    const first = await get(g.base, '1');
    expect(first.status).toBe(404);
    expect(first.ms).toBeGreaterThanOrEqual(290);
    const second = await get(g.base, '2');
    expect(second.status).toBe(404);
    expect(second.ms).toBeLessThan(200);
    expect(await put(g.base, ENTRY, '3')).toBe(403);
    expect(u.seen).toEqual(['GET /v1/cache/1']);
    expect(g.running.guard.status().off).toBe('no answer within 0.3 s');
  });

  it('cuts a body that stops moving', async () => {
    const u = await upstream((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(ENTRY.length) });
      res.write(ENTRY.subarray(0, 20));
    });
    const g = await guard(u.url);
    expect((await get(g.base)).status).toBe(404);
    expect(g.running.guard.status().off).toBe('no answer within 0.3 s');
  });

  it('spends at most the budget on a slow server, counted as wall time, then misses at once', async () => {
    const u = await upstream((_req, res) => setTimeout(() => serve(ENTRY)(_req, res), 200));
    const g = await guard(u.url, { budgetMs: 700 });
    const started = performance.now();
    const statuses: number[] = [];
    // Two at a time, as Nx asks in parallel: the budget is wall time, not the sum.
    for (let i = 0; i < 5; i++) statuses.push(...(await Promise.all([get(g.base, `${i}a`), get(g.base, `${i}b`)])).map((r) => r.status));
    const elapsed = performance.now() - started;
    expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(statuses.slice(-2)).toEqual([404, 404]);
    expect(elapsed).toBeLessThan(700 + 400);
    expect(g.running.guard.status().off).toBe('the time budget for the remote cache is spent');
  });

  it('turns a server error on a lookup into a miss, and the remote off', async () => {
    const u = await upstream((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    const g = await guard(u.url);
    expect((await get(g.base)).status).toBe(404);
    expect(g.running.guard.status().off).toBe('answered a lookup with 500 Internal Server Error');
  });

  it('forwards uploads; a refusal other than 403 or 409 becomes "not stored" (403), which Nx accepts', async () => {
    const statuses = [200, 409, 403, 500, 413, 201];
    const u = await upstream((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = statuses.shift() ?? 500;
        res.end();
      });
    });
    const g = await guard(u.url);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push(await put(g.base, ENTRY, String(i)));
    expect(answers).toEqual([200, 409, 403, 403, 403, 403]);
    expect(g.running.guard.status()).toMatchObject({ uploads: 6, stored: 1, off: undefined });
    expect(g.running.guard.status().notStored.map((n) => n.reason)).toEqual(['the server answered 500', 'the server answered 413', 'the server answered 201']);
  });

  it('sends no upload at all from a machine that may not write', async () => {
    const u = await upstream((_req, res) => res.end());
    const g = await guard(u.url, { uploadsOff: 'signing is on and this machine holds no signing key' });
    expect(await put(g.base, ENTRY)).toBe(403);
    expect(u.seen).toEqual([]);
  });

  it('answers only its own prefix, and reports and stops on the control paths', async () => {
    const u = await upstream(serve(ENTRY));
    const g = await guard(u.url);
    const port = g.running.port;
    expect((await fetch(`http://127.0.0.1:${port}/v1/cache/1`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/nxs-guard/other/v1/cache/1`)).status).toBe(404);
    expect(u.seen).toEqual([]);
    expect(await (await fetch(`${g.base}/_nxs/status`)).json()).toMatchObject({ lookups: 0 });
  });
});
