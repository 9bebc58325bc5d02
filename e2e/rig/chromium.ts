/** Chromium for the visual e2e tests: required, never optional (npm test installs it first). */
import { findChromium } from './machine';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function requireChromium(): string {
  const chromium = findChromium();
  if (!chromium) {
    throw new Error(
      `No Chromium found${process.env['CHROMIUM_PATH'] ? ` at CHROMIUM_PATH=${process.env['CHROMIUM_PATH']}` : ''}: npm test installs it (e2e/rig/setup-machine.ts), or says the command to run.`,
    );
  }
  return chromium;
}
