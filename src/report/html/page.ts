import { createHash } from 'node:crypto';
import { escapeHtml, type Html } from './escape.js';

/**
 * The policy every modelguard page carries: nothing may load from anywhere (no network, no frames, no
 * forms); images only as data: URIs; the page's own style and script are allowed by hash.
 */
export const CSP_BASE = "default-src 'none'; base-uri 'none'; form-action 'none'; img-src data:";

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

export interface PageParts {
  readonly title: string;
  readonly version: string;
  readonly styles: string;
  /** Inline script, allowed by its hash; none when the page needs none. */
  readonly script?: string;
  readonly body: Html;
}

/** One self-contained HTML page: strict CSP, inline style (and script) allowed by hash, escaped title. */
export function htmlPage(p: PageParts): string {
  const csp = `${CSP_BASE}; style-src ${cspHash(p.styles)}${p.script === undefined ? '' : `; script-src ${cspHash(p.script)}`}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="modelguard ${escapeHtml(p.version)}">
<title>${escapeHtml(p.title)}</title>
<style>${p.styles}</style>
</head>
<body>
${p.body.text}
${p.script === undefined ? '' : `<script>${p.script}</script>\n`}</body>
</html>
`;
}
