import type { ScanContext } from '../types.js';
import { analyzeChatTemplate } from './analyze.js';
import { CHAT_TEMPLATE_RULE_OF } from './rules.js';
import { CHAT_TEMPLATE_LIMITS, type ChatTemplateLimits } from './types.js';

/**
 * Analyses one chat template and reports its findings through `ctx` under the `chat-template/…` rules.
 * `where` names the carrier in each message (e.g. `GGUF key 'tokenizer.chat_template'` or
 * `tokenizer_config.json chat_template`); `offset` locates the template in the current file.
 */
export async function reportChatTemplate(
  ctx: ScanContext,
  template: string,
  where: string,
  offset?: number,
  limits: ChatTemplateLimits = CHAT_TEMPLATE_LIMITS,
): Promise<void> {
  for (const f of await analyzeChatTemplate(template, limits)) {
    ctx.report(CHAT_TEMPLATE_RULE_OF[f.kind], {
      message: `${where}: ${f.message}`,
      severity: f.severity,
      ...(f.evidence === '' ? {} : { evidence: f.evidence }),
      ...(offset === undefined ? {} : { offset }),
    });
  }
}
