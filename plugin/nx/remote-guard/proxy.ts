/**
 * The remote-cache guard: a loopback HTTP server speaking Nx's self-hosted
 * cache protocol, between Nx (and nx-steps' step-keyed lookups, which use
 * Nx's client) and the real server, for the length of one Nx command.
 *
 * Nx 24's client has no timeout and fails the whole command on anything but
 * a clean answer, and its extractor fails it on any entry it cannot unpack.
 * The guard keeps the server's misbehaviour from reaching Nx:
 *
 * - every request is bounded (`requestMs` to answer and between body
 *   chunks) and the run's requests share one time budget; a timeout, a
 *   refused connection, an unexpected status or a spent budget turns the
 *   remote off for the rest of the command (lookups miss, uploads are not
 *   stored), with one warning;
 * - every entry is checked while it downloads (entry-check.ts: gzip and tar
 *   whole, only files and folders, no absolute or escaping path, Nx's exit
 *   code, a cap on what it unpacks to) and held (spool.ts) until it passes:
 *   a damaged entry is answered 404, a miss, so the task runs;
 * - an upload the server refuses with anything but 200, 403 or 409 is
 *   answered 403 ("not stored"), which Nx accepts silently, instead of six
 *   retries and a failed task.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream/promises';
import { TimeBudget } from './budget';
import { EntryCheck } from './entry-check';
import { Spool } from './spool';
import type { Call, Limits } from './upstream';
import { call, networkReason } from './upstream';

export interface GuardConfig {
  /** The real server, as NX_SELF_HOSTED_REMOTE_CACHE_SERVER named it. */
  readonly upstream: string;
  /** The path every request of this guard starts with (it holds a secret). */
  readonly prefix: string;
  readonly requestTimeoutMs: number;
  readonly budgetMs: number;
  readonly maxEntryBytes: number;
  /** Why uploads are not forwarded at all (a machine that may not write), if they are not. */
  readonly uploadsOff?: string | undefined;
  /** Where large bodies are held while they are checked. */
  readonly spoolDir: string;
  /** Bodies up to this size are held in memory (default spool.ts's 64 MiB). */
  readonly spoolMemoryBytes?: number;
}

/** How the guard runs in its process (main.ts). */
export interface GuardRuntime {
  /** The check of the server (probe.ts): why it is not usable, or undefined. Every request waits for it. */
  readonly unusable?: Promise<string | undefined>;
  /** Called once the post-task hook asked it to stop (and was answered). */
  readonly onStop?: () => void;
  /** A socket already listening (handed over by the hook, as a file descriptor); default a new one on a free loopback port. */
  readonly socket?: { readonly fd: number };
}

export interface GuardStatus {
  /** Why the server failed its check, if it did: the remote was off for the whole command. */
  readonly unusable?: string | undefined;
  /** Why the remote was turned off during the command, if it was. */
  readonly off?: string | undefined;
  readonly uploadsOff?: string | undefined;
  readonly damaged: ReadonlyArray<{ readonly hash: string; readonly reason: string }>;
  readonly notStored: ReadonlyArray<{ readonly hash: string; readonly reason: string }>;
  readonly lookups: number;
  readonly hits: number;
  readonly uploads: number;
  readonly stored: number;
  readonly spentMs: number;
}

/** Headers of Nx's request that the server needs (the token among them); never logged. */
const FORWARDED = ['authorization', 'accept', 'content-type', 'content-length', 'user-agent'];

function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const name of FORWARDED) if (req.headers[name] !== undefined) out[name] = req.headers[name];
  return out;
}

async function drain(req: http.IncomingMessage): Promise<void> {
  req.resume();
  await finished(req).catch(() => undefined);
}

function answer(res: http.ServerResponse, status: number, text = ''): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

export class RemoteCacheGuard {
  private readonly budget: TimeBudget;
  private off: string | undefined;
  private unusable: string | undefined;
  private readonly checked: Promise<void>;
  private readonly damaged: Array<{ hash: string; reason: string }> = [];
  private readonly notStored: Array<{ hash: string; reason: string }> = [];
  private counts = { lookups: 0, hits: 0, uploads: 0, stored: 0 };
  private readonly compressedCap: number;

  private readonly onStop: () => void;

  constructor(
    private readonly config: GuardConfig,
    runtime: Pick<GuardRuntime, 'unusable' | 'onStop'> = {},
  ) {
    this.budget = new TimeBudget(config.budgetMs);
    this.onStop = runtime.onStop ?? (() => undefined);
    // The check is a request like the others: its time counts against the budget.
    const end = this.budget.begin();
    this.checked = (runtime.unusable ?? Promise.resolve(undefined)).then(
      (reason) => {
        this.unusable = reason;
        end();
      },
      () => end(),
    );
    // gzip of incompressible bytes is a little larger than they are.
    this.compressedCap = config.maxEntryBytes + Math.ceil(config.maxEntryBytes / 100) + 1024 * 1024;
  }

  status(): GuardStatus {
    return {
      unusable: this.unusable,
      off: this.unusable === undefined ? this.off : undefined,
      uploadsOff: this.config.uploadsOff,
      damaged: [...this.damaged],
      notStored: [...this.notStored],
      ...this.counts,
      spentMs: Math.round(this.budget.spent()),
    };
  }

