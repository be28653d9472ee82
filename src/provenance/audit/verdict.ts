import { atLeast, SEVERITIES } from '../../core/severity.js';
import type { ScanReport } from '../../scanners/report-model.js';
import type { VerifyProblem } from '../types.js';
import type { AuditVerdict, SignatureCheck } from './types.js';

export interface VerdictParts {
  readonly verdict: AuditVerdict;
  readonly reasons: string[];
  readonly notes: string[];
  readonly exitCode: 0 | 1 | 2;
}

/** Items named in one reason before "and N more". */
const LIST_MAX = 5;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function listOf(items: readonly string[]): string {
  const shown = items.slice(0, LIST_MAX).join(', ');
  return items.length > LIST_MAX ? `${shown} and ${items.length - LIST_MAX} more` : shown;
}

function scanFailure(scan: ScanReport): string | null {
  const s = scan.summary;
  if (!s.failed || s.failOn === 'never') return null;
  const threshold = s.failOn;
  const levels = SEVERITIES.filter((x) => atLeast(x, threshold) && s.bySeverity[x] > 0);
  const n = levels.reduce((sum, x) => sum + s.bySeverity[x], 0);
  const counts = levels.map((x) => `${s.bySeverity[x]} ${x}`);
  const files = new Set(
    scan.findings.filter((f) => atLeast(f.severity, threshold)).map((f) => f.location.path),
  );
  return `scan: ${plural(n, 'finding')} at or above ${threshold} (${counts.join(', ')}) in ${plural(files.size, 'file')}`;
}

const PROBLEM_WORDS: Record<VerifyProblem['kind'], string> = {
  modified: 'modified',
  missing: 'missing',
  extra: 'not signed (extra)',
  signature: 'signature invalid',
  untrusted: 'signer not trusted',
  format: 'signature malformed',
};

function signatureFailure(problems: readonly VerifyProblem[]): string {
  const parts: string[] = [];
  for (const kind of Object.keys(PROBLEM_WORDS) as VerifyProblem['kind'][]) {
    const list = problems.filter((p) => p.kind === kind);
    if (list.length === 0) continue;
    const named = list.map((p) => p.resource).filter((r): r is string => r !== undefined);
    parts.push(
      named.length > 0
        ? `${PROBLEM_WORDS[kind]}: ${listOf(named)}`
        : `${PROBLEM_WORDS[kind]}: ${list.map((p) => p.message).join('; ')}`,
    );
  }
  return `signature: verification failed — ${parts.join('; ') || 'the signature did not verify'}`;
}

function signer(check: { result: { method: string | null; signer?: string; checkedResources: number } }) {
  const r = check.result;
  const by = r.signer ? `; signer: ${r.signer}` : '';
  return `signature: verified (method: ${r.method ?? 'unknown'}${by}; ${plural(r.checkedResources, 'signed resource')} match)`;
}

/** The scan's part of a verdict: failures, tool errors, what passed, notes. */
export function scanParts(scan: ScanReport): {
  failures: string[];
  errors: string[];
  passes: string[];
  notes: string[];
} {
  const failures: string[] = [];
  const errors: string[] = [];
  const passes: string[] = [];
  const notes: string[] = [];
  const scanFail = scanFailure(scan);
  if (scanFail) failures.push(scanFail);
  else if (scan.summary.failOn === 'never') notes.push('scan: not gated (--fail-on never)');
  else
    passes.push(`scan: nothing at or above ${scan.summary.failOn} in ${plural(scan.summary.files, 'file')}`);
  const broken = scan.artifacts.filter((a) => a.verdict === 'error');
  if (broken.length > 0) {
    errors.push(
      `scan: ${plural(broken.length, 'file')} could not be scanned (${listOf(broken.map((a) => `${a.path}: ${a.error ?? 'error'}`))})`,
    );
  }
  return { failures, errors, passes, notes };
}

function combine(p: ReturnType<typeof scanParts>): VerdictParts {
  if (p.failures.length > 0) {
    return { verdict: 'fail', reasons: [...p.failures, ...p.errors], notes: p.notes, exitCode: 1 };
  }
  if (p.errors.length > 0) return { verdict: 'error', reasons: p.errors, notes: p.notes, exitCode: 2 };
  return { verdict: 'pass', reasons: p.passes, notes: p.notes, exitCode: 0 };
}

/** The verdict of a plain scan report, by the same rules as an audit's (fail 1, error 2, pass 0). */
export function scanVerdict(scan: ScanReport): VerdictParts {
  return combine(scanParts(scan));
}

/**
 * The verdict from the worst result: a failure (scan findings at or above --fail-on, a signature that
 * does not verify, a required signature that is absent or unverified) gives `fail` (1); otherwise a
 * tool error (a file that could not be scanned, a verification or BOM that could not run) gives
 * `error` (2); else `pass` (0). Failures outrank errors: what is known to be bad is reported as bad.
 */
export function decideVerdict(
  scan: ScanReport,
  signature: SignatureCheck,
  bomError: string | null,
): VerdictParts {
  const parts = scanParts(scan);
  const { failures, errors, passes, notes } = parts;
  switch (signature.status) {
    case 'verified':
      passes.push(signer(signature));
      notes.push(...signature.result.warnings.map((w) => `signature: ${w}`));
      break;
    case 'failed':
      failures.push(signatureFailure(signature.result.problems));
      notes.push(...signature.result.warnings.map((w) => `signature: ${w}`));
      break;
    case 'absent':
      if (signature.required) failures.push('signature: required but the model has no signature file');
      else notes.push('signature: none found (use --require-signature to make that a failure)');
      break;
    case 'present-unverified':
      if (signature.required) {
        failures.push(
          `signature: required, present (${signature.signaturePath}) but not verified — no key, certificate chain or identity was given`,
        );
        break;
      }
      notes.push(
        `signature: present (${signature.signaturePath}), not verified — pass --public-key, --certificate-chain or --identity with --issuer to verify it`,
      );
      break;
    case 'error':
      errors.push(`signature: verification could not run: ${signature.message}`);
      break;
  }
  if (bomError !== null) errors.push(`bom: could not be built: ${bomError}`);
  return combine(parts);
}
