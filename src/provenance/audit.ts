import { statSync } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import { scanPaths } from '../scanners/engine.js';
import { VERSION } from '../scanners/version.js';
import { type AuditDeps, DEFAULT_DEPS, type VerifyCall } from './audit/deps.js';
import { provenanceFindings } from './audit/findings.js';
import type {
  AuditBom,
  AuditOptions,
  AuditReport,
  SignatureCheck,
  SignatureMaterial,
} from './audit/types.js';
import { decideVerdict } from './audit/verdict.js';

export { PROVENANCE_RULES } from './audit/rules.js';
export type * from './audit/types.js';

/** The audit was asked for something contradictory (two verification methods, identity without issuer). */
export class AuditOptionsError extends Error {
  readonly code = 'AUDIT_OPTIONS' as const;
  constructor(message: string) {
    super(message);
    this.name = 'AuditOptionsError';
  }
}

/** The verifier call for the given material, or null when none was given. Throws on contradictory material. */
export function verificationMethod(
  m: SignatureMaterial | undefined,
): Omit<VerifyCall, 'signaturePath'> | null {
  if (m === undefined) return null;
  const chain = m.chainPems ?? [];
  const sigstore = m.identity !== undefined || m.issuer !== undefined;
  const given = [m.publicKeyPem !== undefined, chain.length > 0, sigstore].filter(Boolean).length;
  if (given > 1) {
    throw new AuditOptionsError(
      'give one verification method: a public key, a certificate chain, or a Sigstore identity with its issuer',
    );
  }
  if (m.trustedRootPath !== undefined && !sigstore) {
    throw new AuditOptionsError('a Sigstore trust root only applies with an identity and issuer');
  }
  if (m.publicKeyPem !== undefined) return { publicKeyPem: m.publicKeyPem };
  if (chain.length > 0) return { chainPems: chain };
  if (!sigstore) return null;
  if (m.identity === undefined || m.issuer === undefined) {
    throw new AuditOptionsError('Sigstore verification needs both an identity and an issuer');
  }
  return {
    sigstore: {
      identity: m.identity,
      issuer: m.issuer,
      ...(m.trustedRootPath === undefined ? {} : { trustedRootPath: m.trustedRootPath }),
    },
  };
}

async function checkSignature(target: string, opts: AuditOptions, deps: AuditDeps): Promise<SignatureCheck> {
  const method = verificationMethod(opts.signature);
  const required = opts.requireSignature === true || method !== null;
  let signaturePath: string | null = opts.signature?.path ?? null;
  try {
    signaturePath ??= deps.findSignature(target);
    if (signaturePath === null) return { status: 'absent', required };
    statSync(signaturePath); // a named signature file that does not exist is absent, not an error
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'absent', required };
    return { status: 'error', signaturePath, message: errorMessage(e) };
  }
  if (method === null) return { status: 'present-unverified', signaturePath, required };
  try {
    const m = opts.signature;
    const result = await deps.verifyModel(target, {
      signaturePath,
      ...method,
      ...(m?.ignorePaths === undefined ? {} : { ignorePaths: m.ignorePaths }),
      ...(m?.ignoreUnsignedFiles === true ? { ignoreUnsignedFiles: true } : {}),
    });
    return { status: result.verified ? 'verified' : 'failed', signaturePath, result };
  } catch (e) {
    return { status: 'error', signaturePath, message: errorMessage(e) };
  }
}

async function makeBom(
  target: string,
  opts: AuditOptions,
  deps: AuditDeps,
  scanReport: AuditReport['scan'],
  signature: SignatureCheck,
): Promise<{ bom: AuditBom | null; error: string | null }> {
  try {
    const document = await deps.buildBom(target, {
      scanReport,
      ...('result' in signature ? { verifyResult: signature.result } : {}),
      ...('signaturePath' in signature && signature.signaturePath !== null
        ? { signaturePath: signature.signaturePath }
        : {}),
      specVersion: opts.bomSpecVersion ?? '1.6',
    });
    return { bom: { summary: deps.summarizeBom(document), document }, error: null };
  } catch (e) {
    return { bom: null, error: errorMessage(e) };
  }
}

/**
 * Audits one model (a folder or a file): scans it, verifies its signature when one is present and
 * material is given (or fails when one is required and absent), and builds its ML-BOM. Never loads
 * the model. Throws only for contradictory options (`AuditOptionsError`) or a target that cannot be read.
 */
export async function auditModel(
  target: string,
  opts: AuditOptions = {},
  deps: AuditDeps = DEFAULT_DEPS,
): Promise<AuditReport> {
  const started = performance.now();
  verificationMethod(opts.signature); // contradictions are reported before any work
  const isDir = statSync(target).isDirectory();
  const scan = await scanPaths([target], {
    failOn: opts.failOn ?? 'high',
    ...(opts.policy === undefined ? {} : { policy: opts.policy }),
    ...(opts.limits === undefined ? {} : { limits: opts.limits }),
    ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
    hash: true,
  });
  const signature = await checkSignature(target, opts, deps);
  const { bom, error: bomError } = await makeBom(target, opts, deps, scan, signature);
  const parts = decideVerdict(scan, signature, bomError);
  return {
    tool: { name: 'modelguard', version: VERSION },
    target,
    verdict: parts.verdict,
    reasons: parts.reasons,
    notes: parts.notes,
    scan,
    signature,
    provenanceFindings: provenanceFindings(signature, target, isDir),
    bom,
    exitCode: parts.exitCode,
    durationMs: Math.round(performance.now() - started),
  };
}
