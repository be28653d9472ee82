/** Issue collection of the Python analysis: one issue per rule and line, summaries past the limit, syntax errors. */
import { fmtInt } from '../../core/format-number.js';
import type { RuleMeta } from '../../core/rule.js';
import { atLeast, type Severity } from '../../core/severity.js';
import type { Node } from './parser.js';
import type { PyIssue, PythonLimits } from './python-types.js';
import { REMOTE_CODE_RULES as R } from './rules.js';
import type { LineIndex } from './source-text.js';
import { describeHits, tokenScan } from './token-scan.js';

export function short(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

export type Emit = (node: Node, rule: RuleMeta, severity: Severity, text: string, extra?: string) => void;

/** Collects issues: one per rule and line (the most severe), at most maxIssuesPerRule per rule. */
export class IssueSink {
  readonly issues: PyIssue[] = [];
  private readonly at = new Map<string, number>();
  private readonly counts = new Map<RuleMeta, number>();
  constructor(
    private readonly label: string,
    private readonly lines: LineIndex,
    private readonly limits: PythonLimits,
    private readonly offsets: boolean,
  ) {}

  readonly emit: Emit = (node, rule, severity, text, extra) => {
    const row = node.startPosition.row;
    const line = row + 1;
    const key = `${rule.id}\0${line}`;
    const evidence = `${this.label}:${line}: ${this.lines.lineText(row)}${extra === undefined ? '' : ` | ${extra}`}`;
    const issue: PyIssue = {
      rule,
      severity,
      message: `line ${line}: ${text}`,
      evidence,
      line,
      ...(this.offsets ? { offset: this.lines.byteOffset(row, node.startIndex) } : {}),
    };
    const i = this.at.get(key);
    if (i !== undefined) {
      const old = this.issues[i];
      if (old !== undefined && old.severity !== severity && atLeast(severity, old.severity))
        this.issues[i] = issue;
      return;
    }
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    if (n > this.limits.maxIssuesPerRule) return;
    this.at.set(key, this.issues.length);
    this.issues.push(issue);
  };

  finish(): PyIssue[] {
    for (const [rule, n] of this.counts) {
      if (n <= this.limits.maxIssuesPerRule) continue;
      const worst = this.issues
        .filter((i) => i.rule === rule)
        .reduce<Severity>((s, i) => (atLeast(i.severity, s) ? i.severity : s), 'info');
      this.issues.push({
        rule,
        severity: worst,
        message: `${this.label}: ${fmtInt(n - this.limits.maxIssuesPerRule)} more '${rule.id}' findings in this file were not listed`,
        evidence: this.label,
      });
    }
    return this.issues.sort(
      (a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
    );
  }
}

export function unanalysable(label: string, why: string, text: string, evasive: boolean): PyIssue {
  const hits = tokenScan(text, 64);
  const severity: Severity = evasive || hits.length > 0 ? 'high' : 'medium';
  return {
    rule: R['remote-code/unanalysable'],
    severity,
    message: `${label} ${why}; ${hits.length > 0 ? `token scan found ${describeHits(hits)}` : 'the token scan found no dangerous call names'}`,
    evidence: hits.length > 0 ? `${label}: ${describeHits(hits)}` : label,
  };
}

/** Error and missing nodes, found by descending only into subtrees that contain errors (bounded). */
function errorNodes(root: Node, max: number): Node[] {
  const out: Node[] = [];
  const cursor = root.walk();
  try {
    let visits = 0;
    for (;;) {
      if (++visits > 200_000 || out.length >= max) break;
      const n = cursor.currentNode;
      if (n.isError || n.isMissing) out.push(n);
      else if (n.hasError && cursor.gotoFirstChild()) continue;
      let moved = false;
      while (!moved) {
        if (cursor.gotoNextSibling()) moved = true;
        else if (!cursor.gotoParent()) return out;
      }
    }
    return out;
  } finally {
    cursor.delete();
  }
}

/** Syntax errors: CPython refuses the file, or reads it differently from the parser — say where, and what tokens hide there. */
export function syntaxIssue(label: string, root: Node, text: string, found: readonly PyIssue[]): PyIssue {
  const errors = errorNodes(root, 64);
  const rows = new Set<number>();
  for (const e of errors)
    for (let r = e.startPosition.row; r <= e.endPosition.row && rows.size < 4096; r++) rows.add(r + 1);
  const reported = new Set(found.map((i) => i.line));
  const hits = tokenScan(text, 4096).filter((h) => rows.has(h.line) && !reported.has(h.line));
  const first = [...rows].sort((a, b) => a - b).slice(0, 5);
  return {
    rule: R['remote-code/unanalysable'],
    severity: hits.length > 0 ? 'high' : 'low',
    message: `${label} has syntax errors${first.length > 0 ? ` near line${first.length > 1 ? 's' : ''} ${first.join(', ')}` : ''}: CPython may refuse it, or run code the parser did not read${hits.length > 0 ? `; token scan of those lines found ${describeHits(hits)}` : ''}`,
    evidence: `${label}: ${hits.length > 0 ? describeHits(hits) : `syntax errors near line ${first.join(', ')}`}`,
    ...(first[0] === undefined ? {} : { line: first[0] }),
  };
}
