/**
 * A real remote cache for the e2e tests: nginx from Debian's packages on
 * loopback, configured to Nx's self-hosted cache protocol (see
 * remote-cache/nginx.conf), with its own folder, a free port, one read-write
 * and one read-only token, and faults the tests can switch on.
 *
 * nginx is required, never optional: `npm test` installs it first
 * (setup-machine.ts); when it is missing anyway, starting a server throws
 * saying so, and the tests fail instead of passing without having run.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Nginx } from './machine';
import { findNginx } from './machine';

type TokenRole = 'read-write' | 'read-only';

/** One line of the server's access log. */
export interface CacheRequest {
  readonly method: string;
  /** The request path, e.g. `/v1/cache/5076848373984150888`. */
  readonly uri: string;
  /** The cache key, when the path is `/v1/cache/{hash}`. */
  readonly hash: string | undefined;
  readonly status: number;
  /** The token's role: 'rw', 'ro', or '' for a missing or unknown token. */
  readonly role: 'rw' | 'ro' | '';
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** nginx's $request_time: from the request's first byte to the response's last. */
  readonly seconds: number;
}

/** Finds nginx and its njs module (machine.ts); throws with what to do when either is missing. */
function requireNginx(): Nginx {
  const found = findNginx();
  if ('missing' in found) {
    throw new Error(
      `${found.detail}: the remote-cache e2e tests run a real cache server (nginx with njs) and cannot run without it. ` +
        'npm test installs it (e2e/rig/setup-machine.ts), or says the command to run.',
    );
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TEMPLATE_DIR = path.join(__dirname, 'remote-cache');

export class RemoteCacheServer {
  private process: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly stopOnExit = () => this.process?.kill('SIGKILL');

  private constructor(
    /** The server's own folder: config, entries, logs, temporary files. */
    readonly dir: string,
    readonly port: number,
    private readonly tokenValues: Readonly<Record<TokenRole, string>>,
  ) {}

  /** Starts a server on a free loopback port. */
  static async start(nginx: Nginx = requireNginx()): Promise<RemoteCacheServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nxs-remote-cache-${process.pid}-`));
    for (const sub of ['entries', 'logs', 'tmp']) fs.mkdirSync(path.join(dir, sub));
    fs.copyFileSync(path.join(TEMPLATE_DIR, 'store.js'), path.join(dir, 'store.js'));
    // Fresh random tokens per server, so a search for them in outputs finds nothing by chance.
    const tokens = { 'read-write': randomBytes(24).toString('hex'), 'read-only': randomBytes(24).toString('hex') };
    const template = fs.readFileSync(path.join(TEMPLATE_DIR, 'nginx.conf'), 'utf8');
    let lastError = '';
    // The port is free when chosen but another process (a parallel test run)
    // may take it before nginx binds it: try a few ports.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const id = randomBytes(8).toString('hex');
      const values: Record<string, string> = {
        DIR: dir,
        PORT: String(port),
        ID: id,
        JS_MODULE: nginx.jsModule,
        RW_TOKEN: tokens['read-write'],
        RO_TOKEN: tokens['read-only'],
      };
      fs.writeFileSync(
        path.join(dir, 'nginx.conf'),
        template.replace(/@([A-Z_]+)@/g, (whole, key: string) => values[key] ?? whole),
      );
      const server = new RemoteCacheServer(dir, port, tokens);
      const started = await server.launch(nginx.binary, id);
      if (started === true) return server;
      lastError = started;
    }
    throw new Error(`nginx did not start (config and logs in ${dir}):\n${lastError}`);
  }

  /** Starts nginx; true once it answers with its id, else what it printed. */
  private async launch(binary: string, id: string): Promise<true | string> {
    let output = '';
    let exitedEarly = false;
    const child = spawn(binary, ['-p', this.dir, '-c', path.join(this.dir, 'nginx.conf'), '-e', path.join(this.dir, 'logs/error.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => (exitedEarly = true));
    for (let waited = 0; waited < 10_000 && !exitedEarly; waited += 25) {
      const answer = await httpGet(`${this.url}/_nxs/id`).catch(() => undefined);
      if (answer?.status === 200 && answer.body === id) {
        this.process = child;
        process.once('exit', this.stopOnExit);
        return true;
      }
      await sleep(25);
    }
    child.kill('SIGKILL');
    await this.exited;
    return `${output}${this.errorLog()}` || 'no answer within 10 s';
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  token(role: TokenRole): string {
    return this.tokenValues[role];
  }

  /** Every token this server knows (for searching outputs for leaks). */
  get tokens(): readonly string[] {
    return Object.values(this.tokenValues);
  }

  /** The variables that point Nx at this server with a token of `role`. */
  nxEnv(role: TokenRole): Record<string, string> {
    return {
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: this.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: this.tokenValues[role],
    };
  }

  /** Every request so far, in order. */
  requests(): CacheRequest[] {
    const log = path.join(this.dir, 'logs/access.log');
    if (!fs.existsSync(log)) return [];
    return fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const r = JSON.parse(line) as Omit<CacheRequest, 'hash'>;
        return { ...r, hash: /^\/v1\/cache\/([^/?]+)$/.exec(r.uri)?.[1] };
      })
      .filter((r) => r.uri !== '/_nxs/id');
  }

  /** The stored entries: hash → size in bytes. */
  entries(): Map<string, number> {
    const out = new Map<string, number>();
    const root = path.join(this.dir, 'entries');
    for (const hash of fs.readdirSync(root).sort()) {
      const body = path.join(root, hash, 'body');
      if (fs.existsSync(body)) out.set(hash, fs.statSync(body).size);
    }
    return out;
  }

  /** The stored body of one entry (a gzip tar, as Nx uploaded it). */
  entryPath(hash: string): string {
    return path.join(this.dir, 'entries', hash, 'body');
  }

  /** Every lookup and upload answers 500 while on. */
  failWith500(on: boolean): void {
    this.setFault('fault-500', on);
  }

  /**
   * While on, lookups miss (404) though uploads still see existing entries:
   * what a machine sees when another one has the same task running and has
   * not uploaded it yet. Its upload then meets the other's entry (409).
   */
  hideEntries(on: boolean): void {
    this.setFault('fault-hide-entries', on);
  }

  /** While set, every request waits `ms` before it is answered (a slow server); `undefined` ends it. */
  sleepPerRequest(ms: number | undefined): void {
    this.setFault('fault-slow', ms !== undefined, String(ms ?? ''));
  }

  /** While on, the server answers nx-steps' probe and then never answers another request (a stuck server). */
  hangAfterProbe(on: boolean): void {
    this.setFault('fault-hang', on);
  }

  /**
   * Serves `body` for `hash` from now on, whatever was stored (a damaged or
   * forged entry; an entry for a key nobody uploaded yet).
   */
  replaceEntry(hash: string, body: Buffer): void {
    fs.mkdirSync(path.join(this.dir, 'entries', hash), { recursive: true });
    fs.writeFileSync(this.entryPath(hash), body);
  }

  private setFault(file: string, on: boolean, content = ''): void {
    const p = path.join(this.dir, file);
    if (on) fs.writeFileSync(p, content);
    else fs.rmSync(p, { force: true });
  }

  errorLog(): string {
    const p = path.join(this.dir, 'logs/error.log');
    return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '';
  }

  /** Stops nginx (the folder stays until `remove`): what a machine sees when the server is down. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    process.off('exit', this.stopOnExit);
    child.kill('SIGTERM');
    await this.exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
