/** Every `nx-steps` command. Add a command: a file in this folder, and one line here. */
import type { Command } from '../command';
import { checkCommand } from './check';
import { clearCommand } from './clear';
import { fingerprintCommand } from './fingerprint';
import { keyCommand } from './key';
import { reportCommand } from './report';
import { shardCommand } from './shard';
import { showCommand } from './show';
import { signingKeyCommand } from './signing-key';
import { whyCommand } from './why';

export const COMMANDS: readonly Command[] = [
  checkCommand,
  clearCommand,
  fingerprintCommand,
  keyCommand,
  reportCommand,
  shardCommand,
  showCommand,
  signingKeyCommand,
  whyCommand,
];
