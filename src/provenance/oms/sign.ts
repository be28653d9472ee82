/** `signModel`: hash a model, build the OMS statement, sign its DSSE PAE, write the bundle. */
import type { KeyObject } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { enumerateModel, hashEnumeration } from '../hashing/index.js';
import type { HashAlgorithm, Manifest, SerializationMethod, SigningMethod } from '../types.js';
import { buildBundle } from './bundle.js';
import { type Certificate, certificatesFromPem, signingUsageProblem } from './certificates.js';
import { PAYLOAD_TYPE } from './constants.js';
import { pae } from './dsse.js';
import { KeyMaterialError, OmsUsageError, SignatureFileError } from './errors.js';
import { ecdsaSign, keyHint, loadPrivateKey, spkiDer } from './keys.js';
import { defaultSignaturePath } from './signature-path.js';
import type { SigstoreSignOptions } from './sigstore.js';
import { buildStatement, encodeStatement } from './statement.js';

export interface SignOptions {
  method: SigningMethod;
  /** Key and certificate methods: PEM private key (P-256, P-384 or P-521), encrypted with `password` if it is. */
  privateKeyPem?: string | Uint8Array;
  password?: string;
  /** Certificate method: the PEM signing certificate (its key must be the private key's). */
  certificatePem?: string | Uint8Array;
  /** Certificate method: PEM files of the rest of the chain, appended after the leaf. */
  chainPems?: readonly (string | Uint8Array)[];
  /** Keyless method: identity token, staging, private instance (needs the network). */
  sigstore?: SigstoreSignOptions;
  /** Default `files`. */
  serialization?: SerializationMethod;
  /** Shards only; default 1,000,000,000. */
  shardSize?: number;
  /** Default `sha256`. */
  hashType?: HashAlgorithm;
  /** Relative to the model root, or absolute paths inside it. */
  ignorePaths?: readonly string[];
  /** Default true. */
  ignoreGitPaths?: boolean;
  /** Default false. */
  allowSymlinks?: boolean;
  /** Default: `MODEL/model.sig` for a folder, `FILE.sig` for a file. Ignored when inside the model. */
  signaturePath?: string;
  /** Default true; false returns the bundle without writing it. */
  write?: boolean;
  workers?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface SignResult {
  readonly bundle: Record<string, unknown>;
  readonly manifest: Manifest;
  /** Where the bundle was (or would be) written. */
  readonly path: string;
  readonly warnings: readonly string[];
}

export async function signModel(modelPath: string, opts: SignOptions): Promise<SignResult> {
  // Key material first: a wrong password should not cost a full hash of the model.
  const signer = opts.method === 'sigstore' ? sigstoreSigner(opts) : keySigner(opts);

  const root = resolve(modelPath);
  const isFile = (await stat(root).catch(() => undefined))?.isFile() === true;
  const path = resolve(opts.signaturePath ?? defaultSignaturePath(root, isFile));
  if (path === root) throw new OmsUsageError('the signature path is the model itself');
  const inside = !isFile && isInside(root, path);
  const enumeration = await enumerateModel(root, {
    ignorePaths: [...(opts.ignorePaths ?? []), ...(inside ? [path] : [])],
    ignoreGitPaths: opts.ignoreGitPaths ?? true,
    allowSymlinks: opts.allowSymlinks ?? false,
  });
  if (enumeration.files.length === 0)
    throw new OmsUsageError(`nothing to sign: ${root} has no files once ignore paths are applied (OMS §6.1)`);
  const manifest = await hashEnumeration(enumeration, {
    method: opts.serialization ?? 'files',
    hashType: opts.hashType ?? 'sha256',
    allowSymlinks: opts.allowSymlinks ?? false,
    ...(opts.shardSize === undefined ? {} : { shardSize: opts.shardSize }),
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
  });

  const payload = encodeStatement(buildStatement(manifest));
  const bundle = await signer(payload);
  if (opts.write !== false) {
    try {
      await writeFile(path, `${JSON.stringify(bundle)}\n`);
    } catch (e) {
      throw new SignatureFileError(path, `cannot write the signature to ${path}: ${errorMessage(e)}`, {
        cause: e,
      });
    }
  }
  const warnings = enumeration.skippedLinks.map(
    (l) => `${l} is a symlink to a folder: its content is not covered by the signature`,
  );
  return { bundle, manifest, path, warnings };
}

type Signer = (payload: Buffer) => Promise<Record<string, unknown>>;

function keySigner(opts: SignOptions): Signer {
  if (opts.privateKeyPem === undefined)
    throw new OmsUsageError(`the ${opts.method} method needs a private key`);
  const key = loadPrivateKey(opts.privateKeyPem, opts.password);
  const material =
    opts.method === 'certificate' ? certificateMaterial(key, opts) : { publicKeyHint: keyHint(key) };
  return async (payload) =>
    buildBundle(material, payload, PAYLOAD_TYPE, ecdsaSign(key, pae(PAYLOAD_TYPE, payload)));
}

/** Keyless signing (Fulcio + Rekor, network) is delegated to the Sigstore module, loaded only here. */
function sigstoreSigner(opts: SignOptions): Signer {
  return async (payload) => {
    const { signSigstore } = await import('./sigstore.js');
    return (await signSigstore(PAYLOAD_TYPE, payload, opts.sigstore ?? {})) as Record<string, unknown>;
  };
}

/** Leaf + chain, after checking the leaf holds the private key's public key and may sign. */
function certificateMaterial(key: KeyObject, opts: SignOptions): { certificates: Buffer[] } {
  if (opts.certificatePem === undefined)
    throw new OmsUsageError('the certificate method needs a signing certificate');
  const leaf = certificatesFromPem(opts.certificatePem, 'the signing certificate')[0]!;
  if (!spkiDer(leaf.x509.publicKey).equals(spkiDer(key)))
    throw new KeyMaterialError(
      `the signing certificate '${leaf.name}' holds a different public key than the private key`,
    );
  const usage = signingUsageProblem(leaf);
  if (usage !== undefined) throw new KeyMaterialError(usage);
  const chain: Certificate[] = (opts.chainPems ?? []).flatMap((p, i) =>
    certificatesFromPem(p, `certificate chain file #${i + 1}`),
  );
  return { certificates: [leaf, ...chain].map((c) => c.x509.raw) };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
