/** Typed reads of untrusted plain values (parsed YAML or JSON): wrong types read as absent. */

export type PlainObject = Readonly<Record<string, unknown>>;

export function isObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property only (a card's `constructor` key must not read Object.prototype.constructor). */
export function field(o: PlainObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** A non-empty string (numbers and booleans as text), trimmed and at most `max` characters. */
export function str(v: unknown, max: number): string | undefined {
  const s =
    typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  if (s === '') return undefined;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A string or a list of strings as a deduplicated list of at most `maxItems`. */
export function strList(v: unknown, maxItems: number, maxChars: number): string[] {
  const items = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of items) {
    if (out.length >= maxItems) break;
    const s = str(item, maxChars);
    if (s !== undefined && !out.includes(s)) out.push(s);
  }
  return out;
}

/** The array, or an empty one. */
export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}
