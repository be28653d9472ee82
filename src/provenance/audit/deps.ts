import type { ScanReport } from '../../scanners/report-model.js';
import { type BomDocument, type BomSummary, buildBom, summarizeBom } from '../bom/index.js';
import { findSignature, verifyModel } from '../oms/index.js';
import type { VerifyResult } from '../types.js';

/** Options of the OMS verifier, as `audit` calls it (one verification method). */
export interface VerifyCall {
  signaturePath: string;
  publicKeyPem?: string;
  chainPems?: readonly string[];
  sigstore?: { identity: string; issuer: string; trustedRootPath?: string };
  ignorePaths?: readonly string[];
  ignoreUnsignedFiles?: boolean;
}

export interface BomCall {
  scanReport: ScanReport;
  verifyResult?: VerifyResult;
  signaturePath?: string;
  specVersion: '1.5' | '1.6';
}

/** The provenance modules `audit` composes; injectable so tests can make each one fail. */
export interface AuditDeps {
  findSignature(modelPath: string): string | null;
  verifyModel(modelPath: string, opts: VerifyCall): Promise<VerifyResult>;
  buildBom(modelPath: string, opts: BomCall): Promise<BomDocument>;
  summarizeBom(doc: BomDocument): BomSummary;
}

/** The real modules: OMS signature lookup and verification, the ML-BOM builder and its summary. */
export const DEFAULT_DEPS: AuditDeps = { findSignature, verifyModel, buildBom, summarizeBom };
