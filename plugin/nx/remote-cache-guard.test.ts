import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardSelfHostedRemoteCache, PROBE_HASH, SERVER_VAR, TOKEN_VAR } from './remote-cache-guard';

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

async function guard(env: NodeJS.ProcessEnv, argv: string[] = ['nx', 'run', 'etl:report'], timeoutMs?: number) {
  const warnings: string[] = [];
  const check = await guardSelfHostedRemoteCache(env, argv, (m) => warnings.push(m), timeoutMs === undefined ? {} : { timeoutMs });
  return { check, warnings, env };
}

describe('guardSelfHostedRemoteCache', () => {
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
