import { LimitError, ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { MemorySource } from '../../core/source.js';
import { ProtoReader, WIRE } from '../protobuf/reader.js';
import { builtinName, PLACEHOLDER_FOR_GREATER_OP_CODES } from './builtins.js';
import { type FbTable, FlatBufferReader } from './flatbuffer.js';
import { decodeFlexOptions } from './flexbuffer.js';

/** Named limits of the TFLite walker; each comment names the attack it stops. */
export const TFLITE_LIMITS = {
  /** OperatorCode entries read. CWE-400/CWE-770. */
  maxOperatorCodes: 100_000,
  /** Subgraphs walked. CWE-400. */
  maxSubgraphs: 10_000,
  /** Operators walked across subgraphs. Stops operator floods from costing unbounded time. CWE-400. */
  maxOperators: 10_000_000,
  /** Buffers checked. CWE-400. */
  maxBuffers: 10_000_000,
  /** Anomalies recorded (all are counted). CWE-400. */
  maxAnomalies: 1_000,
  /** Bytes of a custom code, description or name decoded. CWE-789. */
  maxStringBytes: 4096,
  /** Bytes of one Flex operator's custom options (a FlexBuffer holding a NodeDef) decoded. CWE-789. */
  maxFlexOptionsBytes: 1 << 20,
  /** Distinct TensorFlow ops recorded per Flex operator code. CWE-770. */
  maxFlexOpsPerCode: 64,
} as const;
export type TfliteLimits = { readonly [K in keyof typeof TFLITE_LIMITS]: number };

/** Field indices of tensorflow/lite schema.fbs tables (in declaration order). */
const F = {
  model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadata: 6 },
  opcode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  subgraph: { operators: 3, name: 4 },
  operator: { opcodeIndex: 0, customOptions: 5, largeCustomOptionsOffset: 9, largeCustomOptionsSize: 10 },
  buffer: { data: 0, offset: 1, size: 2 },
  metadata: { name: 0 },
} as const;

export interface TfliteOpCode {
  index: number;
  /** Effective builtin code: max(builtin_code, deprecated_builtin_code), as TFLite's GetBuiltinCode. */
  builtin: number;
  name: string;
  /** custom_code for CUSTOM ops (undefined when absent). */
  customCode: string | undefined;
  version: number;
  /** Operators using this code. */
  uses: number;
  /** Where the first operator using it sits. */
  firstUse: { subgraph: number; operator: number; offset: number } | undefined;
  /**
   * Flex codes: the TensorFlow ops the operators' NodeDefs actually name (the Flex delegate runs the
   * NodeDef in custom_options, whatever the custom code says), with how many operators each.
   */
  flexOps: Array<{ op: string; count: number; offset: number }>;
}

export type TfliteAnomalyKind =
  | 'bad-opcode-index'
  | 'buffer-range'
  | 'custom-options-range'
  | 'opcode-mismatch'
  | 'flex-options';

export interface TfliteAnomaly {
  kind: TfliteAnomalyKind;
  detail: string;
  offset: number;
}

export interface TfliteModel {
  version: number;
  description: string;
  opcodes: TfliteOpCode[];
  subgraphs: number;
  operators: number;
  buffers: number;
  metadata: string[];
  anomalies: TfliteAnomaly[];
  anomalyCount: number;
  stopped:
    | { kind: 'malformed' | 'limit'; message: string; offset: number | undefined; limit: string | undefined }
    | undefined;
}

const TFL3 = [0x54, 0x46, 0x4c, 0x33];
/** Head size the engine sniffs (scanners/sniff.ts SNIFF_BYTES); a shorter head is the whole file. */
const SNIFF_WINDOW = 512;

/** True when `head` carries the TFLite file identifier 'TFL3' at offset 4 (after the root offset). */
export function isTflite(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let i = 0; i < 4; i++) if (head[4 + i] !== TFL3[i]) return false;
  const root =
    ((head[0] as number) | ((head[1] as number) << 8) | ((head[2] as number) << 16)) +
    (head[3] as number) * 0x1000000;
  // A flatbuffer is under 2 GiB; a head shorter than the sniff window is the whole file, so the root
  // table must lie inside it.
  if (root < 8 || root >= 0x80000000) return false;
  return head.length >= SNIFF_WINDOW || root + 4 <= head.length;
}

/** NodeDef.op (field 2) of a serialized NodeDef; the last occurrence wins, as in protobuf. */
function nodeDefOp(bytes: Uint8Array): string {
  const r = new ProtoReader(new MemorySource(bytes), { maxDepth: 8 });
  let op = '';
  r.fields(0, bytes.length, (f) => {
    if (f.no === 2 && f.wire === WIRE.len) op = r.stringAt(f, 256);
  });
  return op;
}

