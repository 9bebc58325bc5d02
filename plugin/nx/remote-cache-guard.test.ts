import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REMOTE_CACHE } from '../core/remote-options';
import { finishGuard, guardSelfHostedRemoteCache, guardWarnings, PROBE_HASH, rememberGuard, SERVER_VAR, TOKEN_VAR } from './remote-cache-guard';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';

interface Seen {
  readonly url: string | undefined;
  readonly authorization: string | undefined;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback server that answers every request with `status` (or never, for 'silent'). */
async function server(status: number | 'silent'): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    if (status === 'silent') return;
    res.statusCode = status;
    res.end();
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  s.unref();
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const NO_GUARD = { ...DEFAULT_REMOTE_CACHE, guard: false };

/** The check alone (the guard off, as with `remoteCache.guard: false` or a proxy variable). */
async function guard(env: NodeJS.ProcessEnv, argv: string[] = ['nx', 'run', 'etl:report'], timeoutMs?: number) {
  const warnings: string[] = [];
  const check = await guardSelfHostedRemoteCache(env, argv, (m) => warnings.push(m), { settings: NO_GUARD, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  return { check, warnings, env };
}

describe('guardSelfHostedRemoteCache without the guard (the check alone)', () => {
  it.each([200, 404])('keeps a server that answers %i, and sends the token as Nx does', async (status) => {
    const { url, seen } = await server(status);
    const { check, warnings, env } = await guard({ [SERVER_VAR]: url, [TOKEN_VAR]: 'secret-token' });
    expect(check).toEqual({ kind: 'usable' });
    expect(warnings).toEqual([]);
    expect(env[SERVER_VAR]).toBe(url);
    expect(seen).toEqual([{ url: `/v1/cache/${PROBE_HASH}`, authorization: 'Bearer secret-token' }]);
  });

  it('turns the remote cache off with one warning when the server answers 500', async () => {
    const { url } = await server(500);
    const { check, warnings, env } = await guard({ [SERVER_VAR]: url, [TOKEN_VAR]: 'secret-token' });
    expect(check.kind).toBe('unusable');
    expect(env[SERVER_VAR]).toBe('');
    expect(warnings).toEqual([
      `nx-steps: the remote cache at ${url} is not usable (answered 500 Internal Server Error); this run uses the local cache only, and shares nothing with other machines.`,
    ]);
  });

  it('names the token variable, never the token, when the server refuses it', async () => {
    const { url } = await server(401);
    const { warnings } = await guard({ [SERVER_VAR]: url, [TOKEN_VAR]: 'secret-token' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`(answered 401 Unauthorized: check ${TOKEN_VAR})`);
    expect(warnings[0]).not.toContain('secret-token');
  });

  it('turns the remote cache off when nothing listens', async () => {
    const url = await closedPort();
    const { warnings, env } = await guard({ [SERVER_VAR]: url });
    expect(env[SERVER_VAR]).toBe('');
    expect(warnings).toEqual([expect.stringContaining(`the remote cache at ${url} is not usable (connection refused)`)]);
  });

  it('gives up on a server that does not answer', async () => {
    const { url } = await server('silent');
    const { warnings, env } = await guard({ [SERVER_VAR]: url }, undefined, 200);
    expect(env[SERVER_VAR]).toBe('');
    expect(warnings).toEqual([expect.stringContaining('(no answer within 0.2 s)')]);
  });

  it('prints the server without the query of its URL', async () => {
    const url = await closedPort();
    const { warnings } = await guard({ [SERVER_VAR]: `${url}/cache?key=hidden-value` });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${url}/cache is not usable`);
    expect(warnings[0]).not.toContain('hidden-value');
  });

  it('makes no request when no server is set, the remote cache is skipped, a proxy is set, or the URL holds credentials', async () => {
    const { url, seen } = await server(500);
    const withCredentials = url.replace('http://', 'http://user:password@');
    const cases: [NodeJS.ProcessEnv, string[]?][] = [
      [{}],
      [{ [SERVER_VAR]: '' }],
      [{ [SERVER_VAR]: url, NX_SKIP_REMOTE_CACHE: 'true' }],
      [{ [SERVER_VAR]: url, NX_DISABLE_REMOTE_CACHE: 'true' }],
      [{ [SERVER_VAR]: url }, ['nx', 'run', 'etl:report', '--skip-remote-cache']],
      [{ [SERVER_VAR]: url, HTTPS_PROXY: 'http://proxy.invalid:3128' }],
      [{ [SERVER_VAR]: withCredentials }],
    ];
    for (const [env, argv] of cases) {
      const before = { ...env };
      const { check, warnings } = await guard(env, argv);
      expect(check).toEqual({ kind: 'not-checked' });
      expect(warnings).toEqual([]);
      expect(env).toEqual(before);
    }
    expect(seen).toEqual([]);
  });
});

describe('guardSelfHostedRemoteCache with the guard (its own process, for one command)', () => {
  it('points Nx at the guard, which checks the server once and forwards lookups with the token; the post-task side stops it', async () => {
    const { url, seen } = await server(404);
    const env: NodeJS.ProcessEnv = { ...process.env, [SERVER_VAR]: url, [TOKEN_VAR]: 'secret-token' };
    const warnings: string[] = [];
    const result = await guardSelfHostedRemoteCache(env, ['nx'], (m) => warnings.push(m), { hostPid: process.pid });
    expect(result.kind).toBe('guarded');
    if (result.kind !== 'guarded') return;
    expect(env[SERVER_VAR]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/nxs-guard\/[0-9a-f]{24}$/);
    const answer = await fetch(`${env[SERVER_VAR]}/v1/cache/123`, { headers: { Authorization: 'Bearer secret-token' } });
    expect(answer.status).toBe(404);
    expect(seen).toEqual([
      { url: `/v1/cache/${PROBE_HASH}`, authorization: 'Bearer secret-token' },
      { url: '/v1/cache/123', authorization: 'Bearer secret-token' },
    ]);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-guard-'));
    try {
      rememberGuard(root, 'cmd-1', result);
      const finished = await finishGuard(root, 'cmd-1');
      expect(finished?.status).toMatchObject({ lookups: 1, hits: 0, damaged: [] });
      expect(finished?.server).toBe(url);
      await expect(fetch(`${env[SERVER_VAR]}/v1/cache/123`)).rejects.toThrow();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    expect(warnings).toEqual([]);
  });

  it('turns the remote off for the command when the server fails its check, and says so as the check alone does', async () => {
    const { url, seen } = await server(500);
    const env: NodeJS.ProcessEnv = { ...process.env, [SERVER_VAR]: url };
    const result = await guardSelfHostedRemoteCache(env, ['nx'], () => undefined, { hostPid: process.pid });
    expect(result.kind).toBe('guarded');
    // Every request waits for the check; after it fails, none reaches the server.
    expect((await fetch(`${env[SERVER_VAR]}/v1/cache/1`)).status).toBe(404);
    expect((await fetch(`${env[SERVER_VAR]}/v1/cache/2`, { method: 'PUT', body: 'x' })).status).toBe(403);
    expect(seen.map((s) => s.url)).toEqual([`/v1/cache/${PROBE_HASH}`]);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-guard-'));
    try {
      if (result.kind === 'guarded') rememberGuard(root, 'cmd', result);
      const finished = await finishGuard(root, 'cmd');
      expect(finished?.status.unusable).toBe('answered 500 Internal Server Error');
      expect(guardWarnings(finished!.status, url, () => undefined)).toEqual([
        `nx-steps: the remote cache at ${url} is not usable (answered 500 Internal Server Error); this run uses the local cache only, and shares nothing with other machines.`,
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('ends when the process that runs the command is gone', async () => {
    const { url } = await server(404);
    const host = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const env: NodeJS.ProcessEnv = { ...process.env, [SERVER_VAR]: url };
    const result = await guardSelfHostedRemoteCache(env, ['nx'], () => undefined, { hostPid: host.pid ?? 0 });
    expect(result.kind).toBe('guarded');
    expect((await fetch(`${env[SERVER_VAR]}/v1/cache/1`)).status).toBe(404);
    host.kill('SIGKILL');
    for (let i = 0; i < 40; i++) {
      const alive = await fetch(`${env[SERVER_VAR]}/v1/cache/1`).then(
        () => true,
        () => false,
      );
      if (!alive) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the guard outlived its host by 4 s');
  });
});
