import { startsWith, utf8Of } from '../../core/bytes.js';
import { fmtInt } from '../../core/format-number.js';
import type { ScanLimits } from '../../core/limits.js';
import type { ByteSource } from '../../core/source.js';
import { runSevenZip } from './wasm.js';

export const SEVENZ_MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] as const;

export const SEVENZ_LIMITS = {
  /** Bytes of 7-Zip's listing read (it grows with the entry count). CWE-400. */
  maxListingBytes: 64 << 20,
  /** Head bytes kept of a member too large to keep whole, so its start is still analysed. CWE-409. */
  partialBytes: 1 << 20,
} as const;

/** True when `head` starts with the 7z signature. */
export function isSevenZip(head: Uint8Array): boolean {
  return startsWith(head, SEVENZ_MAGIC);
}

export type SevenZipFactKind = 'encrypted' | 'path-traversal' | 'symlink';

export interface SevenZipEntry {
  index: number;
  name: string;
  size: number;
  isDirectory: boolean;
  isSymlink: boolean;
  encrypted: boolean;
  method: string;
  facts: Array<{ kind: SevenZipFactKind; detail: string }>;
}

export interface SevenZipListing {
  entries: SevenZipEntry[];
  /** Why the archive could not be listed (encrypted headers, corruption, unknown method…). */
  problem: string | undefined;
  /** More entries than maxEntries: only the first maxEntries are kept. */
  truncated: boolean;
}

function traversal(name: string): string | undefined {
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  return name.split(/[\\/]/).includes('..') ? "'..' path segment" : undefined;
}

function parseListing(text: string, maxEntries: number): { entries: SevenZipEntry[]; truncated: boolean } {
  const entries: SevenZipEntry[] = [];
  let truncated = false;
  for (const block of text.split(/\r?\n\s*\r?\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const eq = line.indexOf(' = ');
      if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 3));
      else if (line.endsWith(' =')) fields.set(line.slice(0, -2).trim(), '');
    }
    const name = fields.get('Path');
    if (name === undefined) continue;
    if (entries.length >= maxEntries) {
      truncated = true;
      break;
    }
    const attributes = fields.get('Attributes') ?? '';
    const isDirectory = fields.get('Folder') === '+' || /^D/.test(attributes);
    const isSymlink = /\sl[rwx-]{9}/.test(attributes);
    const encrypted = fields.get('Encrypted') === '+';
    const size = Number(fields.get('Size') ?? '0');
    const entry: SevenZipEntry = {
      index: entries.length,
      name,
      size: Number.isSafeInteger(size) && size >= 0 ? size : 0,
      isDirectory,
      isSymlink,
      encrypted,
      method: fields.get('Method') ?? '',
      facts: [],
    };
    if (encrypted)
      entry.facts.push({ kind: 'encrypted', detail: `'${name}' is encrypted (${entry.method})` });
    const t = traversal(name);
    if (t) entry.facts.push({ kind: 'path-traversal', detail: `${t} in '${name}'` });
    if (isSymlink) entry.facts.push({ kind: 'symlink', detail: `'${name}' is a symbolic link` });
    entries.push(entry);
  }
  return { entries, truncated };
}

/** Lists a 7z archive with 7-Zip (`l -slt`), never prompting for a password. */
export async function listSevenZip(
  source: ByteSource,
  limits: Pick<ScanLimits, 'maxEntries'>,
): Promise<SevenZipListing> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const run = await runSevenZip(['l', '-slt', '-ba', '-p', '-bsp0', '-t7z'], source, (c) => {
    if (total + c.length > SEVENZ_LIMITS.maxListingBytes) return false;
    chunks.push(c.slice());
    total += c.length;
    return true;
  });
  const text = utf8Of(Buffer.concat(chunks));
  const { entries, truncated } = parseListing(text, limits.maxEntries);
  let problem: string | undefined;
  if (run.crashed !== undefined)
    problem = `7-Zip could not open the archive (encrypted headers or corrupt data): ${run.crashed}`;
  else if (run.exitCode !== 0)
    problem = `7-Zip exited with ${run.exitCode}: ${run.log.slice(-3).join(' | ') || 'no message'}`;
  else if (run.stopped) problem = `listing exceeds ${fmtInt(SEVENZ_LIMITS.maxListingBytes)} bytes`;
  return { entries, problem, truncated: truncated || run.stopped };
}

export interface SevenZipMember {
  entry: SevenZipEntry;
  bytes: Uint8Array;
  /** False when only the head was kept (the member exceeded the per-member or total cap). */
  complete: boolean;
}

export interface SevenZipExtraction {
  members: SevenZipMember[];
  /** Decoder errors (CRC, data errors, wrong password …). */
  problems: string[];
  /** Bytes 7-Zip produced (kept or not). */
  decoded: number;
  /** True when decoding stopped at the total budget. */
  stoppedAtBudget: boolean;
}

/**
 * Extracts the file members of a listed archive through 7-Zip's stdout (`x -so`), splitting the stream
 * by the listed sizes (7z sizes are authoritative: the decoder emits exactly them). A member larger than
 * `maxMemberBytes` keeps only its head; decoding stops once `budget` bytes were produced.
 */
export async function extractSevenZip(
  source: ByteSource,
  listing: SevenZipListing,
  maxMemberBytes: number,
  budget: number,
): Promise<SevenZipExtraction> {
  const files = listing.entries.filter((e) => !e.isDirectory && !e.encrypted && e.size > 0);
  const members: SevenZipMember[] = listing.entries
    .filter((e) => !e.isDirectory && !e.encrypted && e.size === 0)
    .map((entry) => ({ entry, bytes: new Uint8Array(0), complete: true }));
  let i = 0;
  let at = 0;
  let decoded = 0;
  let current: Uint8Array | undefined;
  let stoppedAtBudget = false;
  const run = await runSevenZip(['x', '-so', '-p', '-bsp0', '-bso0', '-t7z'], source, (chunk) => {
    let c = chunk;
    while (c.length > 0) {
      const f = files[i];
      if (f === undefined) return true; // more output than listed: ignored, reported below
      if (decoded >= budget) {
        stoppedAtBudget = true;
        return false;
      }
      current ??= new Uint8Array(
        Math.min(f.size, f.size > maxMemberBytes ? SEVENZ_LIMITS.partialBytes : f.size),
      );
      const n = Math.min(c.length, f.size - at, budget - decoded);
      if (at < current.length) current.set(c.subarray(0, Math.min(n, current.length - at)), at);
      at += n;
      decoded += n;
      c = c.subarray(n);
      if (at === f.size) {
        members.push({ entry: f, bytes: current, complete: current.length === f.size });
        current = undefined;
        at = 0;
        i++;
      }
    }
    return true;
  });
  if (current !== undefined && files[i] !== undefined)
    members.push({
      entry: files[i] as SevenZipEntry,
      bytes: current.subarray(0, Math.min(at, current.length)),
      complete: false,
    });
  const problems: string[] = [];
  if (run.crashed !== undefined && !run.stopped) problems.push(run.crashed);
  else if (run.exitCode !== 0 && !run.stopped)
    problems.push(`7-Zip exited with ${run.exitCode}: ${run.log.slice(-3).join(' | ') || 'no message'}`);
  if (!stoppedAtBudget && run.crashed === undefined && i < files.length) {
    problems.push(`7-Zip produced ${fmtInt(decoded)} bytes, fewer than the listed sizes`);
  }
  return { members, problems, decoded, stoppedAtBudget };
}