class TfliteWalker {
  readonly fb: FlatBufferReader;
  readonly model: TfliteModel = {
    version: 0,
    description: '',
    opcodes: [],
    subgraphs: 0,
    operators: 0,
    buffers: 0,
    metadata: [],
    anomalies: [],
    anomalyCount: 0,
    stopped: undefined,
  };

  constructor(
    private readonly source: ByteSource,
    private readonly L: TfliteLimits,
  ) {
    this.fb = new FlatBufferReader(source);
  }

  private anomaly(kind: TfliteAnomalyKind, detail: string, offset: number): void {
    this.model.anomalyCount++;
    if (this.model.anomalies.length < this.L.maxAnomalies)
      this.model.anomalies.push({ kind, detail, offset });
  }

  private limit(name: keyof TfliteLimits, n: number, what: string, at: number): void {
    if (n > this.L[name])
      throw new LimitError(name, `${fmtInt(n)} ${what}, over ${name} ${fmtInt(this.L[name])}`, at);
  }

  run(): TfliteModel {
    try {
      this.walk();
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      this.model.stopped = {
        kind: e instanceof LimitError ? 'limit' : 'malformed',
        message: e.message,
        offset: e.offset,
        limit: e instanceof LimitError ? e.limit : undefined,
      };
    }
    return this.model;
  }

  private walk(): void {
    const fb = this.fb;
    const m = this.model;
    const M = F.model;
    const root = fb.root();
    m.version = fb.scalarU32(root, M.version, 0, 'Model.version');
    m.description = fb.string(root, M.description, this.L.maxStringBytes, 'Model.description')?.text ?? '';
    const codes = fb.vector(root, M.operatorCodes, 4, 'Model.operator_codes');
    if (codes !== undefined) {
      this.limit('maxOperatorCodes', codes.length, 'operator codes', codes.start);
      for (let i = 0; i < codes.length; i++) m.opcodes.push(this.opcode(codes.start, i));
    }
    const subgraphs = fb.vector(root, M.subgraphs, 4, 'Model.subgraphs');
    if (subgraphs !== undefined) {
      this.limit('maxSubgraphs', subgraphs.length, 'subgraphs', subgraphs.start);
      m.subgraphs = subgraphs.length;
      for (let s = 0; s < subgraphs.length; s++) this.subgraph(fb.tableIn(subgraphs, s, `SubGraph ${s}`), s);
    }
    const buffers = fb.vector(root, M.buffers, 4, 'Model.buffers');
    if (buffers !== undefined) {
      this.limit('maxBuffers', buffers.length, 'buffers', buffers.start);
      m.buffers = buffers.length;
      for (let b = 0; b < buffers.length; b++) this.buffer(b, buffers.start);
    }
    const metadata = fb.vector(root, M.metadata, 4, 'Model.metadata');
    if (metadata !== undefined) {
      for (let i = 0; i < Math.min(metadata.length, 1000); i++) {
        const t = fb.tableIn(metadata, i, `Metadata ${i}`);
        m.metadata.push(
          fb.string(t, F.metadata.name, this.L.maxStringBytes, `Metadata ${i}.name`)?.text ?? '',
        );
      }
    }
  }

  private opcode(start: number, i: number): TfliteOpCode {
    const fb = this.fb;
    const O = F.opcode;
    const t = fb.tableIn({ start, length: 0 }, i, `OperatorCode ${i}`);
    const deprecated = fb.scalarI8(
      t,
      O.deprecatedBuiltinCode,
      0,
      `OperatorCode ${i}.deprecated_builtin_code`,
    );
    const builtinCode = fb.scalarI32(t, O.builtinCode, 0, `OperatorCode ${i}.builtin_code`);
    const builtin = Math.max(builtinCode, deprecated);
    if (deprecated !== PLACEHOLDER_FOR_GREATER_OP_CODES && builtinCode !== 0 && builtinCode !== deprecated) {
      this.anomaly(
        'opcode-mismatch',
        `OperatorCode ${i}: builtin_code ${builtinCode} (${builtinName(builtinCode)}) disagrees with deprecated_builtin_code ${deprecated} (${builtinName(deprecated)}); readers that use the old field run a different op`,
        t.pos,
      );
    }
    const custom = fb.string(t, O.customCode, this.L.maxStringBytes, `OperatorCode ${i}.custom_code`);
    return {
      index: i,
      builtin,
      name: builtinName(builtin),
      customCode: custom === undefined ? undefined : custom.cut ? `${custom.text}…` : custom.text,
      version: fb.scalarI32(t, O.version, 1, `OperatorCode ${i}.version`),
      uses: 0,
      firstUse: undefined,
      flexOps: [],
    };
  }

