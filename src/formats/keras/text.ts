import type { KerasConfigLimits } from './limits.js';

/** A config text parsed as Python's `json.loads` would, or why it could not be. */
export type ParsedConfig =
  | { ok: true; value: unknown; nonFinite: boolean }
  | { ok: false; reason: 'too-large' | 'not-json'; message: string; pythonTags: string[] };

/** `NaN`, `Infinity`, `-Infinity` outside strings: Python's json writes and reads them, JSON.parse does not. */
const NON_FINITE = /"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g;

/**
 * Parses a Keras config text. JSON first (V8's parser is iterative: deep nesting cannot overflow the
 * stack); then the same text with Python's non-finite literals made null. A text that is not JSON is
 * searched for YAML `python/` tags (legacy `model_from_yaml` used `yaml.unsafe_load`, T58).
 */
export function parseConfigText(
  text: string,
  limits: Pick<KerasConfigLimits, 'maxConfigBytes'>,
): ParsedConfig {
  if (text.length > limits.maxConfigBytes) {
    return {
      ok: false,
      reason: 'too-large',
      message: `config of ${text.length} characters exceeds maxConfigBytes ${limits.maxConfigBytes}`,
      pythonTags: [],
    };
  }
  try {
    return { ok: true, value: JSON.parse(text), nonFinite: false };
  } catch (first) {
    if (/NaN|Infinity/.test(text)) {
      try {
        const fixed = text.replace(NON_FINITE, (m, bare: string | undefined) =>
          bare === undefined ? m : 'null',
        );
        return { ok: true, value: JSON.parse(fixed), nonFinite: true };
      } catch {
        // fall through with the first error
      }
    }
    return {
      ok: false,
      reason: 'not-json',
      message: (first as Error).message,
      pythonTags: findPythonYamlTags(text),
    };
  }
}

const CORE_PREFIX = 'tag:yaml.org,2002:';
const PYTHON_PREFIX = `${CORE_PREFIX}python/`;

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * YAML tags that make PyYAML's unsafe loaders import or call Python objects (`!!python/object/apply:
 * os.system`, `!!python/name:`, `!!python/module:` …), as PyYAML resolves them: `!!` and `%TAG`
 * handles expanded, verbatim `!<…>` tags, %-escapes decoded. Quoted scalars are skipped. At most `max`.
 */
export function findPythonYamlTags(text: string, max = 20): string[] {
  const handles = new Map<string, string>([['!!', CORE_PREFIX]]);
  for (const m of text.matchAll(/^%TAG[ \t]+(!(?:[A-Za-z0-9-]*!)?)[ \t]+(\S+)/gm))
    handles.set(m[1] as string, m[2] as string);
  const out: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    if (out.length >= max) break;
    if (rawLine.startsWith('%')) continue;
    const line = rawLine.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, '""').replace(/(^|\s)#.*$/, '$1');
    for (const m of line.matchAll(/(?:^|[\s[{,:?-])(!(?:<[^>]*>|[^\s,[\]{}]*))/g)) {
      const tag = m[1] as string;
      let resolved: string;
      if (tag.startsWith('!<')) resolved = tag.slice(2, -1);
      else {
        const h = /^(!(?:[A-Za-z0-9-]*!)?)(.*)$/.exec(tag);
        const handle = h?.[1] ?? '!';
        const prefix = handles.get(handle);
        resolved = prefix === undefined ? tag : prefix + (h?.[2] ?? '');
      }
      resolved = percentDecode(resolved);
      if (resolved.startsWith(PYTHON_PREFIX)) {
        out.push(`!!python/${resolved.slice(PYTHON_PREFIX.length)}`);
        if (out.length >= max) break;
      }
    }
  }
  return out;
}
