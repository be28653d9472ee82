/**
 * X.509 for the `certificate` method (Python `sign_certificate.py`): the bundle carries the signing
 * certificate first, then intermediates. As in the reference (an OpenSSL store without partial chains),
 * the self-signed certificates of the `--certificate-chain` files are the trust anchors and their other
 * certificates may serve as intermediates; a path must lead from the leaf to an anchor, each link matched
 * by issuer name and checked by signature (node:crypto). Extensions (basic constraints, key usage) are
 * read with @sigstore/core's DER parser.
 *
 * Like the reference, validity is checked at the leaf's notBefore (a signature made while the
 * certificate was valid stays verifiable; OMS §8.2 would require the current time) — the result says so
 * when the leaf has expired since.
 */
import { X509Certificate } from 'node:crypto';
import { X509Certificate as DerCertificate } from '@sigstore/core';
import { errorMessage } from '../../core/errors.js';
import { OMS_LIMITS } from './constants.js';
import { BundleFormatError, KeyMaterialError } from './errors.js';
import { ecKeyInfo } from './keys.js';

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const PEM_CERT = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;

/** One certificate, with its parsed extensions. */
export interface Certificate {
  readonly x509: X509Certificate;
  readonly der: DerCertificate;
  /** Subject as one line (`CN=a, O=b`). */
  readonly name: string;
}

/** A chain that does not lead to a trust anchor, or a certificate that may not do what it does. */
export class UntrustedChainError extends Error {
  readonly code = 'UNTRUSTED_CHAIN' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UntrustedChainError';
  }
}

export function certificateFromDer(der: Uint8Array, what: string): Certificate {
  try {
    const buf = Buffer.from(der);
    const x509 = new X509Certificate(buf);
    return { x509, der: DerCertificate.parse(buf), name: oneLine(x509.subject) };
  } catch (e) {
    throw new BundleFormatError(`${what} is not a DER X.509 certificate: ${errorMessage(e)}`, { cause: e });
  }
}

