import { inflateSync } from 'node:zlib';
import type { Node } from './parser.js';

/**
 * Constant folding of the expressions obfuscated loaders build names and payloads from:
 * `'sys' + 'tem'`, `''.join([...])`, `'metsys'[::-1]`, `chr(111) + chr(115)`, `bytes.fromhex(...)`,
 * `base64.b64decode('...').decode()`, `zlib.decompress(...)`, `codecs.decode(s, 'rot13')`.
 */
export type Const = string | Uint8Array | number | readonly Const[];

export interface FoldHost {
  /** Qualified names a callee may resolve to (`base64.b64decode`). */
  qualifiedNames(node: Node): readonly string[];
  /** The constant bound to a module-level name, if exactly one. */
  constOf(name: string): Const | undefined;
  readonly maxChars: number;
}

const MAX_FOLD_DEPTH = 48;
const MAX_LIST = 65_536;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

/** Decodes Python backslash escapes of a non-raw literal body (`bytes` literals know no \u, \U, \N). */
export function unescapePython(body: string, bytes: boolean): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const n = body[i + 1] as string;
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4));
    if (oct) {
      out += String.fromCharCode(Number.parseInt(oct[0], 8) & (bytes ? 0xff : 0x1ff));
      i += oct[0].length;
      continue;
    }
    const width = n === 'x' ? 2 : !bytes && n === 'u' ? 4 : !bytes && n === 'U' ? 8 : 0;
    const hex = width > 0 ? body.slice(i + 2, i + 2 + width) : '';
    if (width > 0 && hex.length === width && /^[0-9a-fA-F]+$/.test(hex)) {
      const cp = Number.parseInt(hex, 16);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      i += 1 + width;
      continue;
    }
    out += ch; // unknown escapes stay as written (Python keeps the backslash)
  }
  return out;
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function bytesToString(b: Uint8Array, encoding: string): string {
  const enc = encoding.toLowerCase().replace(/_/g, '-');
  if (enc === 'latin-1' || enc === 'latin1' || enc === 'iso-8859-1' || enc === 'ascii')
    return new TextDecoder('latin1').decode(b);
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

function base64Bytes(v: Const, urlsafe: boolean): Uint8Array | undefined {
  const s =
    typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder('latin1').decode(v) : undefined;
  if (s === undefined) return undefined;
  const clean = (urlsafe ? s.replace(/-/g, '+').replace(/_/g, '/') : s).replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

function hexBytes(v: Const): Uint8Array | undefined {
  const s =
    typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder('latin1').decode(v) : undefined;
  if (s === undefined) return undefined;
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

function concat(a: Const, b: Const): Const | undefined {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  return undefined;
}

function lengthOf(v: Const): number {
  return typeof v === 'number' ? 0 : v.length;
}

/** Folds constant expressions; undefined for anything not constant (or over the size limit). */
export class ConstFolder {
  constructor(private readonly host: FoldHost) {}

  fold(node: Node | null | undefined, depth = 0): Const | undefined {
    if (node === null || node === undefined || depth > MAX_FOLD_DEPTH) return undefined;
    const v = this.foldNode(node, depth + 1);
    if (v !== undefined && lengthOf(v) > this.host.maxChars) return undefined;
    return v;
  }

  /** The folded value as text (bytes read as latin-1), or undefined. */
  str(node: Node | null | undefined): string | undefined {
    const v = this.fold(node);
    if (typeof v === 'string') return v;
    if (v instanceof Uint8Array) return new TextDecoder('latin1').decode(v);
    return undefined;
  }

  private foldNode(node: Node, depth: number): Const | undefined {
    switch (node.type) {
      case 'string':
        return this.literal(node);
      case 'concatenated_string': {
        let acc: Const | undefined;
        for (const c of node.namedChildren) {
          const v = this.fold(c, depth);
          if (v === undefined) return undefined;
          acc = acc === undefined ? v : concat(acc, v);
          if (acc === undefined) return undefined;
        }
        return acc;
      }
      case 'integer': {
        const t = node.text.replace(/_/g, '').toLowerCase();
        const n = t.startsWith('0x')
          ? Number.parseInt(t.slice(2), 16)
          : t.startsWith('0o')
            ? Number.parseInt(t.slice(2), 8)
            : t.startsWith('0b')
              ? Number.parseInt(t.slice(2), 2)
              : Number(t);
        return Number.isSafeInteger(n) ? n : undefined;
      }
      case 'unary_operator': {
        const v = this.fold(node.childForFieldName('argument'), depth);
        const op = node.childForFieldName('operator')?.text;
        return typeof v === 'number' && op === '-' ? -v : undefined;
      }
      case 'parenthesized_expression':
        return this.fold(node.firstNamedChild, depth);
      case 'binary_operator':
        return this.binary(node, depth);
      case 'list':
      case 'tuple': {
        if (node.namedChildCount > MAX_LIST) return undefined;
        const out: Const[] = [];
        for (const c of node.namedChildren) {
          const v = this.fold(c, depth);
          if (v === undefined) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'identifier':
        return this.host.constOf(node.text);
      case 'subscript':
        return this.subscript(node, depth);
      case 'call':
        return this.call(node, depth);
      default:
        return undefined;
    }
  }

  private literal(node: Node): Const | undefined {
    let prefix = '';
    let body = '';
    for (const c of node.children) {
      if (c.type === 'string_start') prefix = c.text.replace(/['"]/g, '').toLowerCase();
      else if (c.type === 'string_content') body += c.text;
      else if (c.type === 'interpolation') return undefined;
    }
    const raw = prefix.includes('r');
    const isBytes = prefix.includes('b');
    let s = raw ? body : unescapePython(body, isBytes);
    if (prefix.includes('f')) s = s.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    return isBytes ? latin1(s) : s;
  }

  private binary(node: Node, depth: number): Const | undefined {
    const op = node.childForFieldName('operator')?.text;
    const a = this.fold(node.childForFieldName('left'), depth);
    if (a === undefined) return undefined;
    const b = this.fold(node.childForFieldName('right'), depth);
    if (b === undefined) return undefined;
    if (op === '+') return concat(a, b);
    if (op === '*') {
      const [s, n] = typeof a === 'number' ? [b, a] : [a, b];
      if (typeof s !== 'string' || typeof n !== 'number' || n < 0) return undefined;
      if (s.length * n > this.host.maxChars) return undefined;
      return s.repeat(n);
    }
    return undefined;
  }

  private subscript(node: Node, depth: number): Const | undefined {
    const v = this.fold(node.childForFieldName('value'), depth);
    if (v === undefined || typeof v === 'number') return undefined;
    const sub = node.childForFieldName('subscript');
    if (sub === null) return undefined;
    if (sub.type === 'slice') {
      if (sub.text.replace(/\s+/g, '') !== '::-1') return undefined;
      if (typeof v === 'string') return [...v].reverse().join('');
      if (v instanceof Uint8Array) return v.slice().reverse();
      return [...v].reverse();
    }
    const i = this.fold(sub, depth);
    if (typeof i !== 'number') return undefined;
    const at = i < 0 ? v.length + i : i;
    if (typeof v === 'string') return v[at];
    if (v instanceof Uint8Array) return v[at];
    return v[at];
  }

  private args(
    node: Node,
    depth: number,
  ): { pos: (Const | undefined)[]; kw: Map<string, Const | undefined> } {
    const pos: (Const | undefined)[] = [];
    const kw = new Map<string, Const | undefined>();
    const list = node.childForFieldName('arguments');
    for (const a of list?.namedChildren ?? []) {
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        if (name !== undefined) kw.set(name, this.fold(a.childForFieldName('value'), depth));
      } else if (a.type !== 'comment') pos.push(this.fold(a, depth));
    }
    return { pos, kw };
  }

  private call(node: Node, depth: number): Const | undefined {
    const fn = node.childForFieldName('function');
    if (fn === null) return undefined;
    if (fn.type === 'attribute') {
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const recv = this.fold(fn.childForFieldName('object'), depth);
      if (recv !== undefined) return this.method(recv, method, node, depth);
    }
    const names = this.host.qualifiedNames(fn);
    if (names.length !== 1) return undefined;
    const { pos, kw } = this.args(node, depth);
    const a0 = pos[0] ?? kw.get('s') ?? kw.get('obj') ?? kw.get('data');
    switch (names[0]) {
      case 'builtins.chr':
        return typeof a0 === 'number' && a0 >= 0 && a0 <= 0x10ffff ? String.fromCodePoint(a0) : undefined;
      case 'builtins.str':
        if (typeof a0 === 'string') return a0;
        if (a0 instanceof Uint8Array && typeof pos[1] === 'string') return bytesToString(a0, pos[1]);
        return undefined;
      case 'builtins.bytes':
      case 'builtins.bytearray':
        if (typeof a0 === 'string') return new Uint8Array(Buffer.from(a0, 'utf8'));
        if (Array.isArray(a0) && a0.every((x) => typeof x === 'number' && x >= 0 && x < 256))
          return Uint8Array.from(a0 as number[]);
        return a0 instanceof Uint8Array ? a0 : undefined;
      case 'builtins.bytes.fromhex':
      case 'builtins.bytearray.fromhex':
      case 'binascii.unhexlify':
      case 'binascii.a2b_hex':
      case 'base64.b16decode':
        return a0 === undefined ? undefined : hexBytes(a0);
      case 'base64.b64decode':
      case 'base64.standard_b64decode':
      case 'base64.decodebytes':
      case 'base64.decodestring':
      case 'binascii.a2b_base64':
        return a0 === undefined ? undefined : base64Bytes(a0, false);
      case 'base64.urlsafe_b64decode':
        return a0 === undefined ? undefined : base64Bytes(a0, true);
      case 'zlib.decompress':
        return a0 instanceof Uint8Array ? this.inflate(a0) : undefined;
      case 'codecs.decode': {
        const enc = (typeof pos[1] === 'string' ? pos[1] : kw.get('encoding'))?.toString().toLowerCase();
        if (a0 === undefined || enc === undefined) return undefined;
        if (enc === 'rot13' || enc === 'rot_13') return typeof a0 === 'string' ? rot13(a0) : undefined;
        if (enc === 'base64' || enc === 'base_64') return base64Bytes(a0, false);
        if (enc === 'hex' || enc === 'hex_codec') return hexBytes(a0);
        if (enc === 'zlib' || enc === 'zlib_codec')
          return a0 instanceof Uint8Array ? this.inflate(a0) : undefined;
        return a0 instanceof Uint8Array ? bytesToString(a0, enc) : undefined;
      }
      case 'builtins.map': {
        const f = node.childForFieldName('arguments')?.namedChildren[0];
        const list = pos[1];
        if (f === undefined || !Array.isArray(list)) return undefined;
        const fq = this.host.qualifiedNames(f);
        if (fq.length === 1 && fq[0] === 'builtins.chr' && list.every((x) => typeof x === 'number'))
          return (list as number[]).map((c) => (c >= 0 && c <= 0x10ffff ? String.fromCodePoint(c) : ''));
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private method(recv: Const, method: string, node: Node, depth: number): Const | undefined {
    const { pos } = this.args(node, depth);
    if (typeof recv === 'string') {
      switch (method) {
        case 'join': {
          const parts = pos[0];
          if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) return undefined;
          return (parts as string[]).join(recv);
        }
        case 'lower':
          return recv.toLowerCase();
        case 'upper':
          return recv.toUpperCase();
        case 'strip':
          return recv.trim();
        case 'replace':
          return typeof pos[0] === 'string' && typeof pos[1] === 'string'
            ? recv.split(pos[0]).join(pos[1])
            : undefined;
        case 'encode':
          return new Uint8Array(Buffer.from(recv, 'utf8'));
        case 'decode': // Python 2 str.decode('base64'/'hex'/'rot13')
          if (pos[0] === 'base64') return base64Bytes(recv, false);
          if (pos[0] === 'hex') return hexBytes(recv);
          if (pos[0] === 'rot13' || pos[0] === 'rot_13') return rot13(recv);
          return undefined;
        default:
          return undefined;
      }
    }
    if (recv instanceof Uint8Array) {
      if (method === 'decode') return bytesToString(recv, typeof pos[0] === 'string' ? pos[0] : 'utf-8');
      if (method === 'join') {
        const parts = pos[0];
        if (!Array.isArray(parts) || !parts.every((p) => p instanceof Uint8Array)) return undefined;
        let acc: Const = new Uint8Array(0);
        (parts as Uint8Array[]).forEach((p, i) => {
          acc = concat(i === 0 ? acc : (concat(acc, recv) as Const), p) as Const;
        });
        return acc;
      }
    }
    return undefined;
  }

  private inflate(b: Uint8Array): Uint8Array | undefined {
    try {
      return new Uint8Array(inflateSync(b, { maxOutputLength: this.host.maxChars }));
    } catch {
      return undefined;
    }
  }
}

/** The constant as text for evidence and nested analysis (bytes decoded as UTF-8). */
export function constText(v: Const | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder('utf-8', { fatal: false }).decode(v);
  return undefined;
}
