/**
 * Sections of a model card's markdown that CycloneDX `modelCard.considerations` has a place for, found
 * by their headings (the Hugging Face card template's "Bias, Risks, and Limitations", "Direct Use" …).
 */

export type ConsiderationKind = 'technicalLimitations' | 'ethicalConsiderations' | 'useCases' | 'tradeoffs';

/**
 * Heading patterns, first match wins: "Intended uses & limitations" (the Hub's auto-generated card) is
 * about uses; "Bias, Risks, and Limitations" (the Hub's card template) is about limitations.
 */
const SECTION_RULES: readonly (readonly [RegExp, ConsiderationKind])[] = [
  [/\b(?:intended|direct|downstream)\s+uses?\b|\buse[- ]cases?\b|^uses$/i, 'useCases'],
  [/limitation/i, 'technicalLimitations'],
  [/\b(?:bias|risks?|ethic|fairness|harm)/i, 'ethicalConsiderations'],
  [/trade-?offs?/i, 'tradeoffs'],
];

export interface CardSection {
  readonly kind: ConsiderationKind;
  readonly heading: string;
  readonly text: string;
}

/** Text the card template leaves in sections nobody filled in. */
const PLACEHOLDER =
  /^\s*(?:\[?more information needed\]?|\[?needs more information\]?|n\/?a|tbd|todo)\.?\s*$/i;

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^\s*(```|~~~)/;

/**
 * Sections whose heading matches a rule; a section runs to the next heading of the same or a higher
 * level, so "## Bias, Risks, and Limitations" keeps its "### Recommendations". Text is capped.
 */
export function cardSections(markdown: string, maxChars: number): CardSection[] {
  const lines = markdown.split(/\r?\n/);
  const out: CardSection[] = [];
  let open: { kind: ConsiderationKind; heading: string; level: number; lines: string[] } | undefined;
  let fenced = false;
  const close = (): void => {
    if (open === undefined) return;
    const text = clip(open.lines.join('\n').trim(), maxChars);
    if (text !== '' && !PLACEHOLDER.test(text)) out.push({ kind: open.kind, heading: open.heading, text });
    open = undefined;
  };
  for (const line of lines) {
    if (FENCE.test(line)) fenced = !fenced;
    const h = fenced ? null : HEADING.exec(line);
    if (h !== null) {
      const level = (h[1] as string).length;
      const heading = (h[2] as string).replace(/[*_`]/g, '').trim();
      if (open !== undefined && level <= open.level) close();
      if (open === undefined) {
        const rule = SECTION_RULES.find(([re]) => re.test(heading));
        if (rule !== undefined) open = { kind: rule[1], heading, level, lines: [] };
        continue;
      }
    }
    open?.lines.push(line);
  }
  close();
  return out;
}

/** At most `max` characters, with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
