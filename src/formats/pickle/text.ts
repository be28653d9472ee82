/**
 * Decoders for pickle text arguments, with CPython's acceptance rules: what the C unpickler rejects
 * yields `undefined` (the VM reports an `invalid-value` anomaly).
 */
const utf8Lenient = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

/** ASCII fast path for short strings: most pickle strings are module names and dict keys. */
function asciiShort(b: Uint8Array): string | undefined {
  if (b.length > 64) return undefined;
  for (let i = 0; i < b.length; i++) if ((b[i] as number) >= 0x80) return undefined;
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

/**
 * True when `b` is UTF-8 as CPython's `surrogatepass` decoder accepts it (encoded surrogates
 * U+D800–U+DFFF allowed, overlongs and values above U+10FFFF rejected). `pending` continues a
 * sequence split across chunks: pass the previous result's `pending`; a non-empty `pending` after
 * the last chunk means the text ended inside a sequence.
 */
export function checkUtf8(b: Uint8Array, pending: Uint8Array = EMPTY): { ok: boolean; pending: Uint8Array } {
  const buf = pending.length > 0 ? concat(pending, b) : b;
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const c = buf[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return { ok: false, pending: EMPTY };
    // A sequence cut by the chunk end continues in the next chunk.
    if (i + need >= n) return { ok: true, pending: buf.slice(i) };
    let cp = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const d = buf[i + k] as number;
      if ((d & 0xc0) !== 0x80) return { ok: false, pending: EMPTY };
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff) return { ok: false, pending: EMPTY };
    i += need + 1;
  }
  return { ok: true, pending: EMPTY };
}

const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** UTF-8 (surrogatepass) → string, or undefined when CPython would reject the bytes. */
export function decodeUtf8(b: Uint8Array): string | undefined {
  const fast = asciiShort(b);
  if (fast !== undefined) return fast;
  const r = checkUtf8(b);
  if (!r.ok || r.pending.length > 0) return undefined;
  return utf8Lenient.decode(b);
}

/** Display decoding of a prefix that may end inside a sequence. */
export function decodeUtf8Lenient(b: Uint8Array): string {
  return asciiShort(b) ?? utf8Lenient.decode(b);
}

export function decodeLatin1(b: Uint8Array): string {
  return asciiShort(b) ?? latin1.decode(b);
}

/** Strict ASCII (PERSID, INST lines), or undefined. */
export function decodeAscii(b: Uint8Array): string | undefined {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) >= 0x80) return undefined;
  return asciiShort(b) ?? latin1.decode(b);
}

/** STRING (`S'...'`) argument: quoted, then Python bytes escapes. Undefined when CPython rejects it. */
export function decodeStringLine(b: Uint8Array): string | undefined {
  const n = b.length;
  const q = b[0];
  if (n < 2 || (q !== 0x27 && q !== 0x22) || b[n - 1] !== q) return undefined;
  let out = '';
  for (let i = 1; i < n - 1; i++) {
    const c = b[i] as number;
    if (c !== 0x5c) {
      out += String.fromCharCode(c);
      continue;
    }
    if (i + 1 >= n - 1) return undefined; // "Trailing \ in string"
    const e = String.fromCharCode(b[++i] as number);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if (e === '\n') {
      // line continuation: nothing
    } else if (e >= '0' && e <= '7') {
      let v = Number(e);
      for (let k = 0; k < 2 && i + 1 < n - 1 && isOctal(b[i + 1] as number); k++)
        v = v * 8 + ((b[++i] as number) - 48);
      out += String.fromCharCode(v & 0xff);
    } else if (e === 'x') {
      const h = hexValue(b, i + 1, 2, n - 1);
      if (h === undefined) return undefined;
      out += String.fromCharCode(h);
      i += 2;
    } else {
      out += `\\${e}`;
    }
  }
  return out;
}

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
};

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function hexValue(b: Uint8Array, at: number, digits: number, end: number): number | undefined {
  if (at + digits > end) return undefined;
  let v = 0;
  for (let k = 0; k < digits; k++) {
    const d = Number.parseInt(String.fromCharCode(b[at + k] as number), 16);
    if (Number.isNaN(d)) return undefined;
    v = v * 16 + d;
  }
  return v;
}

