import { fmtInt } from '../../core/format-number.js';
import type { RuleMeta } from '../../core/rule.js';
import type {
  AnomalyKind,
  PickleAnalysis,
  PickleAnomaly,
  PickleGlobal,
  PickleStream,
} from '../../formats/pickle/index.js';
import type { ScanContext } from '../types.js';
import { globalEvidence, summarizeCalls } from './calls-summary.js';
import { PICKLE_RULES as R } from './rules.js';

/** The rule each VM anomaly is reported under. */
const ANOMALY_RULE = {
  'unknown-opcode': R['pickle/unknown-opcode'],
  'memo-miss': R['pickle/memo-miss'],
  'stack-underflow': R['pickle/stack-underflow'],
  'mark-missing': R['pickle/stack-underflow'],
  'bad-operand': R['pickle/bad-operand'],
  'invalid-value': R['pickle/bad-operand'],
  'frame-mismatch': R['pickle/frame-mismatch'],
  truncated: R['pickle/truncated'],
  'trailing-data': R['pickle/trailing-data'],
  limit: R['pickle/resource-limit'],
  'ext-opcode': R['pickle/ext-opcode'],
  'misplaced-proto': R['pickle/malformed'],
  'joblib-array': R['pickle/malformed'],
} as const satisfies Record<AnomalyKind, RuleMeta>;

/** Where in the file a stream sits, for messages (empty for a lone pickle). */
function where(a: PickleAnalysis, s: PickleStream): string {
  const tops = a.streams.filter((x) => x.role === 'top' && x.interpretation === 'pickle').length;
  if (s.role === 'joblib-object-array')
    return ` (in the nested pickle of a joblib object array at ${s.start})`;
  if (s.interpretation === 'c-unpickler-file') {
    return ` (when CPython's C unpickler reads the file, as torch.load and pickle.load(BytesIO) do; its reading diverges at ${s.divergedAt})`;
  }
  if (s.interpretation === 'without-joblib') {
    return ` (if the file is loaded with plain pickle.load instead of joblib.load; the readings diverge at ${s.divergedAt})`;
  }
  return tops > 1 ? ` (in pickle #${s.index + 1}, at offset ${s.start})` : '';
}

function fullName(g: PickleGlobal): string {
  const written = g.written ? ` (written ${g.written.module}.${g.written.name})` : '';
  return `${g.module}.${g.name}${written}`;
}

/** Globals, once per (module, name) with a count, in order of first import. */
function distinctGlobals(s: PickleStream): { global: PickleGlobal; count: number }[] {
  const byKey = new Map<string, { global: PickleGlobal; count: number }>();
  for (const g of s.globals) {
    const key = `${g.module}\n${g.name}`;
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { global: g, count: 1 });
  }
  return [...byKey.values()];
}

function reportGlobals(
  a: PickleAnalysis,
  s: PickleStream,
  ctx: ScanContext,
  skip: ReadonlySet<string>,
): Set<string> {
  const reported = new Set<string>();
  const onlyDangerous = s.interpretation === 'without-joblib';
  for (const { global: g, count } of distinctGlobals(s)) {
    const key = `${g.module}\n${g.name}`;
    if (skip.has(key)) continue;
    const verdict = ctx.policy.classify(g.module, g.name);
    const times = count > 1 ? ` (${fmtInt(count)} times)` : '';
    if (verdict.kind === 'dangerous') {
      ctx.report(R['pickle/dangerous-global'], {
        message: `Loading imports ${fullName(g)}${times} — ${verdict.family}: ${verdict.reason}${where(a, s)}`,
        offset: g.offset,
        evidence: globalEvidence(s, g),
      });
    } else if (verdict.kind === 'unknown' && !onlyDangerous) {
      ctx.report(R['pickle/unknown-global'], {
        message: `Loading imports ${fullName(g)}${times}, which no allowlist knows${where(a, s)}`,
        offset: g.offset,
        evidence: globalEvidence(s, g),
        severity: ctx.policy.unknownSeverity,
      });
    } else continue;
    reported.add(key);
  }
  return reported;
}

function reportAnomalies(
  a: PickleAnalysis,
  s: PickleStream,
  ctx: ScanContext,
  handled: ReadonlySet<AnomalyKind>,
): void {
  const byKind = new Map<AnomalyKind, { first: PickleAnomaly; count: number }>();
  for (const x of s.anomalies) {
    if (handled.has(x.kind)) continue;
    const seen = byKind.get(x.kind);
    if (seen) seen.count++;
    else byKind.set(x.kind, { first: x, count: 1 });
  }
  for (const [kind, { first, count }] of byKind) {
    const more = count > 1 ? ` (and ${fmtInt(count - 1)} more like it)` : '';
    ctx.report(ANOMALY_RULE[kind], {
      message: `${first.message}${more}${where(a, s)}`,
      offset: first.offset,
    });
  }
}

export interface ReportOptions {
  /** Anomaly kinds the caller handles itself (the handler hands trailing containers to the engine). */
  readonly handledAnomalies?: ReadonlySet<AnomalyKind>;
}

/**
 * Turns a pickle analysis into findings: dangerous and unknown globals (policy), one finding per
 * anomaly kind and stream, and an info list of the calls. Alternative interpretations report only
 * what their parent did not (`without-joblib`: dangerous globals only, as its bytes are mostly data).
 */
export function reportPickleAnalysis(a: PickleAnalysis, ctx: ScanContext, opts: ReportOptions = {}): void {
  const handled = opts.handledAnomalies ?? new Set<AnomalyKind>();
  const reportedBy = new Map<number, Set<string>>();
  for (const s of a.streams) {
    const alternative = s.interpretation !== 'pickle';
    const skip =
      alternative && s.parent !== undefined
        ? (reportedBy.get(s.parent) ?? new Set<string>())
        : new Set<string>();
    reportedBy.set(s.index, reportGlobals(a, s, ctx, skip));
    if (!alternative) reportAnomalies(a, s, ctx, handled);
    if (s.interpretation === 'without-joblib') continue;
    const calls = summarizeCalls(s);
    if (calls) {
      ctx.report(R['pickle/calls'], {
        message: `${calls.message}${where(a, s)}`,
        offset: s.start,
        evidence: calls.evidence,
      });
    }
  }
}
