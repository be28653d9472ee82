import type { ByteReader } from '../../core/byte-reader.js';
import { hexOf } from '../../core/bytes.js';
import { fmtInt } from '../../core/format-number.js';
import type { ScanLimits } from '../../core/limits.js';
import type { ReadModel } from './input.js';
import { type RenderOptions, renderOptions } from './render.js';
import { looksLikePickle, PICKLE_SNIFF_BYTES } from './sniff.js';
import { TorchTarLayout } from './torch-tar.js';
import type {
  AnalyzeOptions,
  Interpretation,
  PickleAnalysis,
  PickleAnomaly,
  PickleStream,
  StreamRole,
} from './types.js';
import { Machine } from './vm.js';

/** 0x1950a86a20f9469cfc6c: the first pickle of a legacy (non-zip) `torch.save` file. */
export const LEGACY_TORCH_MAGIC = 0x1950a86a20f9469cfc6cn;

/**
 * Whether a stream is the magic-number pickle that starts a legacy torch file: `literal` when it
 * returns the number, `dynamic` when it returns the result of a call mentioning it
 * (`builtins.eval('0x1950A86A20F9469CFC6C')`, T13 — torch accepts that too).
 */
export function legacyTorchMagic(s: PickleStream): 'literal' | 'dynamic' | undefined {
  const r = s.result;
  if (r?.t === 'int' && r.v !== undefined && BigInt(r.v) === LEGACY_TORCH_MAGIC) return 'literal';
  if (r?.t === 'call') {
    const trace = r.call.trace.toLowerCase();
    if (trace.includes('1950a86a20f9469cfc6c') || trace.includes(LEGACY_TORCH_MAGIC.toString()))
      return 'dynamic';
  }
  return undefined;
}

/**
 * True when the stream is not a pickle at all: it failed before STOP without importing or calling
 * anything, and it had no PROTO to say it was meant as one (or failed right after it).
 */
export function isMalformedStream(s: PickleStream): boolean {
  if (s.complete || s.globals.length > 0 || s.calls.length > 0) return false;
  return s.protocol === undefined || s.opcodeCount <= 1;
}

interface Draft {
  stream: Omit<PickleStream, 'index' | 'parent'> & { index: number; parent?: number };
  /** The stream's anomaly list, still open for trailing-data and limit records. */
  anomalies: PickleAnomaly[];
  parent?: Draft;
}

class Analyzer {
  readonly drafts: Draft[] = [];
  readonly render: RenderOptions;
  constructor(
    readonly reader: ByteReader,
    readonly limits: ScanLimits,
    readonly opts: Required<Omit<AnalyzeOptions, 'torchTar'>>,
  ) {
    this.render = renderOptions(limits.maxEvidenceChars);
  }

  private machine(start: number, model: ReadModel, joblib: boolean, alternate: boolean): Machine {
    return new Machine(this.reader, start, {
      model,
      joblib,
      alternate,
      limits: this.limits,
      render: this.render,
      onNested: (at) => {
        const d = this.draft(this.machine(at, 'linear', false, false).run(), 'joblib-object-array', 'pickle');
        this.drafts.push(d);
        return d.stream.complete ? d.stream.end : undefined;
      },
    });
  }

  private draft(m: Machine, role: StreamRole, interpretation: Interpretation, parent?: Draft): Draft {
    const stream: Draft['stream'] = {
      index: -1,
      start: m.start,
      end: m.inp.pos,
      role,
      interpretation,
      ...(m.divergedAt >= 0 ? { divergedAt: m.divergedAt } : {}),
      protocol: m.protocol,
      globals: m.rec.globals,
      calls: m.rec.calls,
      anomalies: m.rec.anomalies,
      persistentIds: m.rec.persistentIds,
      opcodeCount: m.opcodeCount,
      complete: m.complete,
      ...(m.result ? { result: m.result } : {}),
      joblibArrays: m.joblibArrays,
    };
    const anomalies = m.rec.anomalies;
    return parent ? { stream, anomalies, parent } : { stream, anomalies };
  }

  /** One top-level pickle at `start`: the primary reading, then alternatives where they diverge. */
  top(start: number): Draft[] {
    const first = this.drafts.length;
    const m = this.machine(start, 'linear', this.opts.joblib, false).run();
    const self = this.draft(m, 'top', 'pickle');
    const nested = this.drafts.splice(first);
    for (const d of nested) d.parent = self;
    const out = [self, ...nested];
    if (this.opts.alternates) {
      const alts: [boolean, ReadModel, Interpretation][] = [
        [m.crossedFrame, 'c-file', 'c-unpickler-file'],
        [m.skippedJoblib, 'linear', 'without-joblib'],
      ];
      for (const [needed, model, interpretation] of alts) {
        if (!needed) continue;
        const alt = this.machine(start, model, false, true).run();
        if (alt.divergedAt >= 0) out.push(this.draft(alt, 'top', interpretation, self));
      }
    }
    return out;
  }

