import { fmtInt } from '../../core/format-number.js';
import type { Severity } from '../../core/severity.js';
import type { ByteSource } from '../../core/source.js';
import { TF_OP_RISKS, TF_STANDARD_OPS } from '../../formats/savedmodel/index.js';
import {
  BUILTIN_CUSTOM,
  BUILTIN_OPERATORS,
  parseTflite,
  type TfliteModel,
  type TfliteOpCode,
} from '../../formats/tflite/index.js';
import { listSome, ModelReporter, quote } from '../onnx/bounded.js';
import type { FormatHandler, ScanContext } from '../types.js';
import { TFLITE_RULES as R } from './rules.js';

/** Custom ops TFLite's BuiltinOpResolver registers itself (tensorflow/lite/kernels/register.cc). */
const SHIPPED_CUSTOM_OPS: ReadonlySet<string> = new Set([
  'TFLite_Detection_PostProcess',
  'Mfcc',
  'AudioSpectrogram',
]);

/** BuiltinOperator.STABLEHLO_CUSTOM_CALL: calls a native target by name. */
const STABLEHLO_CUSTOM_CALL = BUILTIN_OPERATORS.indexOf('STABLEHLO_CUSTOM_CALL');

function usage(c: TfliteOpCode): string {
  const u = c.firstUse;
  const first =
    u === undefined
      ? 'unused (still resolved when the interpreter is built)'
      : `first in subgraph ${u.subgraph} operator ${u.operator}`;
  return `operator code ${c.index}, version ${c.version}, ${fmtInt(c.uses)} operator${c.uses === 1 ? '' : 's'}, ${first}`;
}

/** Severity and reason for running TensorFlow op `tfOp` through the Flex delegate. */
function judgeFlex(tfOp: string): { severity: Severity; why: string } {
  const risk = TF_OP_RISKS[tfOp];
  if (risk !== undefined && risk.risk !== 'attr')
    return {
      severity: 'high',
      why: `runs TensorFlow's ${tfOp} through the Flex delegate, which ${risk.why}`,
    };
  if (!TF_STANDARD_OPS.has(tfOp))
    return {
      severity: 'medium',
      why: `runs ${quote(tfOp)} through the Flex delegate, and it is not a standard TensorFlow op (custom op library?)`,
    };
  return { severity: 'medium', why: `runs TensorFlow's ${tfOp} through the Flex delegate` };
}

function reportFlex(c: TfliteOpCode, custom: string, out: ModelReporter): void {
  const named = custom.slice(4);
  const named_ = judgeFlex(named);
  out.report(R['tflite/flex-op'], {
    message: `TFLite custom code ${quote(custom)} ${named_.why}`,
    offset: c.firstUse?.offset ?? 0,
    severity: named_.severity,
    evidence: usage(c),
  });
  // The Flex delegate runs the NodeDef in the custom options, not the op the custom code names.
  for (const f of c.flexOps) {
    if (f.op === named) continue;
    const j = judgeFlex(f.op);
    out.report(R['tflite/flex-op'], {
      message: `TFLite custom code ${quote(custom)} hides a NodeDef for ${quote(f.op)} (${fmtInt(f.count)} operator${f.count === 1 ? '' : 's'}); the delegate executes the NodeDef, not the op the code names: it ${j.why}`,
      offset: f.offset,
      severity: 'high',
      evidence: usage(c),
    });
  }
}

function reportCustomGroup(codes: TfliteOpCode[], shipped: boolean, out: ModelReporter): void {
  const first = codes[0];
  if (first === undefined) return;
  const names = listSome(codes.map((c) => quote(c.customCode ?? '')));
  out.report(R['tflite/custom-op'], {
    message: shipped
      ? `TFLite custom op${codes.length === 1 ? '' : 's'} ${names} (registered by TFLite's own BuiltinOpResolver)`
      : `TFLite custom op${codes.length === 1 ? '' : 's'} ${names} need${codes.length === 1 ? 's' : ''} a kernel the application registers (native code)`,
    offset: first.firstUse?.offset ?? 0,
    ...(shipped ? { severity: 'low' as const } : {}),
    evidence: `${quote(first.customCode ?? '')}: ${usage(first)}`,
  });
}

function reportOpcodes(m: TfliteModel, out: ModelReporter): void {
  const custom: TfliteOpCode[] = [];
  const shipped: TfliteOpCode[] = [];
  for (const c of m.opcodes) {
    if (c.builtin === BUILTIN_CUSTOM) {
      const code = c.customCode ?? '';
      if (code.startsWith('Flex')) reportFlex(c, code, out);
      else (SHIPPED_CUSTOM_OPS.has(code) ? shipped : custom).push(c);
    } else if (c.builtin === STABLEHLO_CUSTOM_CALL) {
      out.report(R['tflite/custom-op'], {
        message: 'TFLite STABLEHLO_CUSTOM_CALL calls a native target the application registers by name',
        offset: c.firstUse?.offset ?? 0,
        evidence: usage(c),
      });
    } else if (c.builtin < 0 || c.builtin >= BUILTIN_OPERATORS.length) {
      out.report(R['tflite/custom-op'], {
        message: `TFLite builtin code ${c.builtin} is not in the schema modelguard knows (a newer TFLite, or a crafted file)`,
        offset: c.firstUse?.offset ?? 0,
        evidence: usage(c),
      });
    }
  }
  reportCustomGroup(custom, false, out);
  reportCustomGroup(shipped, true, out);
}

/**
 * TFLite handler: walks the flatbuffer with every offset checked, lists custom and Flex operators
 * (Flex ops judged by the TensorFlow op they run) and reports structural faults.
 */
export const tfliteHandler: FormatHandler = {
  format: 'tflite',
  async scan(source: ByteSource, ctx: ScanContext): Promise<void> {
    const m = parseTflite(source);
    const out = new ModelReporter(ctx);
    try {
      const s = m.stopped;
      if (s !== undefined) {
        out.report(s.kind === 'limit' ? R['tflite/limit-exceeded'] : R['tflite/malformed'], {
          message: `TFLite ${s.kind === 'limit' ? `walk stopped at limit ${s.limit ?? ''}` : 'flatbuffer malformed'}: ${s.message}; the rest was not inspected`,
          ...(s.offset === undefined ? {} : { offset: s.offset }),
        });
      }
      for (const a of m.anomalies)
        out.report(R['tflite/malformed'], {
          message: `TFLite ${a.detail}`,
          offset: a.offset,
          severity: 'medium',
        });
      if (m.anomalyCount > m.anomalies.length)
        out.report(R['tflite/malformed'], {
          message: `${fmtInt(m.anomalyCount - m.anomalies.length)} more TFLite anomalies were counted but not recorded`,
          severity: 'medium',
        });
      reportOpcodes(m, out);
    } finally {
      out.flush();
    }
  },
};
