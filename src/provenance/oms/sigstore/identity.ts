/**
 * Who a Fulcio leaf certificate names: its subject alternative names and OIDC issuer, read from the
 * certificate itself and compared exactly (no pattern, no prefix, no case folding), as sigstore-python's
 * `Identity` policy does. sigstore-js matches the SAN as an unanchored regular expression: not used here.
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import type { ASN1Obj, X509Certificate } from '@sigstore/core';
import { SigstoreVerifyError } from './errors.js';

const OID_SAN = '2.5.29.17';
/** Fulcio OIDC issuer, legacy: raw bytes of the issuer URL. */
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
/** Fulcio OIDC issuer v2: a DER UTF8String. */
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
/** Fulcio `otherName` SAN for username identities. */
const OID_OTHERNAME_USERNAME = '1.3.6.1.4.1.57264.1.7';
const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const UTF8_STRING = 12;

export interface CertificateIdentity {
  /** rfc822Name, URI and Fulcio username SAN values, in certificate order. */
  readonly sans: readonly string[];
  readonly issuer: string;
}

/** SANs and issuer of a leaf; throws `untrusted` if the leaf is not a code-signing end-entity certificate. */
export function certificateIdentity(leaf: X509Certificate): CertificateIdentity {
  assertCodeSigningLeaf(leaf);
  return { sans: subjectAltNames(leaf), issuer: oidcIssuer(leaf) };
}

/** Throws `untrusted` unless `identity` is one of the SANs and `issuer` is the issuer, both exactly. */
export function assertIdentity(found: CertificateIdentity, identity: string, issuer: string): void {
  const shown = found.sans.length === 0 ? '(none)' : found.sans.map((s) => JSON.stringify(s)).join(', ');
  if (!found.sans.includes(identity))
    throw new SigstoreVerifyError(
      'untrusted',
      `signer identity mismatch: expected ${JSON.stringify(identity)}, certificate names ${shown}`,
    );
  if (found.issuer !== issuer)
    throw new SigstoreVerifyError(
      'untrusted',
      `OIDC issuer mismatch: expected ${JSON.stringify(issuer)}, certificate names ${JSON.stringify(found.issuer)}`,
    );
}

function assertCodeSigningLeaf(leaf: X509Certificate): void {
  if (leaf.extBasicConstraints?.isCA === true)
    throw new SigstoreVerifyError('untrusted', 'the signing certificate is a CA certificate, not a leaf');
  if (leaf.extKeyUsage !== undefined && !leaf.extKeyUsage.digitalSignature)
    throw new SigstoreVerifyError(
      'untrusted',
      'the signing certificate lacks the digitalSignature key usage',
    );
  const eku = new NodeX509(leaf.root.toDER()).keyUsage ?? [];
  if (!eku.includes(EKU_CODE_SIGNING))
    throw new SigstoreVerifyError(
      'untrusted',
      'the signing certificate lacks the codeSigning extended key usage',
    );
}

function subjectAltNames(leaf: X509Certificate): string[] {
  const ext = leaf.extension(OID_SAN);
  if (ext === undefined) return [];
  const names: string[] = [];
  // extnValue is an OCTET STRING holding the GeneralNames SEQUENCE.
  for (const gn of ext.valueObj.subs[0]?.subs ?? []) {
    if (gn.tag.isContextSpecific(0x01) || gn.tag.isContextSpecific(0x06))
      names.push(gn.value.toString('utf8'));
    else if (gn.tag.isContextSpecific(0x00)) {
      const name = otherName(gn);
      if (name !== undefined) names.push(name);
    }
  }
  return names;
}

function otherName(gn: ASN1Obj): string | undefined {
  const [oid, wrapped] = gn.subs;
  if (oid === undefined || !oid.tag.isOID() || oid.toOID() !== OID_OTHERNAME_USERNAME) return undefined;
  const value = wrapped?.subs[0];
  return value?.tag.number === UTF8_STRING ? value.value.toString('utf8') : undefined;
}

function oidcIssuer(leaf: X509Certificate): string {
  const v2ext = leaf.extension(OID_ISSUER_V2);
  const v1 = leaf.extension(OID_ISSUER_V1)?.value.toString('utf8');
  let v2: string | undefined;
  if (v2ext !== undefined) {
    // extnValue is an OCTET STRING holding exactly one DER UTF8String.
    const obj = v2ext.valueObj.subs[0];
    if (
      obj === undefined ||
      !obj.tag.isUniversal() ||
      obj.tag.number !== UTF8_STRING ||
      !obj.toDER().equals(v2ext.value)
    )
      throw new SigstoreVerifyError(
        'format',
        'the certificate issuer extension (OID …57264.1.8) is not a UTF8String',
      );
    v2 = obj.value.toString('utf8');
  }
  if (v2 !== undefined && v1 !== undefined && v1 !== v2)
    throw new SigstoreVerifyError(
      'untrusted',
      `the certificate names two different OIDC issuers: ${JSON.stringify(v2)} and ${JSON.stringify(v1)}`,
    );
  const issuer = v2 ?? v1;
  if (issuer === undefined)
    throw new SigstoreVerifyError('untrusted', 'the signing certificate carries no OIDC issuer extension');
  return issuer;
}
