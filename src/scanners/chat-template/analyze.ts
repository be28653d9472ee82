import { errorMessage } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import { severityRank } from '../../core/severity.js';
import { isNode } from './print.js';
import { analyzeText } from './text.js';
import { analyzeTokens, type TokenLike } from './tokens.js';
import { CHAT_TEMPLATE_LIMITS, type ChatTemplateLimits, type TemplateFinding } from './types.js';
import { analyzeAst } from './walk.js';

/** The parts of @huggingface/jinja the analysis uses. */
export interface JinjaModule {
  tokenize(source: string): TokenLike[];
  parse(tokens: TokenLike[]): unknown;
}

let jinja: Promise<JinjaModule> | undefined;

/** Loads @huggingface/jinja once, on first use (scans without chat templates never pay for it). */
export function loadJinja(): Promise<JinjaModule> {
  jinja ??= import('@huggingface/jinja').then((m) => ({
    tokenize: (s) => m.tokenize(s),
    parse: (t) => m.parse(t as Parameters<typeof m.parse>[0]),
  }));
  return jinja;
}

/**
 * Statically analyses a Jinja chat template (GGUF `tokenizer.chat_template`, `tokenizer_config.json`
 * `chat_template`, any template a loader renders with Jinja2) without rendering it:
 *
 * - parses it with @huggingface/jinja and walks the AST for server-side template injection (T62):
 *   dunder and private attributes (`__class__`, `__globals__`, `_TemplateReference__context` …),
 *   attribute access on Jinja globals (`cycler`, `joiner`, `namespace`, `lipsum`, `range`, `dict`,
 *   `self`), `|attr(…)` / `map('attr', …)` with dangerous or computed names, names assembled from pieces
 *   (`'__cla' + 'ss__'`, `|join`, `[::-1]`, `%c` formatting, `{% set %}` variables), `str.format` fields
 *   with attribute access, `request`/`config`, `os`/`popen`/`system`/`subprocess`/`eval` names;
 * - flags literal text that instructs the model against the user, or is printed only when a message
 *   contains a trigger string (T63, `hidden-instruction`, medium, phrase-based: low false positives,
 *   not exhaustive);
 * - fails closed: a template the parser refuses is `unparsable` (medium) and is scanned token by token,
 *   or as raw text when even the tokenizer fails; escape-encoded identifiers are found in the raw text.
 *
 * Never throws for any input; the result is one finding per offending top-level expression, its
 * evidence the expression re-printed. Map kinds to rules with `CHAT_TEMPLATE_RULE_OF`.
 */
export async function analyzeChatTemplate(
  source: string,
  limits: ChatTemplateLimits = CHAT_TEMPLATE_LIMITS,
): Promise<TemplateFinding[]> {
  return analyzeChatTemplateWith(await loadJinja(), source, limits);
}

/** analyzeChatTemplate with an already loaded parser (synchronous). */
export function analyzeChatTemplateWith(
  j: JinjaModule,
  source: string,
  limits: ChatTemplateLimits = CHAT_TEMPLATE_LIMITS,
): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  let src = source;
  if (src.length > limits.maxTemplateChars) {
    findings.push({
      kind: 'too-large',
      severity: 'medium',
      message: `chat template of ${fmtInt(source.length)} characters is longer than maxTemplateChars (${fmtInt(limits.maxTemplateChars)}); only the first part was analysed`,
      evidence: source.slice(0, 80),
    });
    src = src.slice(0, limits.maxTemplateChars);
  }
  let tokens: TokenLike[] | undefined;
  let program: unknown;
  let failure: string | undefined;
  try {
    tokens = j.tokenize(src);
    program = j.parse(tokens);
  } catch (e) {
    // Any error, a RangeError from deep recursion included: the parser could not read the template.
    failure = errorMessage(e);
  }
  let parsed = false;
  let walked: ReturnType<typeof analyzeAst> | undefined;
  if (failure === undefined && isNode(program)) {
    try {
      walked = analyzeAst(program, limits);
    } catch (e) {
      // Defensive: an AST shape the walk did not expect. Fail closed to the token scan below.
      failure = `analysis failed: ${errorMessage(e)}`;
    }
  }
  if (walked !== undefined) {
    const r = walked;
    findings.push(...r.findings);
    parsed = !r.truncated;
    if (r.truncated)
      findings.push({
        kind: 'too-large',
        severity: 'medium',
        message: `chat template has more than maxNodes (${fmtInt(limits.maxNodes)}) syntax nodes; the rest was not analysed`,
        evidence: src.slice(0, 80),
      });
  } else {
    findings.push({
      kind: 'unparsable',
      severity: 'medium',
      message: `chat template cannot be parsed (${tokens === undefined ? 'tokenizer' : 'parser'}: ${failure ?? 'no program'}); it was scanned ${tokens === undefined ? 'as raw text' : 'token by token'}`,
      evidence: (failure ?? '').slice(0, limits.maxEvidenceChars),
    });
    if (tokens !== undefined) findings.push(...analyzeTokens(tokens, limits));
  }
  const reportedCritical = findings.some((f) => f.severity === 'critical');
  findings.push(...analyzeText(src, { parsed, reportedCritical }));
  if (findings.length <= limits.maxFindings) return findings;
  const kept = [...findings]
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity))
    .slice(0, limits.maxFindings);
  kept.push({
    kind: 'injection',
    severity: 'info',
    message: `${fmtInt(findings.length - limits.maxFindings)} more chat-template findings were not listed`,
    evidence: '',
  });
  return kept;
}
