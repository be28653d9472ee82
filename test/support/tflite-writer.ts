/**
 * A small flatbuffer writer for TFLite test models (tensorflow/lite schema.fbs field order). It lays
 * objects out front to back: root offset, 'TFL3', then each table as vtable + table, children after
 * their parent (uoffsets only point forward). Scalars are aligned to their size, as flatc does.
 */

export type FbScalar = { u8: number } | { i8: number } | { u32: number } | { i32: number } | { u64: bigint };
export type FbValue =
  | FbTable
  | { str: string }
  | { tables: FbTable[] }
  | { ubytes: Uint8Array }
  | { ints: number[] };
export interface FbTable {
  table: Array<FbScalar | FbValue | undefined>;
}

function sizeOf(f: FbScalar | FbValue): number {
  if ('u8' in f || 'i8' in f) return 1;
  if ('u64' in f) return 8;
  return 4;
}

class Writer {
  bytes: number[] = [];

  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  u16At(at: number, v: number): void {
    this.bytes[at] = v & 0xff;
    this.bytes[at + 1] = (v >> 8) & 0xff;
  }
  u32At(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.bytes[at + i] = (v >>> (8 * i)) & 0xff;
  }
  pushU32(v: number): number {
    const at = this.bytes.length;
    this.bytes.push(0, 0, 0, 0);
    this.u32At(at, v);
    return at;
  }

  place(v: FbValue): number {
    if ('table' in v) return this.tableOf(v);
    this.align(4);
    const at = this.bytes.length;
    if ('str' in v) {
      const b = new TextEncoder().encode(v.str);
      this.pushU32(b.length);
      this.bytes.push(...b, 0);
    } else if ('ubytes' in v) {
      this.pushU32(v.ubytes.length);
      this.bytes.push(...v.ubytes);
    } else if ('ints' in v) {
      this.pushU32(v.ints.length);
      for (const i of v.ints) this.pushU32(i >>> 0);
    } else {
      this.pushU32(v.tables.length);
      const slots = v.tables.map(() => this.pushU32(0));
      v.tables.forEach((t, i) => {
        const pos = this.tableOf(t);
        const slot = slots[i] as number;
        this.u32At(slot, pos - slot);
      });
    }
    return at;
  }

  private tableOf(t: FbTable): number {
    // Inline layout: soffset, then each present field aligned to its size.
    const layout: Array<{ index: number; rel: number; f: FbScalar | FbValue }> = [];
    let size = 4;
    t.table.forEach((f, index) => {
      if (f === undefined) return;
      const w = sizeOf(f);
      size = Math.ceil(size / w) * w;
      layout.push({ index, rel: size, f });
      size += w;
    });
    const tableSize = Math.ceil(size / 4) * 4;
    const vtSize = 4 + 2 * t.table.length;
    this.align(2);
    const vt = this.bytes.length;
    this.bytes.push(...new Array(vtSize).fill(0));
    this.u16At(vt, vtSize);
    this.u16At(vt + 2, tableSize);
    for (const l of layout) this.u16At(vt + 4 + 2 * l.index, l.rel);
    this.align(8);
    const pos = this.bytes.length;
    this.bytes.push(...new Array(tableSize).fill(0));
    this.u32At(pos, pos - vt);
    const children: Array<{ slot: number; v: FbValue }> = [];
    for (const l of layout) {
      const at = pos + l.rel;
      const f = l.f;
      if ('u8' in f) this.bytes[at] = f.u8 & 0xff;
      else if ('i8' in f) this.bytes[at] = f.i8 & 0xff;
      else if ('u32' in f) this.u32At(at, f.u32 >>> 0);
      else if ('i32' in f) this.u32At(at, f.i32 >>> 0);
      else if ('u64' in f) {
        this.u32At(at, Number(f.u64 & 0xffffffffn));
        this.u32At(at + 4, Number(f.u64 >> 32n));
      } else children.push({ slot: at, v: f });
    }
    for (const c of children) {
      const target = this.place(c.v);
      this.u32At(c.slot, target - c.slot);
    }
    return pos;
  }
}

/** Serialises a root table with the TFLite file identifier. */
export function buildFlatbuffer(root: FbTable, identifier = 'TFL3'): Uint8Array {
  const w = new Writer();
  w.pushU32(0);
  w.bytes.push(...new TextEncoder().encode(identifier.padEnd(4, '\0').slice(0, 4)));
  const pos = w.place(root);
  w.u32At(0, pos);
  return Uint8Array.from(w.bytes);
}