  /**
   * Routes one request of Nx's (`<prefix>/v1/cache/<hash>`), or of the hook
   * that started the guard (`<prefix>/_nxs/status`, `<prefix>/_nxs/stop`);
   * anything else is 404.
   */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '';
    if (url === `${this.config.prefix}/_nxs/status` || (url === `${this.config.prefix}/_nxs/stop` && req.method === 'POST')) {
      await drain(req);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(this.status()));
      if (url.endsWith('/stop')) res.once('finish', () => this.onStop());
      return;
    }
    const hash = url.startsWith(`${this.config.prefix}/v1/cache/`) ? url.slice(this.config.prefix.length + '/v1/cache/'.length) : undefined;
    if (hash === undefined || !/^[0-9A-Za-z]+$/.test(hash)) {
      await drain(req);
      return answer(res, 404);
    }
    await this.checked;
    if (this.unusable !== undefined) this.turnOff(this.unusable);
    if (req.method === 'GET') return this.lookup(hash, req, res);
    if (req.method === 'PUT') return this.upload(hash, req, res);
    await drain(req);
    answer(res, 405);
  }

  private limits(): Limits {
    return { requestMs: this.config.requestTimeoutMs, untilMs: performance.now() + this.budget.remaining() };
  }

  private turnOff(reason: string): void {
    this.off ??= reason;
  }

  private url(hash: string): string {
    // Joined as Nx joins them (a trailing slash in the variable gives `//v1`).
    return `${this.config.upstream}/v1/cache/${hash}`;
  }

  private async lookup(hash: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.counts.lookups++;
    if (this.off !== undefined || this.budget.remaining() <= 0) {
      this.turnOff('the time budget for the remote cache is spent');
      return answer(res, 404);
    }
    const end = this.budget.begin();
    let spool: Spool | undefined;
    try {
      const upstream = await call('GET', this.url(hash), forwardedHeaders(req), this.limits());
      const status = upstream.response.statusCode ?? 0;
      if (status !== 200) {
        upstream.watchdog.stop();
        upstream.response.resume();
        if (status !== 404) this.turnOff(`answered a lookup with ${status}${upstream.response.statusMessage ? ` ${upstream.response.statusMessage}` : ''}`);
        return answer(res, 404);
      }
      spool = new Spool(this.config.spoolDir, this.config.spoolMemoryBytes);
      const problem = await this.receive(upstream, spool);
      end();
      if (problem !== undefined) {
        this.damaged.push({ hash, reason: problem });
        return answer(res, 404);
      }
      this.counts.hits++;
      await spool.sendTo(res);
    } catch (e) {
      this.turnOff(networkReason(e));
      answer(res, 404);
    } finally {
      end();
      spool?.dispose();
    }
  }

  /** Reads and checks the body into `spool`: undefined when usable, else why not. Throws on a timeout or network error. */
  private async receive(upstream: Call, spool: Spool): Promise<string | undefined> {
    const check = new EntryCheck({ maxUnpackedBytes: this.config.maxEntryBytes, maxMembers: 1_000_000 });
    const body = upstream.response;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        upstream.watchdog.progress();
        if (spool.size + chunk.length > this.compressedCap) {
          upstream.abort();
          return `it is larger than the cap on one entry`;
        }
        await check.write(chunk);
        if (check.problem !== undefined) {
          upstream.abort();
          return check.problem;
        }
        await spool.write(chunk);
      }
      if (!body.complete) throw Object.assign(new Error('the body ended early'), { code: 'ECONNRESET' });
      const verdict = await check.end();
      return verdict.ok ? undefined : verdict.reason;
    } catch (e) {
      throw upstream.watchdog.fired ?? e;
    } finally {
      upstream.watchdog.stop();
      check.dispose();
    }
  }

  private async upload(hash: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.counts.uploads++;
    const declared = Number(req.headers['content-length'] ?? NaN);
    const refused = this.config.uploadsOff ?? this.off ?? (declared > this.compressedCap ? 'larger than the cap on one entry' : undefined);
    if (refused !== undefined || this.budget.remaining() <= 0) {
      if (refused === undefined) this.turnOff('the time budget for the remote cache is spent');
      else if (refused !== this.off && refused !== this.config.uploadsOff) this.notStored.push({ hash, reason: refused });
      await drain(req);
      return answer(res, 403, 'not stored\n');
    }
    const end = this.budget.begin();
    try {
      const upstream = await call('PUT', this.url(hash), forwardedHeaders(req), this.limits(), req);
      upstream.watchdog.stop();
      upstream.response.resume();
      const status = upstream.response.statusCode ?? 0;
      if (status === 200) this.counts.stored++;
      else if (status !== 403 && status !== 409) this.notStored.push({ hash, reason: `the server answered ${status}` });
      end();
      await drain(req);
      answer(res, status === 200 || status === 409 ? status : 403, status === 200 ? '' : 'not stored\n');
    } catch (e) {
      this.turnOff(networkReason(e));
      end();
      await drain(req);
      answer(res, 403, 'not stored\n');
    } finally {
      end();
    }
  }
}

export interface RunningGuard {
  readonly port: number;
  readonly guard: RemoteCacheGuard;
  close(): Promise<void>;
}

/** Starts the guard on a free loopback port; its spool folder is created and removed with it. */
export async function listenGuard(config: GuardConfig, runtime: GuardRuntime = {}): Promise<RunningGuard> {
  fs.mkdirSync(config.spoolDir, { recursive: true });
  const guard = new RemoteCacheGuard(config, runtime);
  const server = http.createServer((req, res) => {
    guard.handle(req, res).catch(() => answer(res, 404));
  });
  // Nx's client keeps connections alive; they must not hold the guard open once it is told to stop.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (runtime.socket) server.listen(runtime.socket, () => resolve());
    else server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    guard,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(config.spoolDir, { recursive: true, force: true });
    },
  };
}
