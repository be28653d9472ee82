import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import {
  ONNX_LIMITS,
  type OnnxExternalRef,
  type OnnxModel,
  type OnnxOpUse,
  parseOnnx,
  RUNTIME_DOMAINS,
  STANDARD_DOMAINS,
} from '../../formats/onnx/index.js';
import type { FormatHandler, ScanContext } from '../types.js';
import { listSome, ModelReporter, quote } from './bounded.js';
import { checkExternalFile, escapesFolder, locationReason } from './external.js';
import { ONNX_RULES as R } from './rules.js';

/** How a node's (domain, op_type) is accounted for. */
type OpVerdict =
  | { kind: 'standard' }
  | { kind: 'function' }
  | { kind: 'runtime' }
  | { kind: 'custom'; why: string };

function classifyOp(use: OnnxOpUse, functions: ReadonlySet<string>): OpVerdict {
  if (functions.has(`${use.domain}\u0000${use.opType}`)) return { kind: 'function' };
  const std = STANDARD_DOMAINS.get(use.domain);
  if (std !== undefined) {
    if (std.has(use.opType)) return { kind: 'standard' };
    const dom = use.domain === '' ? 'the default ONNX domain' : `domain ${quote(use.domain)}`;
    return { kind: 'custom', why: `op_type ${quote(use.opType)}, which is not an operator of ${dom}` };
  }
  if (RUNTIME_DOMAINS.has(use.domain)) return { kind: 'runtime' };
  return { kind: 'custom', why: `the custom operator domain ${quote(use.domain)}` };
}

function reportOps(m: OnnxModel, out: ModelReporter): void {
  const functions = new Set(m.functions.map((f) => `${f.domain}\u0000${f.name}`));
  const runtime: OnnxOpUse[] = [];
  for (const use of m.ops) {
    const v = classifyOp(use, functions);
    const nodes = `${fmtInt(use.count)} node${use.count === 1 ? '' : 's'}`;
    const evidence = `domain ${quote(use.domain)}, op_type ${quote(use.opType)}, ${nodes}, first at ${use.where}${use.inFunctionOnly ? ' (inside a model-local function)' : ''}`;
    if (v.kind === 'custom') {
      out.report(R['onnx/custom-op'], {
        message: `ONNX node uses ${v.why}: needs a native custom-op library from the model's publisher`,
        offset: use.offset,
        evidence,
      });
    } else if (v.kind === 'runtime') runtime.push(use);
  }
  if (runtime.length > 0) {
    const names = runtime.map((u) => `${u.domain}.${u.opType} (${fmtInt(u.count)})`);
    out.report(R['onnx/custom-op'], {
      message: `ONNX nodes use onnxruntime contrib operators (native kernels shipped with onnxruntime): ${listSome(names)}`,
      offset: runtime[0]?.offset ?? 0,
      severity: 'low',
      evidence: `first at ${runtime[0]?.where ?? ''}`,
    });
  }
}

function reportFunctionsAndMetadata(m: OnnxModel, out: ModelReporter): void {
  if (m.functions.length > 0) {
    const names = m.functions.map(
      (f) =>
        `${f.domain === '' ? '' : `${f.domain}.`}${f.name}${f.overload === '' ? '' : `:${f.overload}`} (${fmtInt(f.nodes)} node${f.nodes === 1 ? '' : 's'})`,
    );
    out.report(R['onnx/model-function'], {
      message: `${fmtInt(m.functions.length)} model-local function${m.functions.length === 1 ? '' : 's'}: ${listSome(names)}`,
      offset: m.functions[0]?.offset ?? 0,
    });
  }
  if (m.stats.metadata > 0) {
    const pairs = m.metadata.map((e) => `${quote(e.key, 40)}=${quote(e.value, 60)}`);
    out.report(R['onnx/metadata'], {
      message: `${fmtInt(m.stats.metadata)} metadata_props entr${m.stats.metadata === 1 ? 'y' : 'ies'}: ${listSome(pairs, 6)}`,
      offset: m.metadata[0]?.offset ?? 0,
    });
  }
}

function reportWalk(m: OnnxModel, out: ModelReporter): void {
  const s = m.stopped;
  if (s !== undefined) {
    const at = s.offset === undefined ? {} : { offset: s.offset };
    if (s.kind === 'limit')
      out.report(R['onnx/limit-exceeded'], {
        message: `ONNX walk stopped at limit ${s.limit ?? ''}: ${s.message}; the rest was not inspected`,
        ...at,
      });
    else
      out.report(R['onnx/malformed'], {
        message: `ONNX protobuf malformed: ${s.message}; the rest was not inspected`,
        ...at,
      });
  }
  for (const a of m.anomalies) {
    if (a.kind === 'too-deep')
      out.report(R['onnx/limit-exceeded'], { message: `ONNX ${a.detail}`, offset: a.offset });
    else out.report(R['onnx/size-anomaly'], { message: `ONNX tensor ${a.detail}`, offset: a.offset });
  }
  const unlisted = m.stats.anomalies - m.anomalies.length;
  if (unlisted > 0)
    out.report(R['onnx/size-anomaly'], {
      message: `${fmtInt(unlisted)} more tensor anomalies were counted but not recorded`,
    });
  const unchecked = m.stats.externalRefs - m.externalData.length;
  if (unchecked > 0) {
    out.report(R['onnx/limit-exceeded'], {
      message: `${fmtInt(m.stats.externalRefs)} external-data tensors, over maxExternalRefs ${fmtInt(ONNX_LIMITS.maxExternalRefs)}: ${fmtInt(unchecked)} were not checked`,
    });
  }
}

