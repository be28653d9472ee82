/**
 * Token-level fallback for templates the parser refuses (`{% raw %}`, `{% include %}`, `{% with %}` …
 * are not supported by @huggingface/jinja but are by Jinja2): names and strings inside `{{ }}` and
 * `{% %}` are checked without structure, and adjacent string literals joined by `+`/`~` are folded.
 */
import { maxSeverity, type Severity } from '../../core/severity.js';
import { attributeVerdict, gadgetIn, identifierVerdict, type NameVerdict, pathVerdict } from './names.js';
import type { ChatTemplateLimits, TemplateFinding } from './types.js';

export interface TokenLike {
  value: string;
  type: string;
}

const OPEN = new Set(['OpenExpression', 'OpenStatement']);
const CLOSE = new Set(['CloseExpression', 'CloseStatement']);

function critical(s: string): NameVerdict | undefined {
  const v = pathVerdict(s);
  return v?.severity === 'critical' ? v : undefined;
}

export function analyzeTokens(tokens: readonly TokenLike[], limits: ChatTemplateLimits): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  let start = 0;
  let issues: { severity: Severity; why: string }[] = [];
  const flush = (end: number): void => {
    if (!issues.some((i) => i.severity !== 'info' && i.severity !== 'low')) {
      issues = [];
      return;
    }
    const text = tokens
      .slice(start, Math.min(end + 1, start + 64))
      .map((t) => (t.type === 'StringLiteral' ? `'${t.value}'` : t.value))
      .join(' ');
    findings.push({
      kind: 'injection',
      severity: maxSeverity(issues.map((i) => i.severity)) ?? 'high',
      message: `chat template (token scan) uses ${[...new Set(issues.map((i) => i.why))].join('; ')}`,
      evidence:
        text.length > limits.maxEvidenceChars ? `${text.slice(0, limits.maxEvidenceChars - 1)}…` : text,
    });
    issues = [];
  };
  const add = (v: NameVerdict | undefined, prefix = ''): void => {
    if (v !== undefined) issues.push({ severity: v.severity, why: prefix + v.why });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as TokenLike;
    if (OPEN.has(t.type)) {
      start = i;
      continue;
    }
    if (CLOSE.has(t.type)) {
      flush(i);
      continue;
    }
    const prev = tokens[i - 1];
    if (t.type === 'Identifier') {
      if (prev?.type === 'Dot') add(attributeVerdict(t.value));
      else add(identifierVerdict(t.value));
    } else if (t.type === 'StringLiteral') {
      // Fold 'a' + 'b' ~ 'c' runs.
      let s = t.value;
      let j = i;
      while (
        tokens[j + 1]?.type === 'AdditiveBinaryOperator' &&
        tokens[j + 2]?.type === 'StringLiteral' &&
        s.length < limits.maxFoldLength
      ) {
        s += (tokens[j + 2] as TokenLike).value;
        j += 2;
      }
      const attrCall = prev?.type === 'OpenParen' && tokens[i - 2]?.value === 'attr';
      const v = attrCall ? attributeVerdict(s) : critical(s);
      if (v !== undefined) add(v, j > i ? 'built string ' : 'string ');
      else if (gadgetIn(s) !== undefined)
        add({ severity: 'high', why: `string containing '${gadgetIn(s)}'` });
      i = j;
    }
  }
  flush(tokens.length - 1);
  return findings;
}
