import { createColors } from 'picocolors';
import type { AuditReport } from '../../provenance/audit/types.js';
import { renderText } from '../text.js';
import { bomFacts } from './bom-facts.js';
import { signatureHeadline } from './signature-text.js';

export interface AuditTextOptions {
  color: boolean;
  /** Also show info findings of the scan. */
  verbose: boolean;
}

type Colors = ReturnType<typeof createColors>;

function heading(c: Colors, title: string): string {
  return c.bold(`── ${title} ${'─'.repeat(Math.max(3, 60 - title.length))}`);
}

function verdictLine(c: Colors, r: AuditReport): string {
  const word = r.verdict.toUpperCase();
  const painted = r.verdict === 'pass' ? c.green(word) : r.verdict === 'fail' ? c.red(word) : c.magenta(word);
  return `${c.bold(painted)}  ${r.target}`;
}

function signatureLines(c: Colors, r: AuditReport): string[] {
  const s = r.signature;
  const lines = [`  ${c.bold(s.status)}  ${signatureHeadline(s)}`];
  if ('signaturePath' in s && s.signaturePath !== null) lines.push(`  signature file: ${s.signaturePath}`);
  if ('result' in s) {
    lines.push(
      `  method: ${s.result.method ?? 'unknown'}${s.result.signer ? ` · signer: ${s.result.signer}` : ''}`,
    );
    lines.push(`  resources matched: ${s.result.checkedResources}`);
    for (const p of s.result.problems) {
      lines.push(
        `  ${c.red(p.kind.toUpperCase().padEnd(10))} ${p.resource ?? ''}${p.resource ? '  ' : ''}${p.message}`,
      );
    }
    for (const w of s.result.warnings) lines.push(`  ${c.dim(`note: ${w}`)}`);
  }
  return lines;
}

/** Human-readable audit: the verdict and its reasons first, then findings, signature and BOM summary. */
export function renderAuditText(r: AuditReport, opts: AuditTextOptions): string {
  const c = createColors(opts.color);
  const out: string[] = [verdictLine(c, r)];
  for (const reason of r.reasons) out.push(`  ${r.verdict === 'pass' ? c.green('✓') : c.red('✗')} ${reason}`);
  for (const note of r.notes) out.push(`  ${c.dim(`· ${note}`)}`);
  out.push('', heading(c, 'Findings'));
  out.push(renderText(r.scan, { color: opts.color, verbose: opts.verbose, showSafe: false }).trimEnd());
  out.push('', heading(c, 'Signature'), ...signatureLines(c, r));
  out.push('', heading(c, 'Bill of materials'));
  if (r.bom === null) out.push(`  ${c.magenta('could not be built (see above)')}`);
  else for (const [k, v] of bomFacts(r.bom.summary)) out.push(`  ${`${k}:`.padEnd(16)} ${v}`);
  out.push('', c.dim(`modelguard ${r.tool.version} · audit in ${r.durationMs} ms · exit ${r.exitCode}`));
  return `${out.join('\n')}\n`;
}
