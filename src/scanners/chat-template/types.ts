import type { Severity } from '../../core/severity.js';

/** What a chat-template finding is about; each kind maps to one `chat-template/…` rule. */
export type TemplateFindingKind =
  /** Sandbox escape / SSTI gadget (T62). */
  | 'injection'
  /** The template parser cannot read it (fail closed: the token and text checks ran instead). */
  | 'unparsable'
  /** Longer than maxTemplateBytes: only the first part was analysed. */
  | 'too-large'
  /** Literal text that instructs the model behind the user's back (T63). */
  | 'hidden-instruction';

export interface TemplateFinding {
  kind: TemplateFindingKind;
  severity: Severity;
  message: string;
  /** The offending expression re-printed from the AST, or the tokens / text around the match. */
  evidence: string;
}

/** Named limits of the template analysis; each comment names the attack it stops. */
export interface ChatTemplateLimits {
  /** Characters of a template analysed (real chat templates stay under ~40 KB). CWE-400. */
  maxTemplateChars: number;
  /** Length of a string built by constant folding (`'a' * 10**9`). CWE-400/CWE-789. */
  maxFoldLength: number;
  /** AST nodes walked. CWE-400. */
  maxNodes: number;
  /** Findings per template before the rest are summarised. CWE-400. */
  maxFindings: number;
  /** Characters of evidence per finding. */
  maxEvidenceChars: number;
}

export const CHAT_TEMPLATE_LIMITS: ChatTemplateLimits = {
  maxTemplateChars: 1 << 20,
  maxFoldLength: 4096,
  maxNodes: 2_000_000,
  maxFindings: 50,
  maxEvidenceChars: 200,
};
