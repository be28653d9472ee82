/**
 * Literal text in a chat template that instructs the model against the user (T63: templates that
 * look benign but inject hidden instructions). Only phrasings that no published chat template uses
 * are matched, to keep false alarms near zero; a template can still hide instructions in words these
 * patterns do not know.
 */
const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [
    /\bignore\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding|system)\s+(?:instructions?|prompts?|messages?|rules|guidelines)/i,
    'tells the model to ignore earlier instructions',
  ],
  [
    /\bdisregard\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|system|safety)\b/i,
    'tells the model to disregard its instructions',
  ],
  [
    // "do not tell the user about function calls" is a real (Qwen3.5) template: only hiding the
    // template's own instructions counts.
    /\b(?:do\s+not|don't|never)\s+(?:tell|reveal|mention|disclose)\s+(?:to\s+)?(?:the\s+user\s+)?(?:about\s+)?(?:this|these|the\s+above)\s+(?:hidden\s+|secret\s+)?(?:instructions?|rules?|directives?|messages?)\b/i,
    'tells the model to hide its instructions from the user',
  ],
  [
    /\bwithout\s+(?:telling|informing|notifying|alerting)\s+(?:the\s+)?user\b/i,
    'acts behind the user’s back',
  ],
  [
    /\b(?:secretly|covertly|silently)\s+(?:add|insert|include|append|send|run|execute|recommend|call|mention)\b/i,
    'asks the model to act secretly',
  ],
  [/\bexfiltrat\w*/i, 'mentions exfiltration'],
  [
    /\b(?:send|post|upload|forward|leak)\s+(?:all\s+|the\s+|any\s+)?(?:user'?s?\s+)?(?:conversation|chat|messages?|history|data|credentials?|api[\s_-]?keys?|passwords?|secrets?|tokens?)\s+to\b/i,
    'asks the model to send user data somewhere',
  ],
  [/\b(?:curl|wget)\s+(?:-\S+\s+)*https?:\/\//i, 'contains a download command'],
  [
    /(?:\brm\s+-rf\s|\bchmod\s+\+x\b|\/bin\/(?:ba)?sh\b|\bpowershell(?:\.exe)?\s+-)/i,
    'contains a shell command',
  ],
];

/** The first instruction-like phrase in `text`, with an excerpt around it. */
export function instructionIn(text: string): { why: string; excerpt: string } | undefined {
  for (const [re, why] of PATTERNS) {
    const m = re.exec(text);
    if (m === null) continue;
    const from = Math.max(0, m.index - 60);
    const to = Math.min(text.length, m.index + m[0].length + 80);
    const excerpt = `${from > 0 ? '…' : ''}${text.slice(from, to).replace(/\s+/g, ' ')}${to < text.length ? '…' : ''}`;
    return { why, excerpt };
  }
  return undefined;
}
