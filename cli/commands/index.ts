/** Every `nx-steps` command. Add a command: a file in this folder, and one line here. */
import type { Command } from '../command';
import { checkCommand } from './check';
import { fingerprintCommand } from './fingerprint';

export const COMMANDS: readonly Command[] = [checkCommand, fingerprintCommand];
