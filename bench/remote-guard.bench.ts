/**
 * Issue 24: what the remote-cache guard costs a run that uses a self-hosted
 * server (a real nginx, e2e/rig/remote-cache-server.ts, on loopback): a
 * 20-step chain, every step a local hit, and every step a remote hit on a
 * machine with an empty local cache; each with the guard (the default) and
 * without it (NX_STEPS_REMOTE_GUARD=off: nx-steps only checks the server
 * once, in process, as before the guard). The guard's price is its process
 * start and its check of the server, once per command, and one more loopback
 * hop, a check and a copy of each entry it hands to Nx.
 */
import * as fs from 'node:fs';
import { RemoteCacheServer } from '../e2e/rig/remote-cache-server';
import { chainFiles } from './lib/chain';
import type { Workspace } from './lib/nx';
import { allHits, benchWorkspace, clearNxCache, measureNx, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';

const N = 20;
const TARGET = `chain:s${N}`;

interface State {
  readonly server: RemoteCacheServer;
  readonly ws: Workspace;
}

const LOCAL_OFF = 'local hits, without the guard';
const LOCAL_ON = 'local hits, with the guard';
const REMOTE_OFF = 'remote hits (empty local cache), without the guard';
const REMOTE_ON = 'remote hits (empty local cache), with the guard';

const env = (s: State, guard: boolean) => ({ ...s.server.nxEnv('read-write'), ...(guard ? {} : { NX_STEPS_REMOTE_GUARD: 'off' }) });
const remoteHits = new RegExp(`Cache:\\s+${N}/${N} hit`);

function emptyLocal(s: State): void {
  clearNxCache(s.ws);
  fs.rmSync(s.ws.path('chain/.nx-steps'), { recursive: true, force: true });
}

const bench: Benchmark<State> = {
  name: 'remote-guard',
  issueRow: 24,
  title: `${N}-step chain with a self-hosted remote cache: the guard's cost`,
  runs: 7,
  async setup() {
    const server = await RemoteCacheServer.start();
    const ws = benchWorkspace('remote-guard', chainFiles(N), { plugin: true });
    const s = { server, ws };
    measureNx(ws, ['run', TARGET], { env: env(s, true) });
    measureNx(ws, ['run', TARGET], { env: env(s, true), expect: allHits(N) });
    return s;
  },
  async teardown(s) {
    removeWorkspace(s.ws);
    await s.server.remove();
  },
  control: LOCAL_OFF,
  cases: [
    { name: LOCAL_OFF, run: (s) => measureNx(s.ws, ['run', TARGET], { env: env(s, false), expect: allHits(N) }) },
    { name: LOCAL_ON, run: (s) => measureNx(s.ws, ['run', TARGET], { env: env(s, true), expect: allHits(N) }) },
    { name: REMOTE_OFF, before: emptyLocal, run: (s) => measureNx(s.ws, ['run', TARGET], { env: env(s, false), expect: remoteHits }) },
    { name: REMOTE_ON, before: emptyLocal, run: (s) => measureNx(s.ws, ['run', TARGET], { env: env(s, true), expect: remoteHits }) },
  ],
  goals: [
    { label: 'every step a local hit: with the guard / without', control: LOCAL_OFF, value: (r) => r.ratio(LOCAL_ON, LOCAL_OFF), unit: '×' },
    { label: 'every step a local hit: extra wall time with the guard', control: LOCAL_OFF, value: (r) => r.difference(LOCAL_ON, LOCAL_OFF), unit: ' s' },
    { label: 'every step a remote hit: with the guard / without', control: REMOTE_OFF, value: (r) => r.ratio(REMOTE_ON, REMOTE_OFF), unit: '×' },
    { label: 'every step a remote hit: extra wall time with the guard', control: REMOTE_OFF, value: (r) => r.difference(REMOTE_ON, REMOTE_OFF), unit: ' s' },
  ],
};

export default bench;
