/**
 * `nx-steps signing-key`: a new ed25519 key pair for signed results
 * (docs/remote-cache.md, "Signed results"). The public key goes into nx.json
 * (committed), the private key into the secret store of trusted CI only.
 * Nothing is written to disk.
 */
import { generateKeyPairSync } from 'node:crypto';
import { keyId, SIGNING_KEY_VAR } from '../../plugin/core/outputs/trust';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../command';

export const signingKeyCommand: Command = {
  name: 'signing-key',
  summary: 'Make a key pair that signs the results trusted builds compute',
  usage: [
    'nx-steps signing-key',
    '',
    'Prints a new ed25519 key pair: the public key for "signing" in the options of nx-steps/plugin',
    `in nx.json, and the private key for ${SIGNING_KEY_VAR} in the secrets of trusted CI (main) only.`,
    'Nothing is written to disk.',
  ].join('\n'),
  async run(argv, io) {
    const args = parseArgs(argv, 'signing-key');
    if (args.positionals.length > 0) throw new UsageError(`nx-steps signing-key takes no arguments, got "${args.positionals.join(' ')}".`);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const priv = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    io.out(
      [
        `Public key (id ${keyId(publicKey)}): commit it in nx.json, in the options of nx-steps/plugin:`,
        '',
        `  "signing": { "publicKey": "${pub}" }`,
        '',
        `Private key: store it as the secret ${SIGNING_KEY_VAR} of the CI jobs that build main, and nowhere else:`,
        '',
        `  ${priv}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