/** Offset/length values of one reference that loaders cannot honour. */
function reportRefRange(ref: OnnxExternalRef, out: ModelReporter, fileSize: number | undefined): void {
  const name = `tensor ${quote(ref.tensor)} (${ref.where})`;
  const problems: string[] = [...ref.badNumbers.map((b) => `${b} is not a decimal integer below 10^20`)];
  for (const [key, v] of [
    ['offset', ref.dataOffset],
    ['length', ref.length],
  ] as const) {
    if (v !== undefined && v > Number.MAX_SAFE_INTEGER)
      problems.push(`${key} ${fmtInt(BigInt(Math.round(v)))} is beyond 2^53`);
  }
  if (
    ref.length !== undefined &&
    ref.length <= Number.MAX_SAFE_INTEGER &&
    ref.length > ONNX_LIMITS.maxTensorBytes
  )
    problems.push(
      `length ${fmtInt(ref.length)} exceeds maxTensorBytes ${fmtInt(ONNX_LIMITS.maxTensorBytes)}`,
    );
  if (fileSize !== undefined) {
    const off = ref.dataOffset ?? 0;
    if (off > fileSize)
      problems.push(`offset ${fmtInt(off)} is past the end of the ${fmtInt(fileSize)}-byte file`);
    else if (ref.length !== undefined && off + ref.length > fileSize)
      problems.push(
        `offset ${fmtInt(off)} + length ${fmtInt(ref.length)} runs past the end of the ${fmtInt(fileSize)}-byte file`,
      );
  }
  if (problems.length > 0) {
    out.report(R['onnx/external-data-range'], {
      message: `ONNX external data of ${name}: ${problems.join('; ')}`,
      offset: ref.offset,
    });
  }
  if (ref.locations.length === 0) {
    out.report(R['onnx/external-data-range'], {
      message: `ONNX ${name} is marked as external data but names no location`,
      offset: ref.offset,
    });
  }
  const size = ref.length ?? (fileSize === undefined ? undefined : fileSize - (ref.dataOffset ?? 0));
  if (
    ref.expectedBytes !== undefined &&
    size !== undefined &&
    size >= 0 &&
    size !== ref.expectedBytes &&
    problems.length === 0
  ) {
    out.report(R['onnx/size-anomaly'], {
      message: `ONNX ${name}: dims × dtype need ${fmtInt(ref.expectedBytes)} bytes but the external data is ${fmtInt(size)} bytes`,
      offset: ref.offset,
    });
  }
}

/**
 * External data (T59/T60): every location is checked by its text; for a model on disk (not inside an
 * archive) the file is also resolved next to the model, links followed, and its size compared.
 */
function reportExternal(m: OnnxModel, ctx: ScanContext, out: ModelReporter): void {
  const byLocation = new Map<string, OnnxExternalRef[]>();
  for (const ref of m.externalData) {
    for (const loc of new Set(ref.locations)) {
      const list = byLocation.get(loc) ?? [];
      list.push(ref);
      byLocation.set(loc, list);
    }
    if (ref.locations.length === 0) reportRefRange(ref, out, undefined);
  }
  for (const [loc, refs] of byLocation) {
    const first = refs[0] as OnnxExternalRef;
    const tensors = listSome(
      refs.map((r) => quote(r.tensor, 60)),
      5,
    );
    const count = `${fmtInt(refs.length)} tensor${refs.length === 1 ? '' : 's'} (${tensors})`;
    const unmarked = refs.every((r) => !r.markedExternal)
      ? '; data_location is not EXTERNAL, so current loaders ignore the entry, but it is in the file'
      : '';
    const reason = locationReason(loc);
    if (reason !== undefined) {
      const escapes = escapesFolder(loc) ? ', resolving outside the model folder' : '';
      out.report(R['onnx/external-data-traversal'], {
        message: `ONNX external data location ${quote(loc)} (${reason}${escapes}) for ${count}${unmarked}`,
        offset: first.offset,
        evidence: `first at ${first.where}`,
      });
      for (const ref of refs) reportRefRange(ref, out, undefined);
      continue;
    }
    if (ctx.member !== undefined) {
      for (const ref of refs) reportRefRange(ref, out, undefined);
      continue;
    }
    const check = checkExternalFile(ctx.path, loc);
    switch (check.kind) {
      case 'missing':
        out.report(R['onnx/external-data-missing'], {
          message: `ONNX external data file ${quote(loc)} for ${count}: ${check.detail}`,
          offset: first.offset,
        });
        for (const ref of refs) reportRefRange(ref, out, undefined);
        break;
      case 'outside':
      case 'not-regular':
        out.report(R['onnx/external-data-symlink'], {
          message: `ONNX external data file ${quote(loc)} for ${count} ${check.detail}`,
          offset: first.offset,
          ...(check.real === undefined ? {} : { evidence: `real path ${check.real}` }),
        });
        for (const ref of refs) reportRefRange(ref, out, undefined);
        break;
      case 'ok':
        for (const ref of refs) reportRefRange(ref, out, check.size);
        break;
    }
  }
}

/**
 * ONNX handler: walks the ModelProto without reading tensor payloads and reports custom operators
 * (graph, subgraphs, functions), external-data traversal and links, size anomalies, functions and
 * metadata. Reads the file system only to resolve external-data files next to a model on disk.
 */
export const onnxHandler: FormatHandler = {
  format: 'onnx',
  async scan(source: ByteSource, ctx: ScanContext): Promise<void> {
    const model = parseOnnx(source);
    const out = new ModelReporter(ctx);
    try {
      reportWalk(model, out);
      reportOps(model, out);
      reportExternal(model, ctx, out);
      reportFunctionsAndMetadata(model, out);
    } finally {
      out.flush();
    }
  },
};