export interface OpCodeSpec {
  builtin: number;
  custom?: string;
  /** For Flex codes: the op the operators' NodeDef names (default: the custom code without `Flex`). */
  nodeDefOp?: string;
  /** For Flex codes: custom options bytes to use instead of a well-formed FlexBuffer. */
  options?: Uint8Array;
  version?: number;
  /** deprecated_builtin_code; defaults to min(builtin, 127). */
  deprecated?: number;
}

/** OperatorCode { deprecated_builtin_code:byte, custom_code:string, version:int, builtin_code:int }. */
export function opcode(spec: OpCodeSpec): FbTable {
  return {
    table: [
      { i8: spec.deprecated ?? Math.min(spec.builtin, 127) },
      spec.custom === undefined ? undefined : { str: spec.custom },
      { i32: spec.version ?? 1 },
      { i32: spec.builtin },
    ],
  };
}

/** Operator { opcode_index:uint, inputs:[int], outputs:[int], …, custom_options:[ubyte] (5) }. */
export function operator(opcodeIndex: number, customOptions?: Uint8Array): FbTable {
  return {
    table: [
      { u32: opcodeIndex },
      { ints: [0] },
      { ints: [1] },
      undefined,
      undefined,
      customOptions === undefined ? undefined : { ubytes: customOptions },
    ],
  };
}

/** A serialized NodeDef { name = 1, op = 2 } (tensorflow/core/framework/node_def.proto). */
function nodeDef(op: string): Uint8Array {
  const enc = new TextEncoder();
  const name = enc.encode('flex_node');
  const o = enc.encode(op);
  return Uint8Array.from([0x0a, name.length, ...name, 0x12, o.length, ...o]);
}

/**
 * The custom options of a Flex operator as the TFLite converter writes them: a FlexBuffer untyped
 * vector [op name, NodeDef bytes] (both STRING), everything 4 bytes wide.
 */
export function flexOptions(opName: string, nodeDefBytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const str = (b: Uint8Array): number => {
    u32(b.length);
    const at = out.length;
    out.push(...b, 0);
    while (out.length % 4 !== 0) out.push(0);
    return at;
  };
  const s0 = str(new TextEncoder().encode(opName));
  const s1 = str(nodeDefBytes);
  u32(2); // vector size
  const data = out.length;
  u32(data - s0);
  u32(data + 4 - s1);
  out.push((5 << 2) | 2, (5 << 2) | 2); // element types: STRING, 4-byte width
  while (out.length % 4 !== 0) out.push(0);
  const root = out.length;
  u32(root - data);
  out.push((10 << 2) | 2, 4); // root: VECTOR of 4-byte elements; root width 4
  return Uint8Array.from(out);
}

export interface ModelSpec {
  opcodes: OpCodeSpec[];
  /** Operators per subgraph, by opcode index. */
  operators: number[][];
  buffers?: Array<Uint8Array | { offset: bigint; size: bigint }>;
  description?: string;
  metadata?: string[];
}

/** Model { version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata }. */
export function tfliteModel(spec: ModelSpec): Uint8Array {
  const subgraphs: FbTable[] = spec.operators.map((ops, i) => ({
    table: [
      { tables: [] },
      { ints: [0] },
      { ints: [1] },
      {
        tables: ops.map((o) => {
          const c = spec.opcodes[o];
          if (c?.custom?.startsWith('Flex') !== true) return operator(o);
          const op = c.nodeDefOp ?? c.custom.slice(4);
          return operator(o, c.options ?? flexOptions(c.custom.slice(4), nodeDef(op)));
        }),
      },
      { str: `subgraph_${i}` },
    ],
  }));
  const buffers: FbTable[] = (spec.buffers ?? [new Uint8Array(0)]).map((b) =>
    b instanceof Uint8Array
      ? { table: [{ ubytes: b }] }
      : { table: [undefined, { u64: b.offset }, { u64: b.size }] },
  );
  return buildFlatbuffer({
    table: [
      { u32: 3 },
      { tables: spec.opcodes.map(opcode) },
      { tables: subgraphs },
      { str: spec.description ?? 'MLIR Converted.' },
      { tables: buffers },
      undefined,
      {
        tables: (spec.metadata ?? ['min_runtime_version']).map((n) => ({ table: [{ str: n }, { u32: 0 }] })),
      },
    ],
  });
}