  private subgraph(t: FbTable, s: number): void {
    const fb = this.fb;
    const ops = fb.vector(t, F.subgraph.operators, 4, `SubGraph ${s}.operators`);
    if (ops === undefined) return;
    this.model.operators += ops.length;
    this.limit('maxOperators', this.model.operators, 'operators', ops.start);
    const P = F.operator;
    for (let i = 0; i < ops.length; i++) {
      const op = fb.tableIn(ops, i, `SubGraph ${s} operator ${i}`);
      const index = fb.scalarU32(op, P.opcodeIndex, 0, `operator ${i}.opcode_index`);
      const code = this.model.opcodes[index];
      if (code === undefined) {
        this.anomaly(
          'bad-opcode-index',
          `subgraph ${s} operator ${i}: opcode_index ${fmtInt(index)} but the model has ${fmtInt(this.model.opcodes.length)} operator codes`,
          op.pos,
        );
      } else {
        code.uses++;
        code.firstUse ??= { subgraph: s, operator: i, offset: op.pos };
      }
      // Validates the custom options vector's bounds; only a Flex operator's options are read.
      const options = fb.vector(op, P.customOptions, 1, `operator ${i}.custom_options`);
      const largeOffset = fb.scalarU64(
        op,
        P.largeCustomOptionsOffset,
        0,
        `operator ${i}.large_custom_options_offset`,
      );
      const largeSize = fb.scalarU64(
        op,
        P.largeCustomOptionsSize,
        0,
        `operator ${i}.large_custom_options_size`,
      );
      if ((largeOffset !== 0 || largeSize !== 0) && largeOffset + largeSize > this.source.size) {
        this.anomaly(
          'custom-options-range',
          `subgraph ${s} operator ${i}: large custom options at ${fmtInt(largeOffset)} + ${fmtInt(largeSize)} bytes run past the ${fmtInt(this.source.size)}-byte file`,
          op.pos,
        );
      }
      if (code?.customCode?.startsWith('Flex')) {
        const range =
          largeSize > 0 && largeOffset + largeSize <= this.source.size
            ? { start: largeOffset, length: largeSize }
            : options;
        this.flexOp(code, range, s, i, op.pos);
      }
    }
  }

  /** Records the TensorFlow op a Flex operator's NodeDef names (custom_options = FlexBuffer [name, NodeDef]). */
  private flexOp(
    code: TfliteOpCode,
    range: { start: number; length: number } | undefined,
    s: number,
    i: number,
    at: number,
  ): void {
    const where = `subgraph ${s} operator ${i} (${code.customCode ?? ''})`;
    if (range === undefined || range.length === 0) {
      this.anomaly('flex-options', `${where}: Flex operator without custom options (no NodeDef to run)`, at);
      return;
    }
    if (range.length > this.L.maxFlexOptionsBytes) {
      this.anomaly(
        'flex-options',
        `${where}: custom options of ${fmtInt(range.length)} bytes exceed maxFlexOptionsBytes ${fmtInt(this.L.maxFlexOptionsBytes)}; the NodeDef was not inspected`,
        at,
      );
      return;
    }
    let op: string;
    try {
      const { nodeDef } = decodeFlexOptions(this.source.read(range.start, range.length));
      op = nodeDefOp(nodeDef);
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      this.anomaly('flex-options', `${where}: custom options are not a Flex NodeDef (${e.message})`, at);
      return;
    }
    const known = code.flexOps.find((f) => f.op === op);
    if (known !== undefined) known.count++;
    else if (code.flexOps.length < this.L.maxFlexOpsPerCode) code.flexOps.push({ op, count: 1, offset: at });
  }

  private buffer(b: number, start: number): void {
    const fb = this.fb;
    const t = fb.tableIn({ start, length: 0 }, b, `Buffer ${b}`);
    // Validates the data vector's bounds without reading the weights.
    fb.vector(t, F.buffer.data, 1, `Buffer ${b}.data`);
    const offset = fb.scalarU64(t, F.buffer.offset, 0, `Buffer ${b}.offset`);
    const size = fb.scalarU64(t, F.buffer.size, 0, `Buffer ${b}.size`);
    if ((offset > 1 || size > 0) && offset + size > this.source.size) {
      this.anomaly(
        'buffer-range',
        `Buffer ${b}: external data at offset ${fmtInt(offset)} + ${fmtInt(size)} bytes runs past the ${fmtInt(this.source.size)}-byte file`,
        t.pos,
      );
    }
  }
}

/**
 * Walks a TFLite flatbuffer: Model → operator_codes (builtin, deprecated builtin, custom codes) →
 * subgraphs' operators (which codes are used) → buffers (bounds only, weights never read) → metadata
 * names. Every offset and vtable is bounds-checked. Never throws for bad input: the first violation
 * ends the walk and is recorded in `stopped`, with what was read before it.
 */
export function parseTflite(source: ByteSource, limits: Partial<TfliteLimits> = {}): TfliteModel {
  return new TfliteWalker(source, { ...TFLITE_LIMITS, ...limits }).run();
}
