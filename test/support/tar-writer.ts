/**
 * A small tar writer for hostile test inputs and the demo corpus: ustar headers with any type flag,
 * pax or GNU long names, link targets, bad checksums, lying sizes. Writes exactly what it is told.
 */

export interface TarEntrySpec {
  name: string;
  data?: Uint8Array | string;
  /** Type flag character: '0' file (default), '1' hard link, '2' symlink, '5' directory, 'S' sparse … */
  type?: string;
  linkName?: string;
  /** Default 0o644 (0o755 for directories). */
  mode?: number;
  /** Extra pax records written in an 'x' header before this entry. */
  pax?: Record<string, string>;
  /** How a name longer than 100 bytes is written: pax `path` (default) or GNU `././@LongLink`. */
  longName?: 'pax' | 'gnu';
  /** Write a wrong checksum into this header. */
  badChecksum?: boolean;
  /** Size written into the header instead of the data length (data is still written as given). */
  size?: number;
}

export interface TarOptions {
  /** Zero blocks at the end (default 2). */
  endBlocks?: number;
  /** Bytes after the end blocks. */
  append?: Uint8Array;
  /** 'gnu' writes the GNU magic ("ustar  \0"); default 'ustar'. */
  magic?: 'ustar' | 'gnu';
}

const enc = new TextEncoder();
const BLOCK = 512;

function asBytes(d: Uint8Array | string | undefined): Uint8Array {
  if (d === undefined) return new Uint8Array(0);
  return typeof d === 'string' ? enc.encode(d) : d;
}

function put(b: Uint8Array, at: number, len: number, s: string | Uint8Array): void {
  const v = typeof s === 'string' ? enc.encode(s) : s;
  b.set(v.subarray(0, len), at);
}

function octal(n: number, len: number): string {
  return `${n.toString(8).padStart(len - 1, '0')}\0`;
}

function header(
  name: string,
  type: string,
  size: number,
  spec: TarEntrySpec,
  magic: 'ustar' | 'gnu',
): Uint8Array {
  const b = new Uint8Array(BLOCK);
  put(b, 0, 100, name);
  put(b, 100, 8, octal(spec.mode ?? (type === '5' ? 0o755 : 0o644), 8));
  put(b, 108, 8, octal(0, 8));
  put(b, 116, 8, octal(0, 8));
  put(b, 124, 12, octal(size, 12));
  put(b, 136, 12, octal(0, 12));
  put(b, 156, 1, type);
  put(b, 157, 100, spec.linkName ?? '');
  put(b, 257, 8, magic === 'gnu' ? 'ustar  \0' : 'ustar\x0000');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (b[i] as number);
  put(b, 148, 8, `${(spec.badChecksum ? sum + 1 : sum).toString(8).padStart(6, '0')}\0 `);
  return b;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
  out.set(data);
  return out;
}

function paxData(records: Record<string, string>): Uint8Array {
  let text = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = enc.encode(body).length + 1;
    while (String(len).length + enc.encode(body).length > len) len++;
    text += `${len}${body}`;
  }
  return enc.encode(text);
}

/** Builds a tar archive from `entries`, exactly as specified. */
export function buildTar(entries: readonly TarEntrySpec[], opts: TarOptions = {}): Uint8Array {
  const magic = opts.magic ?? 'ustar';
  const parts: Uint8Array[] = [];
  for (const spec of entries) {
    const data = asBytes(spec.data);
    const type = spec.type ?? '0';
    let name = spec.name;
    const pax: Record<string, string> = { ...(spec.pax ?? {}) };
    if (enc.encode(name).length > 100) {
      if ((spec.longName ?? 'pax') === 'pax') pax['path'] = name;
      else {
        const ln = enc.encode(`${name}\0`);
        parts.push(header('././@LongLink', 'L', ln.length, { name: '././@LongLink' }, 'gnu'), padded(ln));
      }
      name = name.slice(0, 100);
    }
    if (Object.keys(pax).length > 0) {
      const pd = paxData(pax);
      parts.push(
        header(`PaxHeader/${name}`.slice(0, 100), 'x', pd.length, { name: 'PaxHeader' }, magic),
        padded(pd),
      );
    }
    parts.push(header(name, type, spec.size ?? data.length, spec, magic), padded(data));
  }
  for (let i = 0; i < (opts.endBlocks ?? 2); i++) parts.push(new Uint8Array(BLOCK));
  if (opts.append) parts.push(opts.append);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
