import { join } from 'node:path';
import type { Finding, Location } from '../../core/finding.js';
import type { RuleMeta } from '../../core/rule.js';
import type { VerifyProblem } from '../types.js';
import { PROVENANCE_RULES, type ProvenanceRuleId } from './rules.js';
import type { SignatureCheck } from './types.js';

const RULE_OF: Record<VerifyProblem['kind'], ProvenanceRuleId> = {
  modified: 'provenance/file-modified',
  missing: 'provenance/file-missing',
  extra: 'provenance/file-unsigned',
  signature: 'provenance/signature-invalid',
  untrusted: 'provenance/signer-untrusted',
  format: 'provenance/signature-malformed',
};

/** A shard resource is `path:start:end` (OMS); its file and start offset. */
const SHARD = /^(.+):(\d+):(\d+)$/;

function finding(rule: RuleMeta, message: string, location: Location): Finding {
  return {
    ruleId: rule.id,
    severity: rule.severity,
    message,
    location,
    cwe: [...rule.cwe],
    atlas: [...rule.atlas],
    owasp: [...rule.owasp],
  };
}

/** Where a problem points: the file (and shard offset) it names under the model, else the signature file. */
function locate(p: VerifyProblem, target: string, targetIsDir: boolean, signaturePath: string): Location {
  if (p.resource === undefined) return { path: signaturePath };
  const shard = SHARD.exec(p.resource);
  const name = shard ? (shard[1] as string) : p.resource;
  const path = targetIsDir ? join(target, name) : target;
  return shard ? { path, offset: Number(shard[2]) } : { path };
}

/** Findings of the provenance rules for a signature check: one per problem, or one for a required, absent signature. */
export function provenanceFindings(check: SignatureCheck, target: string, targetIsDir: boolean): Finding[] {
  if (check.status === 'absent') {
    if (!check.required) return [];
    return [
      finding(
        PROVENANCE_RULES['provenance/signature-missing'],
        'A signature is required but the model has no signature file.',
        { path: target },
      ),
    ];
  }
  if (check.status !== 'failed') return [];
  const out = check.result.problems.map((p) =>
    finding(
      PROVENANCE_RULES[RULE_OF[p.kind]],
      p.message,
      locate(p, target, targetIsDir, check.signaturePath),
    ),
  );
  // A failed result always yields at least one finding, even if the verifier gave no problem.
  if (out.length === 0) {
    out.push(
      finding(PROVENANCE_RULES['provenance/signature-invalid'], 'The signature did not verify.', {
        path: check.signaturePath,
      }),
    );
  }
  return out;
}