/** Every certificate in a PEM text (a file may hold several); `what` names the source in errors. */
export function certificatesFromPem(pem: string | Uint8Array, what: string): Certificate[] {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
  const out: Certificate[] = [];
  for (const m of text.matchAll(PEM_CERT)) {
    if (out.length >= OMS_LIMITS.maxCertificates)
      throw new KeyMaterialError(`${what} holds more than maxCertificates (${OMS_LIMITS.maxCertificates})`);
    try {
      out.push(certificateFromDer(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'), what));
    } catch (e) {
      throw new KeyMaterialError(errorMessage(e), { cause: e });
    }
  }
  if (out.length === 0) throw new KeyMaterialError(`${what} holds no PEM certificate`);
  return out;
}

/** Why the leaf may sign, or undefined: KeyUsage digitalSignature, or ExtendedKeyUsage codeSigning. */
export function signingUsageProblem(leaf: Certificate): string | undefined {
  if (leaf.der.extKeyUsage?.digitalSignature === true) return undefined;
  if ((leaf.x509.keyUsage ?? []).includes(CODE_SIGNING)) return undefined;
  return `signing certificate '${leaf.name}' may not sign: its KeyUsage lacks digitalSignature and its ExtendedKeyUsage lacks codeSigning`;
}

export interface ChainResult {
  readonly leaf: Certificate;
  /** Leaf first, trust anchor last. */
  readonly path: readonly Certificate[];
  readonly warnings: readonly string[];
}

/**
 * Validates `chain` (leaf first, then intermediates, as in the bundle) up to a self-signed certificate
 * of `trusted`. Throws UntrustedChainError with the exact reason.
 */
export function verifyChain(
  chain: readonly Certificate[],
  trusted: readonly Certificate[],
  now: Date = new Date(),
): ChainResult {
  const leaf = chain[0];
  if (leaf === undefined) throw new UntrustedChainError('the bundle carries no signing certificate');
  const anchors = trusted.filter(selfSigned);
  if (anchors.length === 0)
    throw new UntrustedChainError(
      `none of the trusted certificates is a self-signed root (${trusted.map((c) => `'${c.name}'`).join(', ')})`,
    );
  const path = buildPath(leaf, [...chain.slice(1), ...trusted.filter((c) => !anchors.includes(c))], anchors);
  const at = leaf.der.notBefore;
  for (const c of path) {
    if (c.der.notBefore > at || c.der.notAfter < at)
      throw new UntrustedChainError(
        `certificate '${c.name}' was not valid at the signing certificate's notBefore (${at.toISOString()}): valid ${c.der.notBefore.toISOString()} to ${c.der.notAfter.toISOString()}`,
      );
  }
  for (let i = 1; i < path.length; i++) checkIssuer(path[i]!, i - 1);
  const usage = signingUsageProblem(leaf);
  if (usage !== undefined) throw new UntrustedChainError(usage);
  const warnings: string[] = [];
  if (leaf.der.notAfter < now)
    warnings.push(
      `the signing certificate '${leaf.name}' expired on ${leaf.der.notAfter.toISOString()}; the chain was validated at its notBefore (${at.toISOString()}), as the reference implementation does`,
    );
  return { leaf, path, warnings };
}

/** Leaf → … → anchor, each link checked by issuer name and signature. */
function buildPath(
  leaf: Certificate,
  intermediates: readonly Certificate[],
  anchors: readonly Certificate[],
): Certificate[] {
  const path = [leaf];
  const used = new Set<Certificate>([leaf]);
  let current = leaf;
  for (;;) {
    if (anchors.some((a) => a.x509.raw.equals(current.x509.raw))) return path;
    if (path.length > OMS_LIMITS.maxChainDepth)
      throw new UntrustedChainError(
        `the certificate path is longer than maxChainDepth (${OMS_LIMITS.maxChainDepth}) without reaching a trusted root`,
      );
    const rejected: string[] = [];
    const issuedBy = (c: Certificate): boolean => {
      // By name here; CA status and key usage are checked afterwards with messages that say which failed.
      if (used.has(c) || current.x509.issuer !== c.x509.subject) return false;
      if (signedBy(current, c)) return true;
      rejected.push(c.name);
      return false;
    };
    const anchor = anchors.find(issuedBy);
    if (anchor !== undefined) {
      path.push(anchor);
      return path;
    }
    const next = intermediates.find(issuedBy);
    if (next === undefined) {
      const issuer = oneLine(current.x509.issuer);
      const why =
        rejected.length > 0
          ? `the signature on '${current.name}' does not verify with the key of '${rejected.join("', '")}'`
          : `no certificate named '${issuer}' (the issuer of '${current.name}') is in the bundle or in the certificate chain files`;
      throw new UntrustedChainError(`the certificate chain does not lead to a trusted root: ${why}`);
    }
    path.push(next);
    used.add(next);
    current = next;
  }
}

/** An issuing certificate must be a CA (where it says), may sign certificates, and allow the path length. */
function checkIssuer(issuer: Certificate, below: number): void {
  const bc = issuer.der.extBasicConstraints;
  if (bc !== undefined && !bc.isCA)
    throw new UntrustedChainError(
      `certificate '${issuer.name}' issues other certificates but its basic constraints say it is not a CA`,
    );
  const ku = issuer.der.extKeyUsage;
  if (ku !== undefined && !ku.keyCertSign)
    throw new UntrustedChainError(
      `certificate '${issuer.name}' issues other certificates but its KeyUsage lacks keyCertSign`,
    );
  const limit = bc?.pathLenConstraint;
  if (limit !== undefined && BigInt(below) > limit)
    throw new UntrustedChainError(
      `certificate '${issuer.name}' allows ${limit} intermediate certificate(s) below it, the path has ${below}`,
    );
}

/** The leaf's key must be ECDSA on a supported curve (the reference signs with EC keys only). */
export function leafKeyInfo(leaf: Certificate): ReturnType<typeof ecKeyInfo> {
  try {
    return ecKeyInfo(leaf.x509.publicKey, `the key of signing certificate '${leaf.name}'`);
  } catch (e) {
    throw new UntrustedChainError(errorMessage(e));
  }
}

function selfSigned(c: Certificate): boolean {
  return c.x509.subject === c.x509.issuer && signedBy(c, c);
}

/** Whether `issuer`'s key verifies `cert`'s signature; false for keys or algorithms node cannot use. */
function signedBy(cert: Certificate, issuer: Certificate): boolean {
  try {
    return cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
