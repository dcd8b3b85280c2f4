import * as crypto from 'node:crypto';

/**
 * The 32-hex-character digest behind `generateHash`: md5, as the original, or where the runtime
 * refuses md5 (OpenSSL in FIPS mode) sha256 cut to 32 characters. The choice is made once, when
 * the module loads, so hashing never pays for a failed md5 attempt.
 */

/** The algorithm a runtime can use: md5 when `probe('md5')` does not throw, else sha256. */
export function chooseDigestAlgorithm(probe: (algorithm: string) => unknown): 'md5' | 'sha256' {
  try {
    probe('md5');
    return 'md5';
  } catch {
    return 'sha256';
  }
}

/** A function that digests UTF-8 text to 32 hex characters with `algorithm`. */
export function createDigest32(algorithm: 'md5' | 'sha256'): (text: string) => string {
  // crypto.hash (Node >= 20.12) skips the Hash object; older Node 20 lines only have createHash.
  const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;
  const hex =
    typeof oneShot === 'function'
      ? (text: string): string => oneShot(algorithm, text, 'hex')
      : (text: string): string => crypto.createHash(algorithm).update(text, 'utf8').digest('hex');
  return algorithm === 'md5' ? hex : (text) => hex(text).slice(0, 32);
}

/** The digest this runtime uses. */
export const digest32: (text: string) => string = createDigest32(
  chooseDigestAlgorithm((algorithm) => crypto.createHash(algorithm).update('').digest('hex')),
);
