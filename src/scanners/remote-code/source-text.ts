/**
 * Python source bytes → text as CPython would read it (PEP 263 coding cookie, UTF-8 default, BOM), with
 * the reasons CPython refuses or the analysis cannot vouch for the text.
 */

/** Encodings whose text we read exactly (all others are reported: utf-7 can hide code in comments). */
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'utf_8', 'u8', 'utf', 'cp65001']);
const LATIN1_NAMES = new Set([
  'latin-1',
  'latin1',
  'latin_1',
  'iso-8859-1',
  'iso8859-1',
  'iso_8859_1',
  'l1',
  'cp1252',
  'windows-1252',
  'ascii',
  'us-ascii',
]);

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

export interface PythonText {
  text: string;
  /** Bytes before the text (a UTF-8 BOM), for byte offsets. */
  bomBytes: number;
  /** Whether the text was decoded as UTF-8 (byte offsets need re-encoding) or one byte per char. */
  utf8: boolean;
  /** Why CPython would refuse the file or why the text may differ from what CPython runs. */
  problem?: string;
  /** True when the problem means the text we analyse may hide code (not just a file Python refuses). */
  evasive?: boolean;
}

function cookieOf(bytes: Uint8Array): string | undefined {
  // The cookie must be on line 1 or 2 (PEP 263).
  let start = 0;
  for (let line = 0; line < 2 && start < bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = Math.min(bytes.length, start + 512);
    const text = new TextDecoder('latin1').decode(bytes.subarray(start, Math.min(end, start + 512)));
    const m = COOKIE.exec(text);
    if (m) return (m[1] ?? '').toLowerCase();
    if (!/^[ \t\f]*(#.*)?\r?$/.test(text)) return undefined; // line 1 is code: no cookie on line 2
    start = end + 1;
  }
  return undefined;
}

/** Decodes Python source bytes. Never throws. */
export function decodePython(bytes: Uint8Array): PythonText {
  const nul = bytes.indexOf(0);
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(bom);
  const latin1 = (): string => new TextDecoder('latin1').decode(body);
  if (nul >= 0) {
    return {
      text: latin1(),
      bomBytes: bom,
      utf8: false,
      problem: `contains NUL bytes (first at byte ${nul}): not Python source — CPython refuses to import it`,
    };
  }
  const cookie = cookieOf(body);
  if (cookie !== undefined && !UTF8_NAMES.has(cookie)) {
    if (LATIN1_NAMES.has(cookie)) return { text: latin1(), bomBytes: bom, utf8: false };
    return {
      text: latin1(),
      bomBytes: bom,
      utf8: false,
      problem: `declares the source encoding "${cookie}": CPython decodes the file with that codec, so the code it runs can differ from the text read here (utf-7 and similar codecs hide statements inside comments)`,
      evasive: true,
    };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), bomBytes: bom, utf8: true };
  } catch {
    return {
      text: latin1(),
      bomBytes: bom,
      utf8: false,
      problem: 'is not valid UTF-8 and declares no encoding: CPython refuses to import it (SyntaxError)',
    };
  }
}

/** Maps tree-sitter positions (UTF-16 index within the text) to 1-based lines, line text and file byte offsets. */
export class LineIndex {
  private starts: number[] | undefined;
  private byteStarts: number[] | undefined;
  constructor(
    private readonly src: PythonText,
    private readonly maxChars: number,
  ) {}

  private index(): { starts: number[]; byteStarts: number[] } {
    if (this.starts === undefined || this.byteStarts === undefined) {
      const starts = [0];
      const byteStarts = [this.src.bomBytes];
      const t = this.src.text;
      let bytes = this.src.bomBytes;
      let from = 0;
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) {
        bytes += this.src.utf8 ? Buffer.byteLength(t.slice(from, i + 1), 'utf8') : i + 1 - from;
        from = i + 1;
        starts.push(from);
        byteStarts.push(bytes);
      }
      this.starts = starts;
      this.byteStarts = byteStarts;
    }
    return { starts: this.starts, byteStarts: this.byteStarts };
  }

  /** The source line (0-based row), trimmed and shortened for evidence. */
  lineText(row: number): string {
    const { starts } = this.index();
    const s = starts[row];
    if (s === undefined) return '';
    const e = starts[row + 1] ?? this.src.text.length;
    const line = this.src.text.slice(s, e).trim();
    return line.length > this.maxChars ? `${line.slice(0, this.maxChars)}…` : line;
  }

  /** Byte offset in the file of a UTF-16 index on a 0-based row. */
  byteOffset(row: number, index: number): number {
    const { starts, byteStarts } = this.index();
    const s = starts[row] ?? 0;
    const b = byteStarts[row] ?? 0;
    const prefix = this.src.text.slice(s, Math.max(s, index));
    return b + (this.src.utf8 ? Buffer.byteLength(prefix, 'utf8') : prefix.length);
  }
}
