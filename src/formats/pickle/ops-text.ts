import { checkUtf8, decodeUtf8, decodeUtf8Lenient } from './text.js';
import { intValue, type PickleValue, STRING_KEEP, strValue, unknown } from './values.js';
import type { Machine } from './vm.js';

/** Bytes of a string argument decoded and kept; the rest is validated chunk by chunk and dropped. */
const TEXT_KEEP_BYTES = 16_384;
/** LONG1/LONG4 integers up to this many bytes are decoded exactly. */
const LONG_KEEP_BYTES = 64;

/** A str value, cut to STRING_KEEP characters. */
export function strOf(s: string, cut: boolean, byteLength?: number): PickleValue {
  if (s.length > STRING_KEEP) return strValue(s.slice(0, STRING_KEEP), byteLength ?? s.length, true);
  return strValue(s, byteLength ?? s.length, cut);
}

/** Little-endian two's complement, as `_PyLong_FromByteArray(..., signed=1)`. */
function longFromBytes(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  if (b.length > 0 && ((b[b.length - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
  return v;
}

/** LONG1 / LONG4 body of `n` bytes. */
export function readLong(m: Machine, at: number, n: number): PickleValue {
  if (n < 0) {
    m.anomaly('invalid-value', at, `LONG4 at ${at}: negative byte count ${n}`);
    return unknown(`bad LONG4 at ${at}`);
  }
  if (n === 0) return intValue(0);
  if (n <= LONG_KEEP_BYTES) return intValue(longFromBytes(m.inp.counted(n, n, false, 'LONG')));
  m.inp.counted(n, 0, false, 'LONG');
  return { t: 'int', v: undefined, byteLength: n };
}

/** SHORT_BINUNICODE / BINUNICODE / BINUNICODE8 body: UTF-8 with surrogatepass, as CPython decodes it. */
export function readUnicode(m: Machine, at: number, n: number, op: string): PickleValue {
  const ascii = m.inp.shortAscii(n, op);
  if (ascii !== undefined) return strValue(ascii, n, false);
  if (n <= TEXT_KEEP_BYTES) {
    const s = decodeUtf8(m.inp.counted(n, n, false, op));
    if (s !== undefined) return strOf(s, false, n);
    m.anomaly('invalid-value', at, `${op} at ${at}: string is not valid UTF-8`);
    return unknown(`invalid UTF-8 in ${op} at ${at}`);
  }
  let state: { ok: boolean; pending: Uint8Array } = { ok: true, pending: new Uint8Array(0) };
  const head = m.inp.counted(n, TEXT_KEEP_BYTES, false, op, (chunk) => {
    if (state.ok) state = checkUtf8(chunk, state.pending);
  });
  const text = decodeUtf8Lenient(head);
  if (!state.ok || state.pending.length > 0) {
    m.anomaly('invalid-value', at, `${op} at ${at}: string is not valid UTF-8`);
    return unknown(`invalid UTF-8 in ${op} at ${at}`);
  }
  return strValue(text.slice(0, STRING_KEEP), n, true);
}
