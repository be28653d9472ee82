/**
 * Checks on transparency-log entries that sigstore-js leaves out (run after its `Verifier` has checked the
 * SET, the checkpoint signature and the Merkle proof):
 * - each entry names the bundle's own signing certificate (or its key) as the verifier: sigstore-js compares
 *   only the signature bytes and payload hash of the logged body; sigstore-go also compares the key material;
 * - an inclusion proof's `rootHash`/`treeSize` equal those of its signed checkpoint (sigstore-js uses the
 *   checkpoint's and ignores the proof's own fields, so a contradicting bundle would otherwise pass);
 * - no entry appears twice.
 */
import { X509Certificate } from 'node:crypto';
import type { TransparencyLogEntry } from '@sigstore/bundle';
import type { X509Certificate as SigstoreCertificate } from '@sigstore/core';
import { SigstoreVerifyError } from './errors.js';

type Json = Record<string, unknown>;

/** Before verification: no entry appears twice (same log, same index). */
export function assertDistinctEntries(entries: readonly TransparencyLogEntry[]): void {
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const id = `${entry.logId?.keyId.toString('base64')}/${entry.logIndex}`;
    if (seen.has(id))
      throw new SigstoreVerifyError('format', `transparency log entry ${i} (${id}) appears twice`);
    seen.add(id);
  });
}

/** After sigstore-js verified the entries: proofs agree with their checkpoints and name the leaf. */
export function checkTlogEntries(entries: readonly TransparencyLogEntry[], leaf: SigstoreCertificate): void {
  entries.forEach(assertProofMatchesCheckpoint);
  assertTlogNamesLeaf(entries, leaf);
}

function assertProofMatchesCheckpoint(entry: TransparencyLogEntry, i: number): void {
  const proof = entry.inclusionProof;
  if (proof === undefined) return;
  const note = proof.checkpoint?.envelope ?? '';
  const [, size, root] = note.slice(0, note.indexOf('\n\n')).split('\n');
  const sameSize = size !== undefined && /^\d+$/.test(size) && size === String(proof.treeSize);
  const sameRoot = root !== undefined && Buffer.from(root, 'base64').equals(proof.rootHash);
  if (!sameSize || !sameRoot)
    throw new SigstoreVerifyError(
      'untrusted',
      `transparency log entry ${i}: the inclusion proof's ${sameSize ? 'root hash' : 'tree size'} differs from its signed checkpoint`,
    );
}

/** Each entry's logged verifier is the leaf certificate (or its public key). */
export function assertTlogNamesLeaf(
  entries: readonly TransparencyLogEntry[],
  leaf: SigstoreCertificate,
): void {
  const leafDer = leaf.root.toDER();
  const leafKey = spkiOfCertificate(leafDer);
  entries.forEach((entry, i) => {
    let body: unknown;
    try {
      body = JSON.parse(entry.canonicalizedBody.toString('utf8'));
    } catch (e) {
      throw new SigstoreVerifyError('format', `transparency log entry ${i}: body is not JSON`, { cause: e });
    }
    const material = verifierMaterial(body);
    if (material === undefined)
      throw new SigstoreVerifyError(
        'format',
        `transparency log entry ${i}: body (${entry.kindVersion?.kind}/${entry.kindVersion?.version}) names no verifier`,
      );
    const same =
      material.type === 'certificate' ? material.der.equals(leafDer) : material.der.equals(leafKey);
    if (!same)
      throw new SigstoreVerifyError(
        'untrusted',
        `transparency log entry ${i} was made for a different ${material.type === 'certificate' ? 'certificate' : 'key'} than the bundle's signing certificate`,
      );
  });
}

interface Material {
  readonly type: 'certificate' | 'key';
  readonly der: Buffer;
}

/** The key material a Rekor body names: dsse 0.0.1, intoto 0.0.2 (base64 PEM), dsse 0.0.2 (Rekor v2, DER). */
function verifierMaterial(body: unknown): Material | undefined {
  const spec = obj(obj(body)?.['spec']);
  if (spec === undefined) return undefined;
  const v1Dsse = arr(spec['signatures'])?.[0];
  if (v1Dsse !== undefined) return fromBase64Pem(obj(v1Dsse)?.['verifier']);
  const intoto = arr(obj(obj(spec['content'])?.['envelope'])?.['signatures'])?.[0];
  if (intoto !== undefined) return fromBase64Pem(obj(intoto)?.['publicKey']);
  const v2 = obj(arr(obj(spec['dsseV002'])?.['signatures'])?.[0]);
  const verifier = obj(v2?.['verifier']);
  const cert = obj(verifier?.['x509Certificate'])?.['rawBytes'];
  if (typeof cert === 'string') return { type: 'certificate', der: Buffer.from(cert, 'base64') };
  const key = obj(verifier?.['publicKey'])?.['rawBytes'];
  if (typeof key === 'string') return { type: 'key', der: Buffer.from(key, 'base64') };
  return undefined;
}

function fromBase64Pem(value: unknown): Material | undefined {
  if (typeof value !== 'string') return undefined;
  const pem = Buffer.from(value, 'base64').toString('utf8');
  const m = /^-----BEGIN (CERTIFICATE|PUBLIC KEY)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END \1-----\s*$/.exec(
    pem,
  );
  if (m === null) return undefined;
  return { type: m[1] === 'CERTIFICATE' ? 'certificate' : 'key', der: Buffer.from(m[2] as string, 'base64') };
}

function spkiOfCertificate(der: Buffer): Buffer {
  return new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' });
}

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}
