/**
 * A strict JSON reader for safetensors headers, as strict as serde_json (which the reference Rust
 * loader, and through it Python's `safetensors`, uses): RFC 8259 grammar only, no control characters
 * in strings, no lone surrogates, bounded nesting. Unlike JSON.parse it reports duplicate keys (where
 * parsers disagree: serde and Python keep the last copy, others the first) and keeps integers exact.
 * The top-level object is read entry by entry, so a header of millions of entries costs no tree.
 */
import { LimitError, MalformedError } from '../../core/errors.js';

export type JsonValue =
  | { t: 'obj'; entries: JsonEntry[]; at: number }
  | { t: 'arr'; items: JsonValue[]; at: number }
  | { t: 'str'; v: string; at: number }
  /** `int` is set (exact) when the number has no fraction or exponent. */
  | { t: 'num'; text: string; int: bigint | undefined; at: number }
  | { t: 'bool'; v: boolean; at: number }
  | { t: 'null'; at: number };

export interface JsonEntry {
  key: string;
  value: JsonValue;
  /** Character index of the key's opening quote. */
  at: number;
}

/** A key seen twice in one object (nested objects included). */
export interface JsonDuplicate {
  /** Keys leading to the object, outermost first (empty for the top level). */
  path: string[];
  key: string;
  /** Character index of the second copy. */
  at: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** Stand-in for integers too long to matter exactly (beyond any u64). */
const HUGE = 10n ** 40n;

/** Parse failure: invalid JSON (the reference loader refuses the file). */
export class JsonSyntaxError extends MalformedError {
  constructor(message: string, at: number) {
    super(message, at);
    this.name = 'JsonSyntaxError';
  }
}

export class StrictJson {
  private i = 0;
  readonly duplicates: JsonDuplicate[] = [];
  private readonly path: string[] = [];

  constructor(
    readonly text: string,
    /** Nesting depth allowed (serde_json's default recursion limit is 128). CWE-674. */
    private readonly maxDepth: number,
    /** Duplicate keys recorded before the rest are only counted. CWE-400. */
    private readonly maxDuplicates = 1000,
  ) {}

  /** Duplicate keys found beyond maxDuplicates. */
  droppedDuplicates = 0;

  get pos(): number {
    return this.i;
  }

  private fail(what: string, at = this.i): never {
    const near = JSON.stringify(this.text.slice(at, at + 24));
    throw new JsonSyntaxError(`${what} at character ${at} (near ${near})`, at);
  }

  skipWs(): void {
    const s = this.text;
    while (this.i < s.length && WS.has(s.charCodeAt(this.i))) this.i++;
  }

  /** Expects the end of the text after optional whitespace. */
  expectEnd(): void {
    this.skipWs();
    if (this.i !== this.text.length) this.fail('trailing characters after the JSON value');
  }

  /**
   * Reads the top-level object, calling `onEntry` for each member in order; values are parsed one at
   * a time and not kept by the reader.
   */
  readTopObject(onEntry: (key: string, keyAt: number, value: JsonValue) => void): number {
    this.skipWs();
    if (this.text.charCodeAt(this.i) !== 0x7b) this.fail("expected '{' (the header must be a JSON object)");
    this.i++;
    const seen = new Set<string>();
    let n = 0;
    this.skipWs();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return 0;
    }
    for (;;) {
      this.skipWs();
      const keyAt = this.i;
      const key = this.readString();
      this.noteKey(seen, key, keyAt);
      this.colon();
      this.path.push(key);
      const value = this.readValue(1);
      this.path.pop();
      onEntry(key, keyAt, value);
      n++;
      if (this.commaOrClose(0x7d)) return n;
    }
  }

  private noteKey(seen: Set<string>, key: string, at: number): void {
    if (!seen.has(key)) {
      seen.add(key);
      return;
    }
    if (this.duplicates.length < this.maxDuplicates) this.duplicates.push({ path: [...this.path], key, at });
    else this.droppedDuplicates++;
  }

  private colon(): void {
    this.skipWs();
    if (this.text.charCodeAt(this.i) !== 0x3a) this.fail("expected ':'");
    this.i++;
  }

  /** After a member: true at the closing bracket, false after a comma. */
  private commaOrClose(close: number): boolean {
    this.skipWs();
    const c = this.text.charCodeAt(this.i);
    if (c === 0x2c) {
      this.i++;
      return false;
    }
    if (c === close) {
      this.i++;
      return true;
    }
    return this.fail(`expected ',' or '${String.fromCharCode(close)}'`);
  }

