/**
 * The one place that touches xxhash-addon. Its constructors crash the whole
 * process (a segfault, not an exception) when called without a seed Buffer,
 * so nothing else may construct them.
 *
 * Digests are XXH3-128 as 32 lowercase hex characters: 128 bits, so that
 * accidental collisions are out of the question for any cache this size
 * (Scalable's 32-bit keys are not).
 */
import { XXHash128 } from 'xxhash-addon';

const SEED = Buffer.alloc(8); // seed 0; must be a Buffer, see above

export interface StreamingHasher {
  update(data: Buffer | string): StreamingHasher;
  /** Finishes the digest; the hasher must not be used afterwards. */
  digest(): string;
}

export function createHasher(): StreamingHasher {
  const h = new XXHash128(SEED);
  const api: StreamingHasher = {
    update(data) {
      h.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      return api;
    },
    digest() {
      return h.digest().toString('hex');
    },
  };
  return api;
}

export function hashBytes(data: Buffer | string): string {
  return XXHash128.hash(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('hex');
}

/**
 * Hashes a sequence of strings with unambiguous framing: ['ab', 'c'] and
 * ['a', 'bc'] differ.
 */
export function hashParts(parts: readonly string[]): string {
  const h = createHasher();
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    h.update(`${bytes.length}:`).update(bytes);
  }
  return h.digest();
}
