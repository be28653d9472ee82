/**
 * `verifyModel`: read the signature file, check the signature with the caller's material (public key,
 * trusted certificates, or a Sigstore identity), then — and only then — parse the signed statement and
 * check the model on disk against it. Everything found wrong is a `VerifyProblem` naming what differs;
 * exceptions are kept for tool errors (unreadable signature file or key, missing model path).
 */
import type { KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { SigningMethod, VerifyProblem, VerifyResult } from '../types.js';
import { type OmsBundle, readBundle } from './bundle.js';
import {
  type Certificate,
  certificateFromDer,
  certificatesFromPem,
  leafKeyInfo,
  UntrustedChainError,
  verifyChain,
} from './certificates.js';
import { type CheckOptions, checkModel } from './check-model.js';
import { OMS_LIMITS, PAYLOAD_TYPE } from './constants.js';
import { pae, paeCompat } from './dsse.js';
import { BundleFormatError, OmsUsageError, SignatureFileError } from './errors.js';
import { type EcdsaHash, ecdsaVerify, ecKeyInfo, keyHint, loadPublicKey, spkiDer } from './keys.js';
import { findSignature } from './signature-path.js';
import { parseStatement } from './statement.js';

/** Identity policy for keyless (Sigstore) bundles: identity and issuer are matched exactly. */
export interface SigstorePolicy {
  identity: string;
  issuer: string;
  trustedRootPath?: string;
  staging?: boolean;
}

export interface VerifyOptions extends Omit<CheckOptions, 'signaturePath'> {
  /** Default: findSignature(modelPath). */
  signaturePath?: string;
  /** Key method: PEM (or DER) public key. */
  publicKeyPem?: string | Uint8Array;
  /** Certificate method: PEM files whose certificates are trusted. */
  chainPems?: readonly (string | Uint8Array)[];
  /** Keyless method. */
  sigstore?: SigstorePolicy;
  /** Clock for certificate expiry warnings (tests). */
  now?: Date;
}

/** What the signature check established. */
interface Signed {
  payload: Buffer;
  payloadType: string;
  signer: string;
  warnings: string[];
}

export async function verifyModel(modelPath: string, opts: VerifyOptions): Promise<VerifyResult> {
  const material = loadMaterial(opts);
  const signaturePath = resolve(
    opts.signaturePath ?? findSignature(modelPath) ?? missingSignature(modelPath),
  );
  const text = await readSignatureFile(signaturePath);
  const result = (
    method: SigningMethod | null,
    problems: VerifyProblem[],
    warnings: string[],
    extra: { signer?: string; checked?: number } = {},
  ): VerifyResult => ({
    verified: problems.length === 0,
    method,
    signaturePath,
    ...(extra.signer === undefined ? {} : { signer: extra.signer }),
    checkedResources: extra.checked ?? 0,
    problems,
    warnings,
  });

  let bundle: OmsBundle;
  try {
    bundle = readBundle(text);
  } catch (e) {
    if (e instanceof BundleFormatError) return result(null, [{ kind: 'format', message: e.message }], []);
    throw e;
  }
  const warnings = [...bundle.warnings];

  let signed: Signed;
  try {
    signed = await checkSignature(bundle, material, opts.now ?? new Date());
  } catch (e) {
    if (e instanceof Failure) return result(bundle.method, [e.problem], warnings);
    throw e;
  }
  warnings.push(...signed.warnings);
  const done = (problems: VerifyProblem[], checked = 0): VerifyResult =>
    result(bundle.method, problems, warnings, { signer: signed.signer, checked });

  if (signed.payloadType !== PAYLOAD_TYPE)
    return done([
      { kind: 'format', message: `payloadType is "${signed.payloadType}", expected "${PAYLOAD_TYPE}"` },
    ]);
  let manifest: ReturnType<typeof parseStatement>;
  try {
    manifest = parseStatement(signed.payload);
  } catch (e) {
    if (e instanceof BundleFormatError) return done([{ kind: 'format', message: e.message }]);
    throw e;
  }
  warnings.push(...manifest.warnings);

  const check = await checkModel(modelPath, manifest, { ...opts, signaturePath });
  warnings.push(...check.warnings);
  return done(check.problems, check.checked);
}

/** The caller's trust material, parsed up front (unusable material is a usage error, not a verdict). */
interface Material {
  publicKey?: KeyObject;
  anchors?: Certificate[];
  sigstore?: SigstorePolicy;
}

function loadMaterial(opts: VerifyOptions): Material {
  const m: Material = {};
  if (opts.publicKeyPem !== undefined) m.publicKey = loadPublicKey(opts.publicKeyPem);
  if (opts.chainPems !== undefined && opts.chainPems.length > 0)
    m.anchors = opts.chainPems.flatMap((p, i) => certificatesFromPem(p, `certificate chain file #${i + 1}`));
  if (opts.sigstore !== undefined) m.sigstore = opts.sigstore;
  if (m.publicKey === undefined && m.anchors === undefined && m.sigstore === undefined)
    throw new OmsUsageError(
      'nothing to verify the signature with: give a public key, a certificate chain, or a Sigstore identity and issuer',
    );
  return m;
}

/** A verification failure found while checking the signature (becomes the one problem of the result). */
class Failure extends Error {
  constructor(readonly problem: VerifyProblem) {
    super(problem.message);
  }
}

const fail = (kind: VerifyProblem['kind'], message: string): Failure => new Failure({ kind, message });

async function checkSignature(bundle: OmsBundle, material: Material, now: Date): Promise<Signed> {
  const env = bundle.envelope;
  const m = bundle.material;
  if (m.kind === 'publicKey') {
    const key = material.publicKey;
    if (key === undefined)
      throw fail(
        'untrusted',
        `the signature was made with a private key${m.hint ? ` (hint ${m.hint})` : ''}: verify it with a public key`,
      );
    const info = ecKeyInfo(key, 'the public key');
    const hint = keyHint(key);
    if (m.hint !== undefined && m.hint !== hint)
      throw fail(
        'untrusted',
        `the signature names key hint ${m.hint}, but the given public key (${info.curve}) has hint ${hint}: it was signed with another key`,
      );
    if (m.rawBytes !== undefined) {
      const embedded = embeddedKey(m.rawBytes);
      if (embedded !== undefined && !spkiDer(embedded).equals(spkiDer(key)))
        throw fail(
          'untrusted',
          `the signature embeds public key ${keyHint(embedded)} (hint), not the given public key (${info.curve}, hint ${hint})`,
        );
    }
    const warnings = dsseVerify(
      key,
      info.hash,
      env,
      `the given public key (${info.curve}, hint ${hint.slice(0, 16)}…)`,
    );
    return {
      payload: env.payload,
      payloadType: env.payloadType,
      signer: `key ${hint} (${info.curve})`,
      warnings,
    };
  }

  if (m.kind === 'x509CertificateChain' && bundle.method === 'certificate') {
    if (material.anchors === undefined)
      throw fail(
        'untrusted',
        'the signature was made with a certificate: verify it with a certificate chain',
      );
    let chain: Certificate[];
    try {
      chain = m.certificates.map((c, i) =>
        certificateFromDer(c, `verificationMaterial.x509CertificateChain.certificates[${i}]`),
      );
    } catch (e) {
      throw fail('format', errorMessage(e));
    }
    try {
      const { leaf, path, warnings } = verifyChain(chain, material.anchors, now);
      const info = leafKeyInfo(leaf);
      const w = dsseVerify(
        leaf.x509.publicKey,
        info.hash,
        env,
        `the signing certificate's key ('${leaf.name}', ${info.curve})`,
      );
      const anchor = path[path.length - 1]!;
      return {
        payload: env.payload,
        payloadType: env.payloadType,
        signer: `certificate '${leaf.name}' (trusted via '${anchor.name}')`,
        warnings: [...warnings, ...w],
      };
    } catch (e) {
      if (e instanceof UntrustedChainError) throw fail('untrusted', e.message);
      if (e instanceof Failure) throw e;
      // A certificate node:crypto parsed but cannot use (odd key or signature algorithm, bad fields).
      throw fail('format', `cannot use the bundle's certificates: ${errorMessage(e)}`);
    }
  }

  // Keyless: Fulcio certificate + transparency log, verified offline against a trust root.
  if (material.sigstore === undefined)
    throw fail(
      'untrusted',
      'the signature is a Sigstore keyless signature: verify it with the signer identity and OIDC issuer',
    );
  const sigstore = await import('./sigstore.js');
  try {
    const r = await sigstore.verifySigstoreBundle(bundle.json, material.sigstore);
    return { payload: r.payload, payloadType: r.payloadType, signer: r.signer, warnings: r.warnings };
  } catch (e) {
    if (e instanceof sigstore.SigstoreVerifyError) throw fail(e.kind, e.message);
    throw e;
  }
}

/**
 * DSSE signature over the PAE of the decoded payload with the curve's hash; failing that, the v0.2
 * encoding (`paeCompat`), which model_signing 0.2 signed with the curve's hash or SHA-256.
 */
function dsseVerify(key: KeyObject, hash: EcdsaHash, env: OmsBundle['envelope'], keyName: string): string[] {
  if (ecdsaVerify(key, pae(env.payloadType, env.payload), env.signature, hash)) return [];
  const compat = paeCompat(env.payloadType, env.payload);
  for (const h of new Set<EcdsaHash>([hash, 'sha256'])) {
    if (ecdsaVerify(key, compat, env.signature, h))
      return [`the signature uses model_signing 0.2's PAE encoding (with ${h}); re-sign to upgrade`];
  }
  throw fail(
    'signature',
    `the signature does not verify with ${keyName}: the payload or the signature was altered, or another key signed it`,
  );
}

function embeddedKey(raw: Buffer): KeyObject | undefined {
  try {
    return loadPublicKey(raw);
  } catch {
    return undefined;
  }
}

function missingSignature(modelPath: string): never {
  throw new SignatureFileError(
    resolve(modelPath),
    `no signature found for ${modelPath}: looked for model.sig in the folder, or FILE.sig / model.sig beside a file`,
  );
}

async function readSignatureFile(path: string): Promise<Buffer> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (!st.isFile()) throw new SignatureFileError(path, `${path} is not a regular file`);
    if (st.size > OMS_LIMITS.maxBundleBytes)
      throw new SignatureFileError(
        path,
        `${path} is ${st.size} bytes, over maxBundleBytes (${OMS_LIMITS.maxBundleBytes})`,
      );
    return await fh.readFile();
  } catch (e) {
    if (e instanceof SignatureFileError) throw e;
    throw new SignatureFileError(path, `cannot read the signature file ${path}: ${errorMessage(e)}`, {
      cause: e,
    });
  } finally {
    await fh?.close();
  }
}
