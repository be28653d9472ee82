/** DSSE pre-authentication encoding and strict base64 (DSSE v1 protocol; Python `sign_sigstore_pb.py`). */
import { BundleFormatError } from './errors.js';

/** `DSSEv1 SP len(type) SP type SP len(payload) SP payload`, lengths as ASCII decimal byte counts. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return Buffer.concat([head, payload]);
}

/**
 * The encoding model_signing v0.2 signed by mistake: `DSSEV1 … {payload!r}` — the payload bytes embedded
 * as Python's `repr` of a bytes object (`b'…'`). Needed to verify v0.2-era signatures only.
 */
export function paeCompat(payloadType: string, payload: Uint8Array): Buffer {
  return Buffer.from(
    `DSSEV1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} ${pythonBytesRepr(payload)}`,
    'utf8',
  );
}

/** Python's `repr(bytes)`: `b'…'` (or `b"…"` when only `'` occurs), printable ASCII kept, the rest escaped. */
export function pythonBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let s = `b${quote}`;
  for (const c of bytes) {
    if (c === 0x5c) s += '\\\\';
    else if (c === quote.charCodeAt(0)) s += `\\${quote}`;
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c < 0x20 || c >= 0x7f) s += `\\x${c.toString(16).padStart(2, '0')}`;
    else s += String.fromCharCode(c);
  }
  return `${s}${quote}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes standard base64 (with padding), or the URL-safe alphabet without padding that the protobuf JSON
 * mapping also accepts. Anything else (whitespace, stray characters, bad padding) is refused: Node's own
 * decoder would silently skip them.
 */
export function decodeBase64(value: string, field: string): Buffer {
  if (BASE64.test(value)) return Buffer.from(value, 'base64');
  if (BASE64URL.test(value) && value.length % 4 !== 1) return Buffer.from(value, 'base64url');
  throw new BundleFormatError(`${field} is not valid base64`);
}
