/**
 * Raw-text checks that run on every template, parsed or not: escape-encoded identifier characters
 * (`'\x5f\x5fclass\x5f\x5f'`, octal `'\137'`, `'\N{LOW LINE}'` — Jinja2 decodes them, and the octal and
 * named forms make @huggingface/jinja give up), and sandbox-escape gadget names anywhere in the text.
 */
import { gadgetIn } from './names.js';
import type { TemplateFinding } from './types.js';

const ESCAPE = /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[A-Za-z ]+\})/g;
const IDENT_CHAR = /^[A-Za-z0-9_]$/;

function decodeEscape(e: string): string | undefined {
  const body = e.slice(1);
  if (body.startsWith('N{')) return body === 'N{LOW LINE}' ? '_' : undefined;
  if (/^[0-7]/.test(body)) return String.fromCharCode(Number.parseInt(body, 8));
  const cp = Number.parseInt(body.slice(1), 16);
  return cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
}

function excerptAt(text: string, at: number, len: number): string {
  const from = Math.max(0, at - 40);
  const to = Math.min(text.length, at + len + 60);
  return `${from > 0 ? '…' : ''}${text.slice(from, to).replace(/\s+/g, ' ')}${to < text.length ? '…' : ''}`;
}

export function analyzeText(
  src: string,
  state: { parsed: boolean; reportedCritical: boolean },
): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  let encoded: { at: number; raw: string } | undefined;
  let named = false;
  const decoded = src.replace(ESCAPE, (m: string, _b: string, at: number) => {
    const d = decodeEscape(m);
    if (m.startsWith('\\N{')) named = true;
    if (d !== undefined && IDENT_CHAR.test(d) && encoded === undefined) encoded = { at, raw: m };
    return d ?? m;
  });
  if (encoded !== undefined || named) {
    const hidden = gadgetIn(decoded) ?? /__[A-Za-z]\w*__/.exec(decoded)?.[0];
    const at = encoded?.at ?? src.indexOf('\\N{');
    const visible = hidden !== undefined && !src.includes(hidden);
    findings.push({
      kind: 'injection',
      severity: visible ? 'critical' : 'high',
      message: visible
        ? `chat template spells '${hidden}' with escape sequences (obfuscated sandbox escape)`
        : `chat template writes identifier characters as escape sequences (${encoded?.raw ?? '\\N{…}'}): obfuscation no chat template needs`,
      evidence: excerptAt(src, at, 20),
    });
  }
  if (!state.reportedCritical) {
    const g = gadgetIn(src);
    if (g !== undefined)
      findings.push({
        kind: 'injection',
        severity: state.parsed ? 'medium' : 'critical',
        message: state.parsed
          ? `chat template mentions '${g}' outside its analysed code (template text or comment)`
          : `unparsable chat template names the sandbox-escape gadget '${g}'`,
        evidence: excerptAt(src, src.indexOf(g), g.length),
      });
  }
  return findings;
}
