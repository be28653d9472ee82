/**
 * Fallback for Python text the parser could not (fully) read: line-by-line patterns for the calls that
 * matter most. Coarse by design — it only decides how loudly an unanalysable file is reported.
 */
const TOKENS: readonly (readonly [RegExp, string])[] = [
  [/\bos\s*\.\s*(system|popen|exec\w*|spawn\w*|fork)\b/, 'os process call'],
  [/\bsubprocess\b/, 'subprocess'],
  [/\bpty\s*\.\s*spawn\b/, 'pty.spawn'],
  [/(^|[^.\w])(exec|eval|execfile)\s*\(/, 'exec/eval'],
  [/\b__import__\s*\(/, '__import__'],
  [/\bimport_module\s*\(/, 'importlib.import_module'],
  [/\bsocket\b/, 'socket'],
  [/\b(urllib|requests|http\.client|httpx|aiohttp)\b/, 'HTTP client'],
  [/\bctypes\b/, 'ctypes'],
  [/\bmarshal\s*\.\s*loads?\b/, 'marshal.loads'],
  [/\b(pickle|dill|cloudpickle|joblib)\s*\.\s*loads?\b/, 'unpickling'],
  [/\bb64decode\b|\bunhexlify\b|\bfromhex\b|\bzlib\s*\.\s*decompress\b/, 'payload decoding'],
  [/\bpip\b.*\binstall\b/, 'pip install'],
];

export interface TokenHit {
  /** 1-based line. */
  line: number;
  label: string;
}

/** Up to `max` hits, one per line (first matching pattern). */
export function tokenScan(text: string, max: number): TokenHit[] {
  const hits: TokenHit[] = [];
  let line = 1;
  let start = 0;
  while (start <= text.length && hits.length < max) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // Very long lines (minified payloads) are matched on their first 64 KiB.
    const s = text.slice(start, Math.min(end, start + 65_536));
    for (const [re, label] of TOKENS) {
      if (re.test(s)) {
        hits.push({ line, label });
        break;
      }
    }
    start = end + 1;
    line++;
  }
  return hits;
}

/** "os process call (line 3), subprocess (lines 5, 9) …" */
export function describeHits(hits: readonly TokenHit[]): string {
  const by = new Map<string, number[]>();
  for (const h of hits) by.set(h.label, [...(by.get(h.label) ?? []), h.line]);
  return [...by]
    .map(
      ([label, lines]) =>
        `${label} (line${lines.length > 1 ? 's' : ''} ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', …' : ''})`,
    )
    .join(', ');
}
