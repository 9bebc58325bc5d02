/**
 * One e2e case's workspace: a copy of the template in a temporary folder,
 * with its own Nx cache folder, the daemon off, and helpers to run nx, edit
 * files and count how often each step function ran.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

export interface NxResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout + stderr, ANSI codes removed. */
  readonly output: string;
}

/** How Nx reported each task of a run: 'run', 'local', 'remote' or 'kept' (outputs left as is). */
export type TaskStatus = 'run' | 'local' | 'remote' | 'kept';

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Parses Nx's `> nx run p:t  [local cache]` lines. */
export function taskStatuses(output: string): Record<string, TaskStatus> {
  const out: Record<string, TaskStatus> = {};
  for (const line of stripAnsi(output).split('\n')) {
    const m = /^> nx run (\S+)(.*)$/.exec(line.trim());
    if (!m || !m[1]) continue;
    const note = /\[(.+)\]/.exec(m[2] ?? '')?.[1] ?? '';
    out[m[1]] = note.includes('remote') ? 'remote' : note.includes('existing outputs') ? 'kept' : note.includes('cache') ? 'local' : 'run';
  }
  return out;
}

export class Workspace {
  readonly cacheDir: string;

  constructor(
    readonly root: string,
    private readonly baseEnv: Record<string, string>,
  ) {
    this.cacheDir = `${root}-nx-cache`;
  }

  path(rel: string): string {
    return path.join(this.root, rel);
  }

  write(rel: string, text: string | Buffer): void {
    fs.mkdirSync(path.dirname(this.path(rel)), { recursive: true });
    fs.writeFileSync(this.path(rel), text);
  }

  read(rel: string): string {
    return fs.readFileSync(this.path(rel), 'utf8');
  }

  exists(rel: string): boolean {
    return fs.existsSync(this.path(rel));
  }

  /** Replaces text in a file; fails the test when `from` is not there. */
  edit(rel: string, from: string | RegExp, to: string): void {
    const before = this.read(rel);
    const after = before.replace(from, to);
    if (after === before) throw new Error(`edit(${rel}): ${String(from)} not found`);
    this.write(rel, after);
  }

  /**
   * The result stored in a step's output folder (e.g. `etl/.nx-steps/out/report`),
   * verified and decoded by the installed nx-steps. Throws when there is none.
   */
  stored(outputFolder: string): unknown {
    return this.storedIn(this.path(outputFolder));
  }

  /** The same for an output folder anywhere (an absolute path: say, inside a cache entry). */
  storedIn(folder: string): unknown {
    const dist = path.join(fs.realpathSync(this.path('node_modules/nx-steps')), 'dist/plugin/core/outputs/result.js');
    const { readResult } = createRequire(dist)(dist) as {
      readResult(dir: string, o: object): { ok: boolean; detail?: string; value?: () => { ok: boolean; value?: unknown; error?: { message: string } } };
    };
    const read = readResult(folder, { arrowFrom: this.root });
    if (!read.ok || !read.value) throw new Error(`stored(${folder}): ${read.detail}`);
    const v = read.value();
    if (!v.ok) throw new Error(`stored(${folder}): ${v.error?.message}`);
    return v.value;
  }

  /** Deletes a file or folder of the workspace. */
  deleteFile(rel: string): void {
    fs.rmSync(this.path(rel), { recursive: true, force: true });
  }

