/**
 * One request to the real cache server, never waiting without limit: a
 * watchdog aborts it when the server does not answer within the request
 * timeout, when a body stops moving for as long, or when the run's time
 * budget is spent, whichever comes first.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { failureReason } from './probe';

export class UpstreamTimeout extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface Limits {
  /** How long the server may take to answer, and a body may stall. */
  readonly requestMs: number;
  /** Absolute deadline (performance.now()) from the run's budget. */
  readonly untilMs: number;
}

/** Re-armed on every sign of progress; fires once. */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  /** Set when the watchdog aborted the request: the reason to report, whatever error the stream then raised. */
  fired: UpstreamTimeout | undefined;

  constructor(
    private readonly limits: Limits,
    private readonly fire: (e: UpstreamTimeout) => void,
  ) {
    this.progress();
  }

  progress(): void {
    if (this.timer) clearTimeout(this.timer);
    const toBudget = this.limits.untilMs - performance.now();
    const budgetFirst = toBudget <= this.limits.requestMs;
    const wait = Math.max(0, budgetFirst ? toBudget : this.limits.requestMs);
    this.timer = setTimeout(() => {
      this.fired = new UpstreamTimeout(
        budgetFirst ? 'the time budget for the remote cache is spent' : `no answer within ${formatSeconds(this.limits.requestMs)}`,
      );
      this.fire(this.fired);
    }, wait);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

export interface Call {
  readonly response: http.IncomingMessage;
  /** Kept running while the caller reads the body: call `progress` per chunk, `stop` at the end. */
  readonly watchdog: Watchdog;
  /** Aborts the request (the caller gave up on it). */
  abort(): void;
}

/**
 * Sends `method url` with `headers` (and `body`, streamed), resolving with the
 * response once its headers arrive; rejects on a timeout (UpstreamTimeout) or
 * a network error.
 */
export function call(method: string, url: string, headers: http.OutgoingHttpHeaders, limits: Limits, body?: Readable): Promise<Call> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, {
      method,
      headers,
      agent: secure ? agents.https : agents.http,
      // Nx's client accepts self-signed certificates with this variable; so does the guard.
      ...(secure && process.env['NODE_TLS_REJECT_UNAUTHORIZED'] === '0' ? { rejectUnauthorized: false } : {}),
    });
    let settled = false;
    const watchdog = new Watchdog(limits, (e) => req.destroy(e));
    req.once('error', (e) => {
      watchdog.stop();
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    req.once('response', (response) => {
      settled = true;
      watchdog.progress();
      resolve({ response, watchdog, abort: () => req.destroy() });
    });
    if (body) {
      body.on('data', () => watchdog.progress());
      body.pipe(req);
    } else req.end();
  });
}

/** Why a request failed (a timeout of the watchdog's, or a network error by its code). */
export function networkReason(error: unknown): string {
  return error instanceof UpstreamTimeout ? error.reason : failureReason(error);
}
