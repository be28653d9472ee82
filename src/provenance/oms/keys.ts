/**
 * ECDSA keys as model_signing uses them (`sign_ec_key.py`): curves P-256, P-384, P-521 only, the hash
 * chosen by the curve (SHA-256, SHA-384, SHA-512), DER-encoded signatures, and the key "hint" =
 * hex SHA-256 of the PEM SubjectPublicKeyInfo text as `cryptography` writes it (Node's PEM export is
 * byte-identical: `-----BEGIN PUBLIC KEY-----`, 64-column base64, trailing newline).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { errorMessage } from '../../core/errors.js';
import { KeyMaterialError } from './errors.js';

export type CurveName = 'P-256' | 'P-384' | 'P-521';
export type EcdsaHash = 'sha256' | 'sha384' | 'sha512';

/** OpenSSL curve names → OMS curve and the hash the reference signs with. */
const CURVES = {
  prime256v1: { curve: 'P-256', hash: 'sha256' },
  secp384r1: { curve: 'P-384', hash: 'sha384' },
  secp521r1: { curve: 'P-521', hash: 'sha512' },
} as const satisfies Record<string, { curve: CurveName; hash: EcdsaHash }>;

export interface EcKeyInfo {
  readonly curve: CurveName;
  readonly hash: EcdsaHash;
}

/** Curve and hash of an EC key; throws KeyMaterialError for other key types and curves. */
export function ecKeyInfo(key: KeyObject, what: string): EcKeyInfo {
  if (key.asymmetricKeyType !== 'ec')
    throw new KeyMaterialError(
      `${what} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; only ECDSA P-256, P-384 and P-521 keys are supported`,
    );
  const named = key.asymmetricKeyDetails?.namedCurve ?? '';
  const info = (CURVES as Record<string, EcKeyInfo>)[named];
  if (info === undefined)
    throw new KeyMaterialError(
      `${what} uses curve ${named || 'unknown'}; only P-256, P-384 and P-521 are supported`,
    );
  return info;
}

/** A PEM private key (PKCS#8, SEC1 or encrypted PKCS#8 with `password`). */
export function loadPrivateKey(pem: string | Uint8Array, password?: string): KeyObject {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
  if (password === undefined && /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text))
    throw new KeyMaterialError('the private key is encrypted: pass its password');
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: typeof pem === 'string' ? pem : Buffer.from(pem),
      format: 'pem',
      ...(password === undefined ? {} : { passphrase: password }),
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MISSING_PASSPHRASE')
      throw new KeyMaterialError('the private key is encrypted: pass its password', { cause: e });
    const msg = errorMessage(e);
    if (password !== undefined && /bad decrypt|decrypt/i.test(msg))
      throw new KeyMaterialError('cannot decrypt the private key: wrong password', { cause: e });
    throw new KeyMaterialError(`cannot read the private key as PEM: ${msg}`, { cause: e });
  }
  ecKeyInfo(key, 'the private key');
  return key;
}

/** A public key: PEM SubjectPublicKeyInfo (text around the PEM block is allowed), or DER SPKI bytes. */
export function loadPublicKey(input: string | Uint8Array): KeyObject {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey({ key: text, format: 'pem' })
      : createPublicKey({ key: Buffer.from(input as Uint8Array), format: 'der', type: 'spki' });
  } catch (e) {
    throw new KeyMaterialError(
      `cannot read the public key (PEM or DER SubjectPublicKeyInfo): ${errorMessage(e)}`,
      {
        cause: e,
      },
    );
  }
  if (key.type === 'private') key = createPublicKey(key);
  ecKeyInfo(key, 'the public key');
  return key;
}

/** The reference's key hint: hex SHA-256 of the PEM SubjectPublicKeyInfo text (of a public or private key). */
export function keyHint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const pem = pub.export({ type: 'spki', format: 'pem' });
  return createHash('sha256').update(pem).digest('hex');
}

/** DER SubjectPublicKeyInfo, for comparing keys. */
export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}

/** ECDSA signature (DER) over `data` with the curve's hash. */
export function ecdsaSign(privateKey: KeyObject, data: Uint8Array): Buffer {
  const { hash } = ecKeyInfo(privateKey, 'the private key');
  return cryptoSign(hash, data, { key: privateKey, dsaEncoding: 'der' });
}

/** Verifies a DER ECDSA signature with the given hash (default: the curve's). Never throws on bad input. */
export function ecdsaVerify(
  publicKey: KeyObject,
  data: Uint8Array,
  sig: Uint8Array,
  hash?: EcdsaHash,
): boolean {
  const h = hash ?? ecKeyInfo(publicKey, 'the public key').hash;
  try {
    return cryptoVerify(h, data, { key: publicKey, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}
