/**
 * What the e2e tests need from the machine beyond npm packages, where to
 * find it, and how to install it on Debian or Ubuntu:
 *
 * - nginx with its njs module: the real remote-cache server
 *   (remote-cache-server.ts);
 * - Chromium: renders `nx-steps report --html` for the visual checks, driven
 *   by playwright-core.
 *
 * `npm test` starts with setup-machine.ts, which installs what is missing
 * when it may (root, or sudo without a password) and otherwise stops at
 * once with the command to run. The tests find the same things through the
 * functions here, so the set-up and the tests cannot disagree.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** 'chromium-path': CHROMIUM_PATH names a file that does not exist (no install can fix that). */
export type Requirement = 'nginx' | 'njs' | 'chromium' | 'chromium-path';

export interface Nginx {
  readonly binary: string;
  /** The njs module (Debian's libnginx-mod-http-js), loaded by absolute path. */
  readonly jsModule: string;
}

/** Directories nginx may live in: /usr/sbin is not on every user's PATH. */
function nginxCandidates(env: NodeJS.ProcessEnv): string[] {
  const dirs = [...(env['PATH'] ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'].filter(Boolean);
  return dirs.map((d) => path.join(d, 'nginx'));
}

/** nginx and its njs module, or what of them is missing. */
export function findNginx(env: NodeJS.ProcessEnv = process.env): Nginx | { readonly missing: 'nginx' | 'njs'; readonly detail: string } {
  const binary = nginxCandidates(env).find((p) => fs.existsSync(p));
  if (!binary) return { missing: 'nginx', detail: 'nginx is not installed' };
  // `nginx -V` prints its build options (the modules folder among them) to stderr.
  const version = spawnSync(binary, ['-V'], { encoding: 'utf8' });
  const built = `${version.stdout ?? ''}${version.stderr ?? ''}`;
  const modulesDir = /--modules-path=(\S+)/.exec(built)?.[1] ?? '/usr/lib/nginx/modules';
  const jsModule = path.join(modulesDir, 'ngx_http_js_module.so');
  if (!fs.existsSync(jsModule)) return { missing: 'njs', detail: `nginx's njs module is not installed (${jsModule} is missing)` };
  return { binary, jsModule };
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env['PATH'] ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, name))
    .find((p) => fs.existsSync(p));
}

/** Ubuntu's chromium-browser package is a wrapper that starts a snap, which containers cannot run. */
function isSnapWrapper(file: string): boolean {
  try {
    const real = fs.realpathSync(file);
    return real.startsWith('/snap/') || (fs.statSync(real).size < 4096 && /\bsnap\b/.test(fs.readFileSync(real, 'utf8')));
  } catch {
    return true;
  }
}

