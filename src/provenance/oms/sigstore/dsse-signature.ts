/**
 * The DSSE signature check: ECDSA/Ed25519/RSA over PAE(payloadType, payload) with the leaf key, the hash
 * matched to the curve. sigstore-js's own check passes no hash to `crypto.verify`, which means SHA-256 for
 * every EC key and rejects P-384/P-521 signers; this check replaces it.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { dsse } from '@sigstore/core';

const EC_HASH: Readonly<Record<string, string>> = {
  prime256v1: 'sha256',
  secp384r1: 'sha384',
  secp521r1: 'sha512',
};

/** The signature hash for a key (null: the scheme has its own, Ed25519), or undefined if unsupported. */
export function hashForKey(key: KeyObject): string | null | undefined {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return EC_HASH[key.asymmetricKeyDetails?.namedCurve ?? ''];
    case 'ed25519':
      return null;
    case 'rsa':
      return 'sha256';
    default:
      return undefined;
  }
}

export function publicKeyFromSpki(spki: Buffer): KeyObject {
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

/** True when `signature` verifies over PAE(payloadType, payload) with `key`. */
export function verifyDsse(payloadType: string, payload: Buffer, signature: Buffer, key: KeyObject): boolean {
  const hash = hashForKey(key);
  if (hash === undefined) return false;
  try {
    return verify(hash, dsse.preAuthEncoding(payloadType, payload), key, signature);
  } catch {
    return false; // a signature that is not even DER: does not verify
  }
}