  readValue(depth: number): JsonValue {
    if (depth > this.maxDepth)
      throw new LimitError('maxJsonDepth', `JSON nested deeper than ${this.maxDepth} levels`, this.i);
    this.skipWs();
    const at = this.i;
    const c = this.text.charCodeAt(at);
    switch (c) {
      case 0x7b:
        return this.readObject(depth, at);
      case 0x5b:
        return this.readArray(depth, at);
      case 0x22:
        return { t: 'str', v: this.readString(), at };
      case 0x74:
        return this.literal('true', { t: 'bool', v: true, at });
      case 0x66:
        return this.literal('false', { t: 'bool', v: false, at });
      case 0x6e:
        return this.literal('null', { t: 'null', at });
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.readNumber(at);
        return this.fail(Number.isNaN(c) ? 'unexpected end of the header' : 'unexpected character');
    }
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.i)) this.fail(`invalid literal (expected ${word})`);
    this.i += word.length;
    return v;
  }

  private readObject(depth: number, at: number): JsonValue {
    this.i++;
    const entries: JsonEntry[] = [];
    const seen = new Set<string>();
    this.skipWs();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return { t: 'obj', entries, at };
    }
    for (;;) {
      this.skipWs();
      const keyAt = this.i;
      const key = this.readString();
      this.noteKey(seen, key, keyAt);
      this.colon();
      this.path.push(key);
      const value = this.readValue(depth + 1);
      this.path.pop();
      entries.push({ key, value, at: keyAt });
      if (this.commaOrClose(0x7d)) return { t: 'obj', entries, at };
    }
  }

  private readArray(depth: number, at: number): JsonValue {
    this.i++;
    const items: JsonValue[] = [];
    this.skipWs();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return { t: 'arr', items, at };
    }
    for (;;) {
      items.push(this.readValue(depth + 1));
      if (this.commaOrClose(0x5d)) return { t: 'arr', items, at };
    }
  }

  private readNumber(at: number): JsonValue {
    const s = this.text;
    let j = at;
    if (s.charCodeAt(j) === 0x2d) j++;
    const digit = (k: number): boolean => {
      const c = s.charCodeAt(k);
      return c >= 0x30 && c <= 0x39;
    };
    if (s.charCodeAt(j) === 0x30) j++;
    else if (digit(j)) while (digit(j)) j++;
    else this.fail('invalid number', j);
    let integral = true;
    if (s.charCodeAt(j) === 0x2e) {
      integral = false;
      j++;
      if (!digit(j)) this.fail('invalid number: digit expected after the decimal point', j);
      while (digit(j)) j++;
    }
    const e = s.charCodeAt(j);
    if (e === 0x65 || e === 0x45) {
      integral = false;
      j++;
      const sign = s.charCodeAt(j);
      if (sign === 0x2b || sign === 0x2d) j++;
      if (!digit(j)) this.fail('invalid number: digit expected in the exponent', j);
      while (digit(j)) j++;
    }
    const text = s.slice(at, j);
    this.i = j;
    // Integers longer than 40 characters exceed u64 anyway: a placeholder of the right sign avoids
    // BigInt parsing megabytes of digits (superlinear).
    let int: bigint | undefined;
    if (integral) int = text.length <= 40 ? BigInt(text) : text.startsWith('-') ? -HUGE : HUGE;
    return { t: 'num', text, int, at };
  }

  /** A string at the cursor; serde_json rejects raw control characters and lone surrogate escapes. */
  readString(): string {
    const s = this.text;
    if (s.charCodeAt(this.i) !== 0x22) this.fail('expected a string');
    let j = this.i + 1;
    let out = '';
    let chunk = j;
    for (;;) {
      if (j >= s.length) this.fail('unterminated string', this.i);
      const c = s.charCodeAt(j);
      if (c === 0x22) {
        out += s.slice(chunk, j);
        this.i = j + 1;
        return out;
      }
      if (c < 0x20) this.fail('control character in a string', j);
      if (c !== 0x5c) {
        j++;
        continue;
      }
      out += s.slice(chunk, j);
      const esc = s.charCodeAt(j + 1);
      j += 2;
      switch (esc) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hi = this.hex4(j);
          j += 4;
          if (hi >= 0xd800 && hi <= 0xdbff) {
            if (s.charCodeAt(j) !== 0x5c || s.charCodeAt(j + 1) !== 0x75)
              this.fail('lone leading surrogate in a \\u escape', j);
            const lo = this.hex4(j + 2);
            if (lo < 0xdc00 || lo > 0xdfff) this.fail('invalid trailing surrogate in a \\u escape', j);
            j += 6;
            out += String.fromCharCode(hi, lo);
          } else if (hi >= 0xdc00 && hi <= 0xdfff) {
            this.fail('lone trailing surrogate in a \\u escape', j);
          } else out += String.fromCharCode(hi);
          break;
        }
        default:
          this.fail('invalid escape in a string', j - 2);
      }
      chunk = j;
    }
  }

  private hex4(at: number): number {
    const h = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape', at);
    return Number.parseInt(h, 16);
  }
}

/** Short, single-line excerpt of the text at a position (for evidence). */
export function excerpt(text: string, at: number, max = 160): string {
  const s = text.slice(at, at + max).replace(/\s+/g, ' ');
  return at + max < text.length ? `${s}…` : s;
}
