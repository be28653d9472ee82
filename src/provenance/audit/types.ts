import type { Finding } from '../../core/finding.js';
import type { ScanLimits } from '../../core/limits.js';
import type { Severity } from '../../core/severity.js';
import type { Policy } from '../../scanners/policy/policy.js';
import type { ScanReport } from '../../scanners/report-model.js';
import type { BomDocument, BomSummary } from '../bom/index.js';
import type { VerifyResult } from '../types.js';

/** What to verify a signature with; at most one method (key, chain, or Sigstore identity + issuer). */
export interface SignatureMaterial {
  /** Signature file; default: the one `findSignature` finds next to / inside the model. */
  path?: string;
  /** PEM public key (ECDSA P-256/P-384). */
  publicKeyPem?: string;
  /** PEM certificates: the signing certificate's chain up to a trusted root. */
  chainPems?: readonly string[];
  /** Sigstore keyless: the exact certificate identity (SAN) … */
  identity?: string;
  /** … and its exact OIDC issuer. */
  issuer?: string;
  /** Sigstore trusted_root.json to use instead of the one shipped in the package. */
  trustedRootPath?: string;
  /** Paths of the model that verification leaves out (as `verify --ignore-paths`). */
  ignorePaths?: readonly string[];
  /** Files on disk that the signature does not list are tolerated (as `verify --ignore-unsigned-files`). */
  ignoreUnsignedFiles?: boolean;
}

export interface AuditOptions {
  /** Scan findings at or above this fail the audit (default high). */
  failOn?: Severity | 'never';
  policy?: Policy;
  limits?: Partial<ScanLimits>;
  signature?: SignatureMaterial;
  /**
   * A missing signature fails the audit. Implied when verification material (key, chain, identity)
   * is given: material with nothing to check is a failure, not a pass.
   */
  requireSignature?: boolean;
  /** CycloneDX version of the BOM (default 1.6). */
  bomSpecVersion?: '1.5' | '1.6';
  /** Called after each scanned file (progress bars). */
  onProgress?: (done: number, total: number, path: string) => void;
}

/** The signature check: verified or failed with the verifier's result, or why nothing was verified. */
export type SignatureCheck =
  | { readonly status: 'verified' | 'failed'; readonly signaturePath: string; readonly result: VerifyResult }
  | { readonly status: 'absent'; readonly required: boolean }
  | { readonly status: 'present-unverified'; readonly signaturePath: string; readonly required: boolean }
  /** Verification could not run (unreadable signature, bad key material, internal error). */
  | { readonly status: 'error'; readonly signaturePath: string | null; readonly message: string };

export type SignatureStatus = SignatureCheck['status'];

/** The model's ML-BOM: the CycloneDX document and what it says at a glance. */
export interface AuditBom {
  readonly summary: BomSummary;
  /** The CycloneDX document, as `modelguard bom` writes it. */
  readonly document: BomDocument;
}

export type AuditVerdict = 'pass' | 'fail' | 'error';

/** One report for a model: scan, signature and BOM, with a verdict from the worst of them. */
export interface AuditReport {
  readonly tool: { readonly name: 'modelguard'; readonly version: string };
  /** The path audited, as given. */
  readonly target: string;
  readonly verdict: AuditVerdict;
  /** Why the verdict is what it is, worst first: each failure or error; for a pass, what passed. */
  readonly reasons: readonly string[];
  /** Remarks that do not change the verdict (signature present but not verified, verifier warnings …). */
  readonly notes: readonly string[];
  readonly scan: ScanReport;
  readonly signature: SignatureCheck;
  /** Findings of the provenance rules derived from the signature check (empty when it passed or did not run). */
  readonly provenanceFindings: readonly Finding[];
  /** Null when the BOM could not be built (then the verdict is at least `error`). */
  readonly bom: AuditBom | null;
  /** 0 pass, 1 fail, 2 error. */
  readonly exitCode: 0 | 1 | 2;
  readonly durationMs: number;
}
