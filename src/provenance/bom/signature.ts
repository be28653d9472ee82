/**
 * The model's signature as the BOM records it: the verifier's result when one was run, otherwise only
 * whether a signature file is there (a BOM has no key material to verify with).
 */
import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { findSignature } from '../oms/signature-path.js';
import type { SigningMethod, VerifyResult } from '../types.js';

export type SignatureStatus = 'verified' | 'failed' | 'present-unverified' | 'absent';

export interface SignatureInfo {
  readonly status: SignatureStatus;
  /** Absolute path of the signature file, when there is one. */
  readonly path: string | undefined;
  readonly method: SigningMethod | undefined;
  readonly signer: string | undefined;
  /** What the verifier found wrong (failed only). */
  readonly problems: readonly string[];
}

/** Most verifier problems copied into the BOM. */
const MAX_PROBLEMS = 20;

/**
 * `verifyResult`: the verifier's outcome (null or undefined: not verified). `signaturePath`: a
 * signature file named by the user; otherwise the default location next to or inside the model.
 */
export function signatureInfo(
  modelPath: string,
  verifyResult: VerifyResult | null | undefined,
  signaturePath: string | undefined,
): SignatureInfo {
  if (verifyResult !== null && verifyResult !== undefined) {
    return {
      status: verifyResult.verified ? 'verified' : 'failed',
      path: resolve(verifyResult.signaturePath),
      method: verifyResult.method ?? undefined,
      signer: verifyResult.signer,
      problems: verifyResult.verified
        ? []
        : verifyResult.problems.slice(0, MAX_PROBLEMS).map((p) => p.message),
    };
  }
  const path = signaturePath !== undefined ? resolve(signaturePath) : findSignature(modelPath);
  const present = path !== null && isFileAt(path);
  return {
    status: present ? 'present-unverified' : 'absent',
    path: present ? path : undefined,
    method: undefined,
    signer: undefined,
    problems: [],
  };
}

function isFileAt(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The signature path as the BOM shows it: relative to the model folder when inside it. */
export function displayPath(root: string, isFile: boolean, path: string): string {
  const base = isFile ? resolve(root, '..') : root;
  const rel = relative(base, path);
  return rel.startsWith('..') || rel === '' ? path : rel.split(sep).join('/');
}