/** UNICODE (`V...`) argument: raw-unicode-escape (`\uXXXX`, `\UXXXXXXXX`, other bytes latin-1). */
export function decodeRawUnicodeEscape(b: Uint8Array): string | undefined {
  let out = '';
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const c = b[i] as number;
    if (c === 0x5c && i + 1 < n && (b[i + 1] === 0x75 || b[i + 1] === 0x55)) {
      // An escape only when preceded by an even number of backslashes (CPython rule).
      let slashes = 0;
      for (let k = i - 1; k >= 0 && b[k] === 0x5c; k--) slashes++;
      if (slashes % 2 === 0) {
        const digits = b[i + 1] === 0x75 ? 4 : 8;
        const v = hexValue(b, i + 2, digits, n);
        if (v === undefined || v > 0x10ffff) return undefined;
        out += String.fromCodePoint(v);
        i += 1 + digits;
        continue;
      }
    }
    out += String.fromCharCode(c);
  }
  return out;
}

/** Python `int(text, 0)` syntax (PyLong_FromString base 0): sign, 0x/0o/0b, underscores, no leading zeros. */
export function parsePyIntBase0(text: string): bigint | undefined {
  const m =
    /^\s*([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?\d)*)\s*$/.exec(
      text,
    );
  if (!m) return undefined;
  const digits = (m[2] as string).replaceAll('_', '');
  if (tooManyDigits(digits)) return undefined;
  const v = BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/**
 * CPython ≥ 3.11 refuses to convert decimal strings longer than 4,300 digits
 * (sys.int_info.default_max_str_digits); so do we, which also keeps BigInt parsing cheap.
 */
const MAX_STR_DIGITS = 4300;

function tooManyDigits(digits: string): boolean {
  return !/^0[xXoObB]/.test(digits) && digits.length > MAX_STR_DIGITS;
}

/** Python `int(text, 10)`: sign, underscores between digits, leading zeros allowed. */
export function parsePyIntBase10(text: string): bigint | undefined {
  const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(text);
  if (!m) return undefined;
  const digits = (m[2] as string).replaceAll('_', '');
  if (tooManyDigits(digits)) return undefined;
  const v = BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/** C `strtol(text, &end, 0)` when the whole text is consumed, else undefined. */
function parseStrtol(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(text);
  if (!m) return undefined;
  const body = m[2] as string;
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  v = m[1] === '-' ? -v : v;
  // strtol overflows beyond a C long; CPython then retries with PyLong_FromString(base 0).
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return undefined;
  return v;
}

/** INT (`I...`) line as the C unpickler reads it: `I00`/`I01` are bools, else an int. */
export function parseIntLine(text: string): bigint | boolean | undefined {
  const cut = text.indexOf('\0');
  const body = cut >= 0 ? text.slice(0, cut) : text;
  const v = parseStrtol(body);
  if (v !== undefined) {
    if (text.length === 2 && (v === 0n || v === 1n)) return v === 1n;
    return v;
  }
  return parsePyIntBase0(text);
}

/** LONG (`L...L`) line: trailing `L` dropped, then PyLong_FromString base 0. */
export function parseLongLine(text: string): bigint | undefined {
  return parsePyIntBase0(text.endsWith('L') ? text.slice(0, -1) : text);
}

/** FLOAT (`F...`) line as PyOS_string_to_double reads it. */
export function parseFloatLine(text: string): number | undefined {
  const cut = text.indexOf('\0');
  const body = cut >= 0 ? text.slice(0, cut) : text;
  // One way to match every string (no nested ambiguity): linear even on a 1 MiB line.
  if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(body)) return Number(body);
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(body);
  if (!m) return undefined;
  if ((m[2] as string).toLowerCase() === 'nan') return Number.NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}
