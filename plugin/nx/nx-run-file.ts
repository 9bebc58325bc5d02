/**
 * Nx writes the command line of every run, as typed, to `<cache folder>/run.json` (its
 * StoreRunInformationLifeCycle, before the post-task hooks run), so `nx run etl:upload --token=S3CRET`
 * would leave the token in Nx's cache folder. The post-task hook rewrites that one field with every option
 * value masked (core/records/command-line.ts, the rule nx-steps' own run records follow). Only when the
 * file holds this very command line: another command's record is left as it is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { maskCommandLine } from '../core/records/command-line';
import { writeFileAtomic } from '../core/util/fs-atomic';
import { nxCacheDirectory } from './nx-internals';

export function maskNxRunFile(workspaceRoot: string, argv: readonly string[], cacheDir = nxCacheDirectory(workspaceRoot)): void {
  if (!cacheDir || argv.length < 2) return;
  const file = path.join(cacheDir, 'run.json');
  let details: { run?: { command?: unknown } };
  try {
    details = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof details;
  } catch {
    return;
  }
  // As Nx builds it: the bin's name, then the arguments joined by spaces.
  const base = path.parse(argv[1] as string).name;
  const args = argv.slice(2);
  if (!details.run || details.run.command !== `${base} ${args.join(' ')}`) return;
  const masked = `${base} ${maskCommandLine(args).join(' ')}`;
  if (masked === details.run.command) return;
  details.run.command = masked;
  try {
    writeFileAtomic(file, JSON.stringify(details, null, 2));
  } catch (e) {
    console.warn(`nx-steps: could not mask the option values Nx wrote to ${file} (${(e as Error).message}); delete the file if they hold a secret.`);
  }
}