/** The browser playwright-core downloads (`playwright-core install chromium`), if it did. */
function playwrightChromium(): string | undefined {
  try {
    const file = (require('playwright-core') as { chromium: { executablePath(): string } }).chromium.executablePath();
    return fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Chromium for the visual tests: CHROMIUM_PATH when set (and then only it),
 * else Debian's chromium, a non-snap chromium-browser, or the one
 * playwright-core installed.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env['CHROMIUM_PATH'];
  if (chosen) return fs.existsSync(chosen) ? chosen : undefined;
  const system = [onPath('chromium', env), '/usr/bin/chromium', onPath('chromium-browser', env)].find(
    (p) => p !== undefined && fs.existsSync(p) && !isSnapWrapper(p),
  );
  return system ?? playwrightChromium();
}

/** What is missing now. */
export function missingRequirements(env: NodeJS.ProcessEnv = process.env): { requirement: Requirement; detail: string }[] {
  const out: { requirement: Requirement; detail: string }[] = [];
  const nginx = findNginx(env);
  if ('missing' in nginx) {
    out.push({ requirement: nginx.missing, detail: nginx.detail });
    // Installing nginx later does not bring njs: name both.
    if (nginx.missing === 'nginx') out.push({ requirement: 'njs', detail: "nginx's njs module is not installed" });
  }
  if (!findChromium(env)) {
    const chosen = env['CHROMIUM_PATH'];
    out.push(
      chosen
        ? { requirement: 'chromium-path', detail: `CHROMIUM_PATH=${chosen} does not exist` }
        : { requirement: 'chromium', detail: 'Chromium is not installed' },
    );
  }
  return out;
}

/** Facts about the machine that decide how to install. */
export interface Machine {
  readonly platform: NodeJS.Platform;
  /** Debian, Ubuntu (or a derivative, by ID_LIKE), or anything else. */
  readonly distro: 'debian' | 'ubuntu' | 'other';
  readonly hasApt: boolean;
  readonly isRoot: boolean;
  /** `sudo -n true` succeeds: sudo without a password prompt. */
  readonly passwordlessSudo: boolean;
}

export type SetupPlan =
  | { readonly kind: 'ready' }
  /** Commands to run, in order, each an argv. */
  | { readonly kind: 'install'; readonly commands: readonly (readonly string[])[] }
  | { readonly kind: 'stop'; readonly message: string };

const APT_PACKAGES: Readonly<Record<'nginx' | 'njs', string>> = { nginx: 'nginx', njs: 'libnginx-mod-http-js' };

/** The commands that install `missing`, as a user would type them (`sudo` when not root). */
function installCommands(missing: readonly Requirement[], m: Machine, sudo: string[]): string[][] {
  const apt = [
    ...new Set(missing.flatMap((r) => (r === 'nginx' || r === 'njs' ? [APT_PACKAGES[r]] : r === 'chromium' && m.distro === 'debian' ? ['chromium'] : []))),
  ];
  const commands: string[][] = [];
  if (apt.length) {
    commands.push([...sudo, 'apt-get', 'update', '-qq']);
    commands.push([...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...apt]);
  }
  // Ubuntu packages Chromium as a snap only: playwright-core brings a browser and the libraries it needs instead.
  if (missing.includes('chromium') && m.distro !== 'debian') commands.push(['npx', 'playwright-core', 'install', '--with-deps', '--no-shell', 'chromium']);
  return commands;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** What to do about `missing` on machine `m`: nothing, install, or stop with the exact commands. */
export function planSetup(missing: readonly { requirement: Requirement; detail: string }[], m: Machine): SetupPlan {
  if (missing.length === 0) return { kind: 'ready' };
  const badPath = missing.find((x) => x.requirement === 'chromium-path');
  if (badPath)
    return { kind: 'stop', message: `${badPath.detail}: point it at a Chromium executable, or unset it to use the system's, then run npm test again.` };
  const what = missing.map((x) => `  - ${x.detail}`).join('\n');
  const intro = `npm test runs end-to-end tests against a real nginx (with its njs module) and a real Chromium, and this machine lacks:\n${what}\n`;
  if (m.platform !== 'linux' || !m.hasApt || m.distro === 'other') {
    return {
      kind: 'stop',
      message:
        `${intro}\nThe set-up installs them on Debian and Ubuntu only. Install nginx with the njs module (ngx_http_js_module) ` +
        'and Chromium, put nginx on PATH (or in /usr/sbin) and set CHROMIUM_PATH to the browser, then run npm test again.\n' +
        'Only the unit tests need none of this: npm run test:unit.',
    };
  }
  if (m.isRoot)
    return {
      kind: 'install',
      commands: installCommands(
        missing.map((x) => x.requirement),
        m,
        [],
      ),
    };
  if (m.passwordlessSudo)
    return {
      kind: 'install',
      commands: installCommands(
        missing.map((x) => x.requirement),
        m,
        ['sudo'],
      ),
    };
  const commands = installCommands(
    missing.map((x) => x.requirement),
    m,
    ['sudo'],
  ).map(shellLine);
  return {
    kind: 'stop',
    message: `${intro}\nInstalling them needs root. Run:\n\n${commands.map((c) => `  ${c}`).join('\n')}\n\nthen npm test again. (Only the unit tests need none of this: npm run test:unit.)`,
  };
}

/** The facts of this machine. */
export function thisMachine(): Machine {
  const osRelease = (() => {
    try {
      return fs.readFileSync('/etc/os-release', 'utf8');
    } catch {
      return '';
    }
  })();
  const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1] ?? '';
  const ids = [field('ID'), ...field('ID_LIKE').split(' ')];
  const distro = ids.includes('ubuntu') ? 'ubuntu' : ids.includes('debian') ? 'debian' : 'other';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const passwordlessSudo = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  return { platform: process.platform, distro, hasApt, isRoot, passwordlessSudo };
}
