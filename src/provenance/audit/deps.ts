import type { ScanReport } from '../../scanners/report-model.js';
import type { VerifyResult } from '../types.js';
import type { BomSummaryLike } from './types.js';

/** Options of the OMS verifier, as `audit` calls it (one verification method). */
export interface VerifyCall {
  signaturePath: string;
  publicKeyPem?: string;
  chainPems?: readonly string[];
  sigstore?: { identity: string; issuer: string; trustedRootPath?: string };
}

/** The provenance modules `audit` composes; injectable so tests can make each one fail. */
export interface AuditDeps {
  findSignature(modelPath: string): string | null;
  verifyModel(modelPath: string, opts: VerifyCall): Promise<VerifyResult>;
  buildBom(
    modelPath: string,
    opts: { scanReport: ScanReport; verifyResult?: VerifyResult; specVersion: '1.5' | '1.6' },
  ): Promise<object>;
  summarizeBom(doc: object): BomSummaryLike;
}

function notYet(what: string): never {
  throw new Error(`${what} is not available in this build`);
}

/** The real modules. */
export const DEFAULT_DEPS: AuditDeps = {
  findSignature: () => null,
  verifyModel: async () => notYet('OMS verification'),
  buildBom: async () => notYet('the ML-BOM builder'),
  summarizeBom: () => notYet('the ML-BOM summary'),
};
