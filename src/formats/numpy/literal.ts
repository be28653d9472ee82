import { LimitError, MalformedError } from '../../core/errors.js';

/**
 * A tiny parser for the Python literals that appear in a `.npy` header (what numpy reads with
 * `ast.literal_eval`): dicts, lists, tuples, strings, ints, floats, True/False/None. Never evaluates.
 */
export type PyValue =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'tuple'; items: PyValue[] }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]> };

export const LITERAL_LIMITS = {
  /** Nesting of containers. Stops stack exhaustion from `[[[[…`. CWE-674. */
  maxDepth: 32,
} as const;

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseAll(): PyValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail(`unexpected '${this.s[this.i]}'`);
    return v;
  }

  private fail(msg: string): never {
    throw new MalformedError(`python literal at ${this.i}: ${msg}`, this.i);
  }
  private ws(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i] as string)) this.i++;
  }

  private value(depth: number): PyValue {
    if (depth > LITERAL_LIMITS.maxDepth)
      throw new LimitError(
        'maxDepth',
        `python literal nested deeper than ${LITERAL_LIMITS.maxDepth}`,
        this.i,
      );
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) this.fail('unexpected end');
    if (c === '{') return this.dict(depth);
    if (c === '[') return { kind: 'list', items: this.seq(']', depth) };
    if (c === '(') {
      const items = this.seq(')', depth, true);
      // `(x)` without a comma is just x; the tuple form is marked by the trailing comma.
      return items.single ? (items[0] as PyValue) : { kind: 'tuple', items };
    }
    if (c === "'" || c === '"') return { kind: 'str', value: this.str() };
    if ((c === 'u' || c === 'b') && (this.s[this.i + 1] === "'" || this.s[this.i + 1] === '"')) {
      this.i++;
      return { kind: 'str', value: this.str() };
    }
    const word = /^[A-Za-z_]+/.exec(this.s.slice(this.i, this.i + 8))?.[0];
    if (word === 'True' || word === 'False') {
      this.i += word.length;
      return { kind: 'bool', value: word === 'True' };
    }
    if (word === 'None') {
      this.i += 4;
      return { kind: 'none' };
    }
    return this.num();
  }

  private dict(depth: number): PyValue {
    this.i++;
    const entries: Array<[PyValue, PyValue]> = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return { kind: 'dict', entries };
      }
      const k = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      entries.push([k, this.value(depth + 1)]);
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail("expected ',' or '}'");
    }
  }

  private seq(close: string, depth: number, tuple = false): PyValue[] & { single?: boolean } {
    this.i++;
    const items: PyValue[] & { single?: boolean } = [];
    let trailingComma = false;
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        if (tuple && items.length === 1 && !trailingComma) items.single = true;
        return items;
      }
      items.push(this.value(depth + 1));
      this.ws();
      trailingComma = false;
      if (this.s[this.i] === ',') {
        this.i++;
        trailingComma = true;
      } else if (this.s[this.i] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  private str(): string {
    const q = this.s[this.i];
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      this.i++;
      if (c === q) return out;
      if (c === '\\') {
        const e = this.s[this.i];
        if (e === undefined) this.fail('unterminated escape');
        this.i++;
        if (e === 'x' || e === 'u') {
          const n = e === 'x' ? 2 : 4;
          const hex = this.s.slice(this.i, this.i + n);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) this.fail('bad escape');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.i += n;
        } else out += ESCAPES[e] ?? `\\${e}`;
      } else out += c;
    }
  }

  private num(): PyValue {
    const m = /^[-+]?(\d[\d_]*)(\.\d*)?([eE][-+]?\d+)?[lL]?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) this.fail(`unexpected '${this.s[this.i]}'`);
    this.i += m[0].length;
    const text = m[0].replace(/[_lL]/g, '');
    if (m[2] !== undefined || m[3] !== undefined) return { kind: 'float', value: Number(text) };
    return { kind: 'int', value: BigInt(text) };
  }
}

/** Parses one Python literal; throws MalformedError/LimitError on anything else. */
export function parsePyLiteral(text: string): PyValue {
  return new Parser(text).parseAll();
}

/** `dict[key]` for string keys. */
export function dictGet(d: PyValue, key: string): PyValue | undefined {
  if (d.kind !== 'dict') return undefined;
  for (const [k, v] of d.entries) if (k.kind === 'str' && k.value === key) return v;
  return undefined;
}
