import { utf8Of } from '../../core/bytes.js';
import { MalformedError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';

/** A flatbuffer table: its position and its vtable's. */
export interface FbTable {
  pos: number;
  vtable: number;
  /** vtable size in bytes (4 + 2 × fields). */
  vtableSize: number;
  /** Inline size of the table (from the vtable). */
  tableSize: number;
}

/** A vector: where its elements start and how many there are. */
export interface FbVector {
  start: number;
  length: number;
}

/**
 * Bounds-checked flatbuffer access over a ByteSource (flatbuffers' binary format: root uoffset at 0,
 * tables with a signed offset to their vtable, fields located through the vtable, uoffsets to strings,
 * vectors and sub-tables). Every offset is checked against the buffer before it is followed, like
 * flatbuffers::Verifier; a violation throws MalformedError naming what was read where.
 */
export class FlatBufferReader {
  readonly size: number;

  constructor(
    private readonly source: ByteSource,
    /** Bytes the flatbuffer may occupy (the whole file unless buffers are appended). */
    size = source.size,
  ) {
    this.size = size;
  }

  private check(at: number, n: number, what: string): void {
    if (!Number.isInteger(at) || at < 0 || n < 0 || at + n > this.size) {
      throw new MalformedError(
        `${what}: ${fmtInt(n)} bytes at offset ${fmtInt(at)} lie outside the ${fmtInt(this.size)}-byte flatbuffer`,
        at >= 0 && Number.isFinite(at) ? Math.min(at, this.size) : 0,
      );
    }
  }

  u8(at: number, what: string): number {
    this.check(at, 1, what);
    return this.source.read(at, 1)[0] as number;
  }
  i8(at: number, what: string): number {
    const v = this.u8(at, what);
    return v > 127 ? v - 256 : v;
  }
  u16(at: number, what: string): number {
    this.check(at, 2, what);
    const b = this.source.read(at, 2);
    return (b[0] as number) | ((b[1] as number) << 8);
  }
  u32(at: number, what: string): number {
    this.check(at, 4, what);
    const b = this.source.read(at, 4);
    return (
      ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16)) + (b[3] as number) * 0x1000000
    );
  }
  i32(at: number, what: string): number {
    const v = this.u32(at, what);
    return v > 0x7fffffff ? v - 0x100000000 : v;
  }
  /** A u64 as a number (exact up to 2^53; larger values are the nearest double). */
  u64(at: number, what: string): number {
    return this.u32(at, what) + this.u32(at + 4, what) * 0x100000000;
  }

  /** The table a uoffset at `at` points to (a uoffset is relative to where it is stored). */
  tableAt(at: number, what: string): FbTable {
    const pos = at + this.u32(at, `${what} offset`);
    this.check(pos, 4, what);
    const vtable = pos - this.i32(pos, `${what} vtable offset`);
    this.check(vtable, 4, `${what} vtable`);
    const vtableSize = this.u16(vtable, `${what} vtable size`);
    const tableSize = this.u16(vtable + 2, `${what} table size`);
    if (vtableSize < 4 || vtableSize % 2 !== 0)
      throw new MalformedError(`${what}: vtable at ${fmtInt(vtable)} has invalid size ${vtableSize}`, vtable);
    this.check(vtable, vtableSize, `${what} vtable`);
    if (tableSize < 4)
      throw new MalformedError(`${what}: table at ${fmtInt(pos)} has invalid size ${tableSize}`, pos);
    this.check(pos, tableSize, what);
    return { pos, vtable, vtableSize, tableSize };
  }

  /** The root table (uoffset at 0). */
  root(): FbTable {
    return this.tableAt(0, 'root table');
  }

  /** Absolute position of field `index` of `t`, or undefined when absent; checked to lie inside the table. */
  field(t: FbTable, index: number, width: number, what: string): number | undefined {
    const o = 4 + 2 * index;
    if (o + 2 > t.vtableSize) return undefined;
    const rel = this.u16(t.vtable + o, `${what} vtable entry`);
    if (rel === 0) return undefined;
    if (rel + width > t.tableSize)
      throw new MalformedError(
        `${what}: field ${index} at +${rel} runs past its ${t.tableSize}-byte table`,
        t.pos,
      );
    return t.pos + rel;
  }

  scalarU32(t: FbTable, index: number, dflt: number, what: string): number {
    const at = this.field(t, index, 4, what);
    return at === undefined ? dflt : this.u32(at, what);
  }
  scalarI32(t: FbTable, index: number, dflt: number, what: string): number {
    const at = this.field(t, index, 4, what);
    return at === undefined ? dflt : this.i32(at, what);
  }
  scalarI8(t: FbTable, index: number, dflt: number, what: string): number {
    const at = this.field(t, index, 1, what);
    return at === undefined ? dflt : this.i8(at, what);
  }
  scalarU64(t: FbTable, index: number, dflt: number, what: string): number {
    const at = this.field(t, index, 8, what);
    return at === undefined ? dflt : this.u64(at, what);
  }

  /** A vector field of elements `elemSize` bytes wide, bounds-checked as a whole. */
  vector(t: FbTable, index: number, elemSize: number, what: string): FbVector | undefined {
    const at = this.field(t, index, 4, what);
    if (at === undefined) return undefined;
    const vec = at + this.u32(at, `${what} offset`);
    const length = this.u32(vec, `${what} length`);
    this.check(vec + 4, length * elemSize, what);
    return { start: vec + 4, length };
  }

  /** Element `i` of a vector of tables. */
  tableIn(v: FbVector, i: number, what: string): FbTable {
    return this.tableAt(v.start + 4 * i, what);
  }

  /** A string field, cut at `max` bytes (`cut` says whether it was); undefined when absent. */
  string(t: FbTable, index: number, max: number, what: string): { text: string; cut: boolean } | undefined {
    const v = this.vector(t, index, 1, what);
    if (v === undefined) return undefined;
    if (this.u8(v.start + v.length, `${what} terminator`) !== 0)
      throw new MalformedError(
        `${what}: string at ${fmtInt(v.start - 4)} lacks its NUL terminator`,
        v.start - 4,
      );
    const n = Math.min(v.length, max);
    return { text: n === 0 ? '' : utf8Of(this.source.read(v.start, n)), cut: n < v.length };
  }
}
