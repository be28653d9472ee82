import { fmtInt } from '../../core/format-number.js';
import type { PickleCall } from './types.js';
import type { PickleValue } from './values.js';

/**
 * Renders symbolic values and calls as readable Python-like text: `posix.system('echo pwned')`.
 * Bounded in every direction: nesting depth, items per container, characters per string and in
 * total; cycle-safe (a list containing itself renders as `[...]`, as Python does). Recursion depth
 * is capped by `maxDepth`, never by the input.
 */
export interface RenderOptions {
  /** Characters of one string shown before it is elided (limits.maxEvidenceChars). */
  readonly maxStringChars: number;
  /** Characters of the whole rendering. */
  readonly maxTotalChars: number;
  /** Nesting depth shown. */
  readonly maxDepth: number;
  /** Items shown per container. */
  readonly maxItems: number;
}

export function renderOptions(maxEvidenceChars: number): RenderOptions {
  return {
    maxStringChars: maxEvidenceChars,
    maxTotalChars: Math.max(maxEvidenceChars * 4, 200),
    maxDepth: 12,
    maxItems: 8,
  };
}

class Out {
  private readonly parts: string[] = [];
  private len = 0;
  full = false;
  readonly onPath = new Set<PickleValue>();
  constructor(readonly o: RenderOptions) {}
  put(s: string): void {
    if (this.full) return;
    const room = this.o.maxTotalChars - this.len;
    if (s.length > room) {
      this.parts.push(s.slice(0, Math.max(room, 0)), '…');
      this.full = true;
      return;
    }
    this.parts.push(s);
    this.len += s.length;
  }
  text(): string {
    return this.parts.join('');
  }
}

export function renderValue(v: PickleValue, o: RenderOptions): string {
  const out = new Out(o);
  value(out, v, 0);
  return out.text();
}

export function renderCall(c: PickleCall, o: RenderOptions): string {
  const out = new Out(o);
  call(out, c, 0);
  return out.text();
}

/**
 * A str as Python's repr writes it, elided past `max` characters. `encodedBytes` is given when `s`
 * is only the kept prefix of a longer string.
 */
export function pyRepr(s: string, max: number, encodedBytes?: number): string {
  const shown = s.length > max ? s.slice(0, max) : s;
  const q = shown.includes("'") && !shown.includes('"') ? '"' : "'";
  let body = '';
  for (const ch of shown) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') body += '\\\\';
    else if (ch === q) body += `\\${q}`;
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) body += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) body += `\\u${c.toString(16)}`;
    else body += ch;
  }
  if (encodedBytes !== undefined) return `${q}${body}${q}…(${fmtInt(encodedBytes)} bytes)`;
  return s.length > shown.length ? `${q}${body}${q}…(${fmtInt(s.length)} chars)` : `${q}${body}${q}`;
}

function bytesRepr(prefix: Uint8Array, length: number, max: number): string {
  let body = '';
  const n = Math.min(prefix.length, max);
  for (let i = 0; i < n; i++) {
    const c = prefix[i] as number;
    if (c === 0x5c) body += '\\\\';
    else if (c === 0x27) body += "\\'";
    else if (c === 0x09) body += '\\t';
    else if (c === 0x0a) body += '\\n';
    else if (c === 0x0d) body += '\\r';
    else if (c >= 0x20 && c < 0x7f) body += String.fromCharCode(c);
    else body += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return length > n ? `b'${body}'…(${fmtInt(length)} bytes)` : `b'${body}'`;
}

function floatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return Object.is(v, -0) ? '-0.0' : `${v}.0`;
  return String(v);
}

function items(out: Out, list: readonly PickleValue[], size: number, depth: number): void {
  const n = Math.min(list.length, out.o.maxItems);
  for (let i = 0; i < n && !out.full; i++) {
    if (i > 0) out.put(', ');
    value(out, list[i] as PickleValue, depth + 1);
  }
  if (size > n) out.put(`${n > 0 ? ', ' : ''}…(${fmtInt(size)} items)`);
}

function value(out: Out, v: PickleValue, depth: number): void {
  if (out.full) return;
  if (depth > out.o.maxDepth) {
    out.put('…');
    return;
  }
  switch (v.t) {
    case 'none':
      out.put('None');
      return;
    case 'bool':
      out.put(v.v ? 'True' : 'False');
      return;
    case 'int':
      out.put(v.v === undefined ? `<int of ${fmtInt(v.byteLength ?? 0)} bytes>` : String(v.v));
      return;
    case 'float':
      out.put(floatRepr(v.v));
      return;
    case 'str':
      out.put(pyRepr(v.v, out.o.maxStringChars, v.truncated ? v.byteLength : undefined));
      return;
    case 'bytes': {
      const r = bytesRepr(v.prefix, v.length, out.o.maxStringChars);
      out.put(v.kind === 'bytearray' ? `bytearray(${r})` : r);
      return;
    }
    case 'global':
      out.put(`${v.global.module}.${v.global.name}`);
      return;
    case 'call':
      call(out, v.call, depth);
      return;
    case 'persid':
      out.put('persistent_load(');
      value(out, v.id, depth + 1);
      out.put(')');
      return;
    case 'ext':
      out.put(`<copyreg extension ${v.code}>`);
      return;
    case 'opaque':
      out.put(v.text);
      return;
    case 'unknown':
      out.put(`<unknown: ${v.why}>`);
      return;
    default:
      container(out, v, depth);
      return;
  }
}

