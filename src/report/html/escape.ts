/**
 * HTML built with a tagged template that escapes every interpolated value unless it is already `Html`.
 * Model files carry attacker-chosen names, messages and evidence: nothing reaches the page unescaped.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** What may be interpolated: `false`, null and undefined render nothing (for `${cond && html`…`}`). */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Control, format (bidi overrides, zero-width), line/paragraph separator and lone surrogate code
 * points, except tab, LF and CR: shown as `[U+202E]` instead of obeyed, so a name cannot reorder
 * itself on screen (`evil‮lmth.pkl`) or hide characters.
 */
const INVISIBLE = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s
    .replace(/[&<>"'`]/g, (c) => ENTITIES[c] as string)
    .replace(INVISIBLE, (c) => `[U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

function render(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/** `html\`<p>${text}</p>\``: literal parts kept, values escaped (arrays joined, `Html` kept as is). */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}