  /** Updates mtime only. */
  touch(rel: string): void {
    const t = new Date(Date.now() + 5_000);
    fs.utimesSync(this.path(rel), t, t);
  }

  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.baseEnv };
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  }

  nx(args: string[], opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): NxResult {
    const r = spawnSync(process.execPath, [this.path('node_modules/nx/dist/bin/nx.js'), ...args], {
      cwd: this.root,
      env: this.env(opts.env),
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 180_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const stdout = r.stdout ?? '';
    const stderr = r.stderr ?? '';
    return { code: r.status ?? -1, stdout, stderr, output: stripAnsi(`${stdout}\n${stderr}`) };
  }

  /** Starts nx without waiting: for concurrent runs and for killing one. */
  nxAsync(args: string[], opts: { env?: Record<string, string | undefined>; detached?: boolean } = {}): { child: ChildProcess; done: Promise<NxResult> } {
    // detached: its own process group, so `process.kill(-pid)` ends nx with every process it started.
    const child = spawn(process.execPath, [this.path('node_modules/nx/dist/bin/nx.js'), ...args], {
      cwd: this.root,
      env: this.env(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<NxResult>((resolve) => {
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, output: stripAnsi(`${stdout}\n${stderr}`) }));
    });
    return { child, done };
  }

  /** Waits until a file exists (polling), up to `timeoutMs`. */
  async waitForFile(rel: string, timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.exists(rel)) {
      if (Date.now() > until) throw new Error(`waitForFile(${rel}): timed out`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Runs nx and fails with its output when it does not exit 0. */
  nxOk(args: string[], opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): NxResult {
    const r = this.nx(args, opts);
    if (r.code !== 0) throw new Error(`nx ${args.join(' ')} exited ${r.code}:\n${quoted(r.output)}`);
    return r;
  }

  /** Runs the installed `nx-steps` command in the workspace. */
  cli(args: string[], opts: { env?: Record<string, string | undefined> } = {}): NxResult {
    const r = spawnSync(process.execPath, [this.path('node_modules/nx-steps/dist/cli/main.js'), ...args], {
      cwd: this.root,
      env: this.env(opts.env),
      encoding: 'utf8',
      timeout: 180_000,
    });
    const stdout = r.stdout ?? '';
    const stderr = r.stderr ?? '';
    return { code: r.status ?? -1, stdout, stderr, output: stripAnsi(`${stdout}\n${stderr}`) };
  }

  /**
   * Runs a command line as a user types it in the workspace (bash, with
   * pipefail, so a pipeline fails when any part of it does): `npx nx ...`,
   * `npx nx-steps report --json | head`.
   */
  sh(command: string, opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): NxResult {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
      cwd: this.root,
      env: this.env(opts.env),
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const stdout = r.stdout ?? '';
    const stderr = r.stderr ?? '';
    return { code: r.status ?? -1, stdout, stderr, output: stripAnsi(`${stdout}\n${stderr}`) };
  }

  /**
   * Replaces the shared template's copy of an installed package with a real
   * copy owned by this workspace, then lets `mutate` change it (e.g. bump its
   * version, as an upgrade would).
   */
  replacePackage(name: string, mutate: (dir: string) => void): void {
    const link = this.path(`node_modules/${name}`);
    const real = fs.realpathSync(link);
    fs.rmSync(link);
    fs.cpSync(real, link, { recursive: true });
    mutate(link);
  }

  /** How many times each step function ran since the last `resetCalls()`. */
  calls(): Record<string, number> {
    const out: Record<string, number> = {};
    if (!this.exists('calls.log')) return out;
    for (const line of this.read('calls.log').split('\n')) if (line) out[line] = (out[line] ?? 0) + 1;
    return out;
  }

  resetCalls(): void {
    fs.rmSync(this.path('calls.log'), { force: true });
  }

  /** Runs `nx run <target>` and returns task statuses and step calls of that run. */
  runSteps(
    target: string,
    extraArgs: string[] = [],
    opts: { env?: Record<string, string | undefined> } = {},
  ): { statuses: Record<string, TaskStatus>; calls: Record<string, number>; result: NxResult } {
    this.resetCalls();
    const result = this.nxOk(['run', target, ...extraArgs], opts);
    return { statuses: taskStatuses(result.output), calls: this.calls(), result };
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.root,
      encoding: 'utf8',
      env: { ...this.env(), GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com' },
    });
  }

  /** A git repository with everything committed. */
  initGit(): void {
    this.git('init', '-q', '-b', 'main');
    this.git('add', '-A');
    this.git('commit', '-qm', 'initial');
  }

  commitAll(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-qm', message);
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
    fs.rmSync(this.cacheDir, { recursive: true, force: true });
  }
}

let counter = 0;

/** Environment for nx: no daemon, no cloud, no TUI, no colours, own cache; nothing inherited from an outer Nx. */
export function cleanEnv(cacheDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('NX_') || k.startsWith('VITEST') || k === 'CI' || k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return {
    ...env,
    NX_DAEMON: 'false',
    NX_CACHE_DIRECTORY: cacheDir,
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SKIP_NX_CACHE: 'false',
    NX_INTERACTIVE: 'false',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  };
}

/**
 * Copies the template into a workspace folder (a new temporary one unless
 * `root` is given, which is emptied first) and writes `files` into it.
 */
export function createWorkspaceFrom(templateDir: string, name: string, files: Readonly<Record<string, string>> = {}, root?: string): Workspace {
  counter += 1;
  if (root) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(`${root}-nx-cache`, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
  } else {
    root = fs.mkdtempSync(path.join(os.tmpdir(), `nxs-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 30)}-${process.pid}-${counter}-`));
  }
  for (const entry of fs.readdirSync(templateDir)) {
    if (entry === 'node_modules' || entry === '.ready') continue;
    fs.cpSync(path.join(templateDir, entry), path.join(root, entry), { recursive: true });
  }
  // node_modules: a real folder of links, so a case can replace one package
  // (see replacePackage) without touching the shared template.
  fs.mkdirSync(path.join(root, 'node_modules'));
  for (const entry of fs.readdirSync(path.join(templateDir, 'node_modules'))) {
    fs.symlinkSync(path.join(templateDir, 'node_modules', entry), path.join(root, 'node_modules', entry));
  }
  const ws = new Workspace(root, cleanEnv(`${root}-nx-cache`));
  for (const [rel, text] of Object.entries(files)) ws.write(rel, text);
  return ws;
}

/**
 * Child output quoted line by line. Unquoted, the child's stack frames read as
 * this error's own: Vitest then opens those files for source maps, and tsx's
 * bundle (which holds a literal `//# sourceMappingURL=data:` line) crashes its
 * reporter, hiding why the test failed.
 */
function quoted(output: string): string {
  return output.replace(/^/gm, '│ ');
}