  peek(at: number): Uint8Array {
    this.reader.seek(at);
    return this.reader.bytes(Math.min(PICKLE_SNIFF_BYTES, this.reader.remaining)).slice();
  }
}

/**
 * Analyses the pickle(s) starting at the reader's position, never executing anything. With
 * `multi` (default), pickles are read back to back like legacy torch and `pickle.load` loops do
 * (up to limits.maxPicklesPerStream); a legacy torch file stops after its 5th pickle (the rest is
 * raw storage). Bytes after the last pickle are `trailing` (a `trailing-data` anomaly).
 */
export function analyzePickle(
  reader: ByteReader,
  limits: ScanLimits,
  options: AnalyzeOptions = {},
): PickleAnalysis {
  const opts: Required<Omit<AnalyzeOptions, 'torchTar'>> = {
    multi: options.torchTar !== undefined || (options.multi ?? true),
    joblib: options.joblib ?? true,
    alternates: options.alternates ?? true,
  };
  const a = new Analyzer(reader, limits, opts);
  let layout = options.torchTar ? new TorchTarLayout(options.torchTar) : undefined;
  let layoutNote: PickleAnalysis['torchTar'];
  const end = reader.end;
  const tops: Draft[] = [];
  let pos = reader.pos;
  let legacy: PickleAnalysis['legacyTorch'];
  let magic: 'literal' | 'dynamic' | undefined;
  for (;;) {
    const group = a.top(pos);
    const primary = group[0] as Draft;
    if (tops.length > 0 && !primary.stream.complete && primary.stream.globals.length === 0) {
      const kind = looksLikePickle(a.peek(pos));
      if (kind !== true) break; // a 'maybe' that did not parse: trailing bytes, not a pickle
    }
    tops.push(primary);
    a.drafts.push(...group);
    pos = primary.stream.end;
    if (!primary.stream.complete || !opts.multi) break;
    if (tops.length === 1) magic = legacyTorchMagic(primary.stream as PickleStream);
    if (magic && tops.length === 5) {
      legacy = { magic, storagesOffset: pos };
      break;
    }
    if (layout) {
      const step = layout.after(primary.stream.result, pos, reader);
      if ('next' in step) pos = step.next;
      else {
        layoutNote = {
          member: layout.member,
          followed: 'done' in step,
          ...('failed' in step ? { note: step.failed } : {}),
        };
        layout = undefined;
        if ('done' in step) break;
      }
    }
    if (pos >= end) break;
    if (looksLikePickle(a.peek(pos)) === false) break;
    if (tops.length >= limits.maxPicklesPerStream) {
      primary.anomalies.push({
        kind: 'limit',
        offset: pos,
        message: `pickle count ${fmtInt(tops.length + 1)} exceeds limit maxPicklesPerStream ${fmtInt(limits.maxPicklesPerStream)}`,
        limit: 'maxPicklesPerStream',
      });
      return finish(a, tops, pos, { legacyTorch: legacy, torchTar: layoutNote });
    }
  }
  if (layout) layoutNote = { member: layout.member, followed: layout.complete };
  const last = tops[tops.length - 1] as Draft;
  let trailing: PickleAnalysis['trailing'];
  if (!legacy && last.stream.complete && pos < end) {
    trailing = { offset: pos, length: end - pos };
    last.anomalies.push({
      kind: 'trailing-data',
      offset: pos,
      message: `${fmtInt(end - pos)} bytes after the pickle that ends at ${pos} are not a pickle (they start ${hexOf(a.peek(pos), 8)})`,
    });
  }
  return finish(a, tops, pos, { trailing, legacyTorch: legacy, torchTar: layoutNote });
}

function finish(
  a: Analyzer,
  tops: readonly Draft[],
  end: number,
  extra: { [K in 'trailing' | 'legacyTorch' | 'torchTar']?: PickleAnalysis[K] | undefined },
): PickleAnalysis {
  const { trailing, legacyTorch, torchTar } = extra;
  const topSet = new Set(tops);
  const ordered = [...tops, ...a.drafts.filter((d) => !topSet.has(d))];
  ordered.forEach((d, i) => {
    d.stream.index = i;
  });
  for (const d of ordered) if (d.parent) d.stream.parent = d.parent.stream.index;
  return {
    streams: ordered.map((d) => d.stream as PickleStream),
    end,
    ...(trailing ? { trailing } : {}),
    ...(legacyTorch ? { legacyTorch } : {}),
    ...(torchTar ? { torchTar } : {}),
  };
}
