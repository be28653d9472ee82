import { ByteReader } from '../../core/byte-reader.js';
import { startsWith } from '../../core/bytes.js';
import { errorMessage } from '../../core/errors.js';
import { type ByteSource, SliceSource } from '../../core/source.js';
import {
  type AnomalyKind,
  analyzePickle,
  isMalformedStream,
  type PickleAnalysis,
  type TorchTarMember,
} from '../../formats/pickle/index.js';
import type { FormatHandler, ScanContext } from '../types.js';
import { nestedPayloads } from './nested-payloads.js';
import { reportPickleAnalysis } from './report-analysis.js';
import { PICKLE_RULES as R } from './rules.js';

/** Containers that may follow a pickle in a polyglot (T35); the engine sniffs and scans them. */
const CONTAINER_MAGIC: readonly (readonly number[])[] = [
  [0x50, 0x4b, 0x03, 0x04], // zip local header
  [0x50, 0x4b, 0x05, 0x06], // empty zip
  [0x1f, 0x8b], // gzip
  [0x42, 0x5a, 0x68], // bzip2
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], // numpy .npy
];

function trailingContainer(source: ByteSource, offset: number, length: number): boolean {
  const head = source.read(offset, Math.min(length, 264));
  if (CONTAINER_MAGIC.some((m) => startsWith(head, m))) return true;
  return head.length >= 262 && startsWith(head, [0x75, 0x73, 0x74, 0x61, 0x72], 257); // tar "ustar"
}

/**
 * Members named `storages` / `tensors` (legacy tar torch checkpoints, T42) hold pickles with raw
 * bytes between them; the layout is followed only while it matches, so the hint is safe anywhere.
 */
function torchTarHint(name: string): { torchTar?: TorchTarMember } {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base === 'storages' || base === 'tensors' ? { torchTar: base } : {};
}

/** The first top-level stream, when it failed from its first bytes: the data is no pickle. */
function malformedAtStart(a: PickleAnalysis): string | undefined {
  const s = a.streams[0];
  if (!s || !isMalformedStream(s)) return undefined;
  const first = s.anomalies[0];
  return first ? first.message : `no pickle opcode at offset ${s.start}`;
}

/**
 * Pickle format handler: runs the symbolic VM over the whole source (pickles back to back), judges
 * every imported global with the policy, reports each anomaly, lists the calls, and hands back to
 * the engine the byte strings given to nested loaders (pickle.loads(b'…'), T16) and a container
 * appended after the last pickle (pickle + zip polyglots, T35).
 */
export const pickleHandler: FormatHandler = {
  format: 'pickle',
  async scan(source: ByteSource, ctx: ScanContext): Promise<void> {
    ctx.noteFormat('pickle');
    let analysis: PickleAnalysis;
    try {
      analysis = analyzePickle(new ByteReader(source), ctx.limits, {
        multi: true,
        ...torchTarHint(ctx.name),
      });
    } catch (e) {
      ctx.report(R['pickle/malformed'], { message: `pickle analysis failed: ${errorMessage(e)}`, offset: 0 });
      return;
    }
    const malformed = malformedAtStart(analysis);
    if (malformed !== undefined) {
      ctx.report(R['pickle/malformed'], { message: `Not a pickle: ${malformed}`, offset: 0 });
      return;
    }
    ctx.noteImports(analysis.streams.flatMap((s) => s.globals.map((g) => `${g.module}.${g.name}`)));
    if (analysis.legacyTorch) ctx.noteFormat('pytorch-legacy');
    if (analysis.streams.some((s) => s.joblibArrays > 0)) ctx.noteFormat('joblib');
    const handled = new Set<AnomalyKind>();
    const t = analysis.trailing;
    const container = t !== undefined && trailingContainer(source, t.offset, t.length);
    if (container) handled.add('trailing-data');
    reportPickleAnalysis(analysis, ctx, { handledAnomalies: handled });
    for (const p of nestedPayloads(analysis, source, ctx.policy))
      await ctx.scanMember(p.name, p.source, 'pickle');
    if (t && container) {
      await ctx.scanMember(`<trailing@${t.offset}>`, new SliceSource(source, t.offset, t.length));
    }
  },
};
