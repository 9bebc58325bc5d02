import { describe, expect, it } from 'vitest';
import type { Machine, Requirement } from './machine';
import { planSetup } from './machine';

const debian: Machine = { platform: 'linux', distro: 'debian', hasApt: true, isRoot: true, passwordlessSudo: false };
const missing = (...rs: Requirement[]) => rs.map((requirement) => ({ requirement, detail: `${requirement} is missing` }));

describe('planSetup: what npm test does about a machine without nginx, njs or Chromium', () => {
  it('does nothing when nothing is missing', () => {
    expect(planSetup([], debian)).toEqual({ kind: 'ready' });
  });

  it('installs the Debian packages as root, non-interactively', () => {
    expect(planSetup(missing('nginx', 'njs', 'chromium'), debian)).toEqual({
      kind: 'install',
      commands: [
        ['apt-get', 'update', '-qq'],
        ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'nginx', 'libnginx-mod-http-js', 'chromium'],
      ],
    });
  });

  it('uses sudo when it needs no password', () => {
    const plan = planSetup(missing('njs'), { ...debian, isRoot: false, passwordlessSudo: true });
    expect(plan).toEqual({
      kind: 'install',
      commands: [
        ['sudo', 'apt-get', 'update', '-qq'],
        ['sudo', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'libnginx-mod-http-js'],
      ],
    });
  });

  it('stops at once with the exact commands when it may not install', () => {
    const plan = planSetup(missing('nginx', 'njs'), { ...debian, isRoot: false });
    expect(plan.kind).toBe('stop');
    expect(plan.kind === 'stop' && plan.message).toBe(
      [
        'npm test runs end-to-end tests against a real nginx (with its njs module) and a real Chromium, and this machine lacks:',
        '  - nginx is missing',
        '  - njs is missing',
        '',
        'Installing them needs root. Run:',
        '',
        '  sudo apt-get update -qq',
        '  sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx libnginx-mod-http-js',
        '',
        'then npm test again. (Only the unit tests need none of this: npm run test:unit.)',
      ].join('\n'),
    );
  });

  it('on Ubuntu, where Chromium is a snap, takes the browser playwright-core installs', () => {
    expect(planSetup(missing('chromium'), { ...debian, distro: 'ubuntu' })).toEqual({
      kind: 'install',
      commands: [['npx', 'playwright-core', 'install', '--with-deps', '--no-shell', 'chromium']],
    });
  });

  it('says what is needed elsewhere, and never installs over a CHROMIUM_PATH that points at nothing', () => {
    const mac = planSetup(missing('nginx'), { ...debian, platform: 'darwin', hasApt: false, distro: 'other' });
    expect(mac.kind === 'stop' && mac.message).toContain('set CHROMIUM_PATH to the browser');
    expect(planSetup([{ requirement: 'chromium-path', detail: 'CHROMIUM_PATH=/nope does not exist' }], debian)).toEqual({
      kind: 'stop',
      message: "CHROMIUM_PATH=/nope does not exist: point it at a Chromium executable, or unset it to use the system's, then run npm test again.",
    });
  });
});
