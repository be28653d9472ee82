import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errorMessage } from '../../core/errors.js';

/** The first bytes of a file, never more than `max`; `truncated` when the file is longer. */
export type Head =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly truncated: boolean }
  | { readonly ok: false; readonly missing: boolean; readonly error: string };

/** Reads at most `max` bytes from the start of `path` (a README or config.json may be any size). */
export async function readHead(path: string, max: number): Promise<Head> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // O_NONBLOCK: a FIFO named README.md must not block the open until someone writes to it.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, missing: false, error: `${path} is not a regular file` };
    const want = Math.min(st.size, max + 1);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { ok: true, bytes: buf.subarray(0, Math.min(got, max)), truncated: got > max };
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    return { ok: false, missing: code === 'ENOENT', error: errorMessage(e) };
  } finally {
    await fh?.close();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as UTF-8 text (a leading BOM dropped), or undefined when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, truncated: boolean): string | undefined {
  // A read cut at the limit may split a multi-byte character: drop up to 3 trailing continuation bytes.
  let end = bytes.length;
  if (truncated) {
    let k = 0;
    while (k < 3 && end > 0 && ((bytes[end - 1] as number) & 0xc0) === 0x80) {
      end--;
      k++;
    }
    if (end > 0 && (bytes[end - 1] as number) >= 0xc0) end--;
  }
  try {
    const text = utf8.decode(bytes.subarray(0, end));
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}
