import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP, THREAT_IDS } from '../../core/taxonomy.js';
import type { TemplateFindingKind } from './types.js';

/**
 * Rules of the chat-template analysis, shared by every carrier of a Jinja chat template (GGUF
 * `tokenizer.chat_template*`, `tokenizer_config.json` `chat_template`); the finding's message and
 * location say which one.
 */
export const CHAT_TEMPLATE_RULES = defineRules({
  'chat-template/injection': {
    title: 'Chat template contains a Jinja sandbox escape',
    description:
      'The chat template walks Python object internals (`__class__`, `__mro__`, `__subclasses__`, `__globals__`, `__builtins__`, `cycler.__init__.__globals__`, `self._TemplateReference__context`, `|attr(…)` with dunder names, names glued from pieces). Rendered by an unsandboxed Jinja2 environment (llama-cpp-python before 0.2.72, CVE-2024-34359; litellm; custom servers) it runs commands when the first chat is formatted (T62).',
    severity: 'critical',
    cwe: [CWE.templateInjection, CWE.codeInjection],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel, ATLAS.commandInterpreter],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
    remediation:
      'Do not serve the model. Replace the chat template with the publisher’s original (or a known template such as ChatML) and render templates only in a sandboxed environment (jinja2.sandbox.ImmutableSandboxedEnvironment).',
  },
  'chat-template/unparsable': {
    title: 'Chat template cannot be parsed',
    description:
      'The template parser refuses the chat template (syntax @huggingface/jinja lacks, such as {% raw %}, {% include %} or {% with %}, or broken syntax). It was scanned token by token or as raw text instead, which is less precise (fail closed).',
    severity: 'medium',
    cwe: [CWE.templateInjection, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Review the template by hand before serving the model; chat templates rarely need more than if/for/set/macro.',
  },
  'chat-template/too-large': {
    title: 'Chat template is unusually large',
    description:
      'The chat template is longer than the analysis limit (real templates stay under ~40 KB); only its first part was analysed.',
    severity: 'medium',
    cwe: [CWE.resourceConsumption],
    ...THREAT_IDS.supplyChain,
    remediation: 'Review the template by hand; raise the limit to analyse it fully.',
  },
  'chat-template/hidden-instruction': {
    title: 'Chat template injects instructions of its own',
    description:
      'Literal text in the template instructs the model against the user (ignore previous instructions, hide things from the user, send data elsewhere, run shell commands), or is printed only when a message contains a trigger string: a prompt-level backdoor that needs no code execution (T63). Phrase-based, so the absence of this finding does not prove a template benign.',
    severity: 'medium',
    cwe: [CWE.llmPromptInjection],
    atlas: [ATLAS.llmPromptInjection, ATLAS.supplyChainModel],
    owasp: [OWASP.llmPromptInjection, OWASP.llmSupplyChain],
    remediation:
      'Compare the template with the publisher’s original; remove text that the model’s documented prompt format does not contain.',
  },
});

type ChatTemplateRule = (typeof CHAT_TEMPLATE_RULES)[keyof typeof CHAT_TEMPLATE_RULES];

/** The rule each kind of template finding is reported under. */
export const CHAT_TEMPLATE_RULE_OF: Record<TemplateFindingKind, ChatTemplateRule> = {
  injection: CHAT_TEMPLATE_RULES['chat-template/injection'],
  unparsable: CHAT_TEMPLATE_RULES['chat-template/unparsable'],
  'too-large': CHAT_TEMPLATE_RULES['chat-template/too-large'],
  'hidden-instruction': CHAT_TEMPLATE_RULES['chat-template/hidden-instruction'],
};