function container(
  out: Out,
  v: PickleValue & { t: 'tuple' | 'list' | 'set' | 'frozenset' | 'dict' },
  depth: number,
): void {
  if (out.onPath.has(v)) {
    out.put(v.t === 'list' ? '[...]' : v.t === 'dict' ? '{...}' : '(...)');
    return;
  }
  out.onPath.add(v);
  if (v.t === 'dict') {
    out.put('{');
    const n = Math.min(v.keys.length, out.o.maxItems);
    for (let i = 0; i < n && !out.full; i++) {
      if (i > 0) out.put(', ');
      value(out, v.keys[i] as PickleValue, depth + 1);
      out.put(': ');
      value(out, v.values[i] as PickleValue, depth + 1);
    }
    if (v.size > n) out.put(`${n > 0 ? ', ' : ''}…(${fmtInt(v.size)} items)`);
    out.put('}');
  } else if (v.t === 'tuple') {
    out.put('(');
    items(out, v.items, v.size, depth);
    out.put(v.size === 1 ? ',)' : ')');
  } else if (v.t === 'list') {
    out.put('[');
    items(out, v.items, v.size, depth);
    out.put(']');
  } else if (v.size === 0) {
    out.put(v.t === 'set' ? 'set()' : 'frozenset()');
  } else {
    out.put(v.t === 'set' ? '{' : 'frozenset({');
    items(out, v.items, v.size, depth);
    out.put(v.t === 'set' ? '}' : '})');
  }
  out.onPath.delete(v);
}

/** Arguments of a tuple, comma-separated; a non-tuple is shown as `*value`. */
function args(out: Out, a: PickleValue, depth: number): void {
  if (a.t === 'tuple') items(out, a.items, a.size, depth);
  else {
    out.put('*');
    value(out, a, depth + 1);
  }
}

function kwargs(out: Out, kw: PickleValue, depth: number): void {
  if (kw.t !== 'dict') {
    out.put('**');
    value(out, kw, depth + 1);
    return;
  }
  const n = Math.min(kw.keys.length, out.o.maxItems);
  for (let i = 0; i < n && !out.full; i++) {
    if (i > 0) out.put(', ');
    const k = kw.keys[i] as PickleValue;
    if (k.t === 'str' && /^[A-Za-z_]\w*$/.test(k.v)) out.put(k.v);
    else {
      out.put('**{');
      value(out, k, depth + 1);
      out.put(': …}');
      continue;
    }
    out.put('=');
    value(out, kw.values[i] as PickleValue, depth + 1);
  }
  if (kw.size > n) out.put(', …');
}

function call(out: Out, c: PickleCall, depth: number): void {
  if (depth >= out.o.maxDepth) {
    out.put('…');
    return;
  }
  const d = depth + 1;
  value(out, c.target, d);
  switch (c.opcode) {
    case 'NEWOBJ':
      out.put('.__new__(');
      value(out, c.target, d);
      if (c.argument.t !== 'tuple' || c.argument.size > 0) out.put(', ');
      args(out, c.argument, d);
      out.put(')');
      return;
    case 'NEWOBJ_EX': {
      out.put('.__new__(');
      value(out, c.target, d);
      const pair = c.argument.t === 'tuple' ? c.argument.items : [];
      const a = pair[0];
      const kw = pair[1];
      if (a && (a.t !== 'tuple' || a.size > 0)) {
        out.put(', ');
        args(out, a, d);
      }
      if (kw && (kw.t !== 'dict' || kw.size > 0)) {
        out.put(', ');
        kwargs(out, kw, d);
      }
      out.put(')');
      return;
    }
    case 'BUILD':
      out.put('.__setstate__(');
      value(out, c.argument, d);
      out.put(')');
      return;
    case 'APPEND':
      out.put('.extend(');
      value(out, c.argument, d);
      out.put(')');
      return;
    case 'SETITEMS':
      out.put('.__setitem__(');
      args(out, c.argument, d);
      out.put(')');
      return;
    case 'ADDITEMS':
      out.put('.add(');
      args(out, c.argument, d);
      out.put(')');
      return;
    default:
      out.put('(');
      args(out, c.argument, d);
      out.put(')');
      return;
  }
}
