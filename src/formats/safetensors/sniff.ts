const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * True when `head` starts like a safetensors file: an 8-byte little-endian header length, then a
 * JSON object (`{` then `"` or `}` after optional whitespace). The length must be at least 2 and, when
 * the file size is known, fit the file. A length with its top two bytes set is only accepted when the
 * first 8 bytes are not all printable text, so JSON or text files whose 9th character is `{` do not
 * match, while a hostile length (T66) still does.
 */
export function isSafetensors(head: Uint8Array, fileSize?: number): boolean {
  if (head.length < 10 || head[8] !== 0x7b) return false;
  let i = 9;
  while (i < head.length && WS.has(head[i] as number)) i++;
  if (i < head.length && head[i] !== 0x22 && head[i] !== 0x7d) return false;
  const small = head[6] === 0 && head[7] === 0;
  if (!small) {
    let text = true;
    for (let k = 0; k < 8; k++) {
      const b = head[k] as number;
      if (!(b >= 0x20 && b < 0x7f) && !WS.has(b)) text = false;
    }
    if (text) return false;
  }
  let n = 0;
  for (let k = 5; k >= 0; k--) n = n * 256 + (head[k] as number);
  if (small && n < 2) return false;
  if (small && fileSize !== undefined && n > fileSize - 8) return false;
  return true;
}
