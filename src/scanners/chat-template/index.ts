export { analyzeChatTemplate, analyzeChatTemplateWith, type JinjaModule, loadJinja } from './analyze.js';
export { instructionIn } from './instructions.js';
export { attributeVerdict, GADGET_DUNDERS, gadgetIn, identifierVerdict } from './names.js';
export { reportChatTemplate } from './report.js';
export { CHAT_TEMPLATE_RULE_OF, CHAT_TEMPLATE_RULES } from './rules.js';
export {
  CHAT_TEMPLATE_LIMITS,
  type ChatTemplateLimits,
  type TemplateFinding,
  type TemplateFindingKind,
} from './types.js';
