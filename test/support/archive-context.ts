/**
 * A fake ScanContext for testing the container handlers in isolation: records findings, formats and
 * scanMember calls, and (optionally) dispatches members to the archive/numpy handlers by content, the
 * way the engine will, with depth and inflation limits.
 */
import { DEFAULT_LIMITS, type ScanLimits } from '../../src/core/limits.js';
import type { RuleMeta } from '../../src/core/rule.js';
import type { Severity } from '../../src/core/severity.js';
import type { ByteSource } from '../../src/core/source.js';
import { sniffCompression } from '../../src/formats/compress/sniff.js';
import { isNpy } from '../../src/formats/numpy/npy.js';
import { PickleAssembler } from '../../src/formats/pickle/assembler.js';
import { isSevenZip } from '../../src/formats/sevenz/archive.js';
import { isTar } from '../../src/formats/tar/header.js';
import { isZip } from '../../src/formats/zip/index.js';
import { ARCHIVE_HANDLERS, ARCHIVE_RULES } from '../../src/scanners/archive/index.js';
import { numpyHandler } from '../../src/scanners/numpy/index.js';
import type { Policy } from '../../src/scanners/policy/policy.js';
import type { FindingInput, FormatHandler, FormatId, ScanContext } from '../../src/scanners/types.js';

export interface RecordedFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  member: string | undefined;
  offset: number | undefined;
}

export interface RecordedMember {
  /** Full member chain (`a.zip!/b.tar!/c.pkl`). */
  path: string;
  name: string;
  hint: FormatId | undefined;
  size: number;
  /** First bytes of the member. */
  head: Uint8Array;
  /** The member's bytes (members over 1 MiB keep only the head). */
  bytes: Uint8Array;
  depth: number;
}

export interface Recording {
  findings: RecordedFinding[];
  members: RecordedMember[];
  formats: string[];
  inflated: number;
}

const policy: Policy = { classify: () => ({ kind: 'unknown' }), unknownSeverity: 'medium' };

const HANDLERS: Partial<Record<FormatId, FormatHandler>> = { ...ARCHIVE_HANDLERS, numpy: numpyHandler };

/** Container format of `head` by content, as the engine would sniff it (pickles are left to others). */
export function sniffContainer(head: Uint8Array): FormatId | undefined {
  if (isZip(head)) return 'zip';
  if (isNpy(head)) return 'numpy';
  if (isSevenZip(head)) return '7z';
  if (isTar(head)) return 'tar';
  return sniffCompression(head);
}

export interface FakeOptions {
  limits?: Partial<ScanLimits>;
  /** Dispatch members to the container handlers (default true). */
  dispatch?: boolean;
  path?: string;
}

/** Creates a context for a top-level file and the recording it fills. */
export function fakeContext(opts: FakeOptions = {}): { ctx: ScanContext; rec: Recording } {
  const limits: ScanLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const rec: Recording = { findings: [], members: [], formats: [], inflated: 0 };
  const make = (member: string | undefined, depth: number, name: string): ScanContext => ({
    path: opts.path ?? 'test.bin',
    member,
    depth,
    limits,
    policy,
    name,
    report(rule: RuleMeta, f: FindingInput): void {
      rec.findings.push({
        ruleId: rule.id,
        severity: f.severity ?? rule.severity,
        message: f.message,
        member,
        offset: f.offset,
      });
    },
    noteImports(): void {},
    noteFormat(format: string): void {
      if (!rec.formats.includes(format)) rec.formats.push(format);
    },
    async scanMember(childName: string, source: ByteSource, hint?: FormatId): Promise<void> {
      const path = member === undefined ? childName : `${member}!/${childName}`;
      const head = source.read(0, Math.min(source.size, 512)).slice();
      const keep = source.size <= 1 << 20 ? source.read(0, source.size).slice() : head;
      rec.members.push({
        path,
        name: childName,
        hint,
        size: source.size,
        head,
        bytes: keep,
        depth: depth + 1,
      });
      if (opts.dispatch === false) return;
      const format = sniffContainer(head);
      if (format === undefined) return;
      const handler = HANDLERS[format];
      if (handler === undefined) return;
      if (depth + 1 > limits.maxDepth) {
        rec.findings.push({
          ruleId: ARCHIVE_RULES['archive/too-deep'].id,
          severity: 'high',
          message: `depth ${depth + 1} > ${limits.maxDepth}`,
          member: path,
          offset: undefined,
        });
        return;
      }
      if (!rec.formats.includes(format)) rec.formats.push(format);
      await handler.scan(source, make(path, depth + 1, childName));
    },
    chargeInflated(bytes: number): boolean {
      rec.inflated += bytes;
      if (rec.inflated > limits.maxTotalInflatedBytes) {
        rec.findings.push({
          ruleId: 'scan/total-inflated-limit',
          severity: 'high',
          message: `inflated ${rec.inflated}`,
          member,
          offset: undefined,
        });
        return false;
      }
      return true;
    },
  });
  return { ctx: make(undefined, 0, opts.path ?? 'test.bin'), rec };
}

/** Runs `handler` on `source` with a fresh fake context. */
export async function scanWith(
  handler: FormatHandler,
  source: ByteSource,
  opts: FakeOptions = {},
): Promise<Recording> {
  const { ctx, rec } = fakeContext(opts);
  await handler.scan(source, ctx);
  return rec;
}

/** Rule ids of the findings (sorted, unique). */
export function ruleIds(rec: Recording): string[] {
  return [...new Set(rec.findings.map((f) => f.ruleId))].sort();
}

/** True when a member head is a pickle with a PROTO opcode (what the engine would analyse as pickle). */
export function isPickleHead(head: Uint8Array): boolean {
  return head[0] === 0x80 && (head[1] ?? 9) <= 5;
}

/** `posix.system('id')` as protocol 2 writes it (GLOBAL, BINUNICODE, TUPLE1, REDUCE): the payload the archive tests hide. */
export const SYSTEM_ID_PICKLE: Uint8Array = new PickleAssembler()
  .proto(2)
  .global('posix', 'system')
  .binunicode('id')
  .tuple1()
  .reduce()
  .stop()
  .bytes();
