import { utf8Of } from '../../core/bytes.js';
import { LimitError, MalformedError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { Cursor } from './cursor.js';

/** Protobuf wire types (encoding.md). 6 and 7 are invalid. */
export const WIRE = { varint: 0, i64: 1, len: 2, startGroup: 3, endGroup: 4, i32: 5 } as const;
export type WireType = (typeof WIRE)[keyof typeof WIRE];

/** Named limits of the wire reader; each comment names the attack it stops. */
export const PROTOBUF_LIMITS = {
  /**
   * Nesting of messages and groups walked. protobuf's C++ and Python parsers stop at 100 by default;
   * deeper input is a recursion bomb for walkers (CWE-674).
   */
  maxDepth: 100,
  /** Bytes of one string field decoded into text (names, op types); longer ones are cut. CWE-789. */
  maxStringBytes: 64 << 10,
} as const;
export type ProtobufLimits = { readonly [K in keyof typeof PROTOBUF_LIMITS]: number };

/** Largest field number protobuf allows (2^29 - 1). */
export const MAX_FIELD_NUMBER = 0x1fffffff;

/** The field the reader stopped at: its number, wire type, where it starts, and its value's position. */
export interface FieldHeader {
  /** Field number, 1 … 2^29-1. */
  no: number;
  wire: WireType;
  /** Offset of the field's tag. */
  at: number;
  /** Offset of the value (after the tag; for LEN fields, after the length: the payload). */
  valueAt: number;
  /** Payload bytes of a LEN field (0 otherwise). */
  length: number;
  /** Offset just past the whole field (groups included). */
  end: number;
}

const TWO_28 = 0x10000000;

/**
 * Bounds-first protobuf wire reader over a ByteSource. One cursor serves the whole walk, so a
 * nested message costs no new window, and length-delimited payloads are never copied: `fields()` hands
 * out their offset and length and skips them with a seek, which on a FileSource reads nothing. A
 * 500 MB `raw_data` costs one seek. Every length is checked against the bytes left in the enclosing
 * message; malformed input throws MalformedError, limits LimitError (both ModelguardErrors).
 */
export class ProtoReader {
  private readonly r: Cursor;
  /** Current nesting depth (messages entered through `fields`, groups skipped). */
  private depth = 0;
  /** The last varint read, exactly, when it needed more than 53 bits. */
  private big: bigint | undefined;
  readonly limits: ProtobufLimits;
  readonly size: number;

  constructor(
    readonly source: ByteSource,
    limits: Partial<ProtobufLimits> = {},
  ) {
    this.r = new Cursor(source);
    this.limits = { ...PROTOBUF_LIMITS, ...limits };
    this.size = source.size;
  }

  get pos(): number {
    return this.r.pos;
  }

  /**
   * Reads a base-128 varint of at most 10 bytes. Values up to 2^53 are exact; larger ones are the
   * nearest double (the exact value is kept for `lastInt64`). An 11th continuation byte is malformed.
   */
  varint(what = 'varint'): number {
    const at = this.r.pos;
    let lo = 0;
    let shift = 1;
    // Four bytes (28 bits) in plain integer math; most varints end here.
    for (let i = 0; i < 4; i++) {
      const b = this.r.u8(what);
      lo += (b & 0x7f) * shift;
      if (b < 0x80) {
        this.big = undefined;
        return lo;
      }
      shift *= 128;
    }
    let hi = 0;
    shift = 1;
    for (let i = 4; i < 10; i++) {
      const b = this.r.u8(what);
      // The 10th byte carries bit 63 only; higher bits are dropped, as protobuf's parsers drop them.
      hi += (i === 9 ? b & 0x01 : b & 0x7f) * shift;
      if (b < 0x80) {
        const v = hi * TWO_28 + lo;
        this.big = v > Number.MAX_SAFE_INTEGER ? (BigInt(hi) << 28n) | BigInt(lo) : undefined;
        return v;
      }
      shift *= 128;
    }
    throw new MalformedError(`${what} at offset ${at} runs past 10 bytes (varint overflow)`, at);
  }

  /** The last varint as a signed int64 (two's complement), exact while |v| ≤ 2^53. */
  lastInt64(v: number): number {
    if (this.big === undefined) return v;
    return Number(BigInt.asIntN(64, this.big));
  }

  /** A varint read as int64 (negative values take 10 bytes on the wire). */
  int64(what = 'int64'): number {
    return this.lastInt64(this.varint(what));
  }

  /** Reads the next field header in [pos, end): tag, and for LEN fields the length (checked). */
  private header(end: number, f: FieldHeader): void {
    const at = this.r.pos;
    const tag = this.varint('field tag');
    if (tag > 0xffffffff) throw new MalformedError(`field tag ${tag} at offset ${at} exceeds 32 bits`, at);
    const wire = tag % 8;
    const no = Math.floor(tag / 8);
    if (no === 0) throw new MalformedError(`field number 0 at offset ${at}`, at);
    if (no > MAX_FIELD_NUMBER)
      throw new MalformedError(`field number ${fmtInt(no)} at offset ${at} exceeds 2^29-1`, at);
    if (wire === 6 || wire === 7)
      throw new MalformedError(`invalid wire type ${wire} (field ${no}) at offset ${at}`, at);
    f.no = no;
    f.wire = wire as WireType;
    f.at = at;
    f.length = 0;
    switch (wire) {
      case WIRE.varint:
        f.valueAt = this.r.pos;
        this.varint(`field ${no} varint`);
        break;
      case WIRE.i64:
        f.valueAt = this.r.pos;
        this.skipIn(8, end, `field ${no} fixed64`);
        break;
      case WIRE.i32:
        f.valueAt = this.r.pos;
        this.skipIn(4, end, `field ${no} fixed32`);
        break;
      case WIRE.len: {
        const lenAt = this.r.pos;
        const n = this.varint(`field ${no} length`);
        f.valueAt = this.r.pos;
        if (n > end - this.r.pos) {
          throw new MalformedError(
            `field ${no} at offset ${at}: length ${fmtInt(n)} runs past the end of its message (${fmtInt(end - this.r.pos)} bytes left)`,
            lenAt,
          );
        }
        f.length = n;
        this.r.skip(n, `field ${no} payload`);
        break;
      }
      case WIRE.startGroup:
        f.valueAt = this.r.pos;
        this.skipGroup(no, end, at);
        break;
      default:
        throw new MalformedError(`end-group tag (field ${no}) at offset ${at} without a start group`, at);
    }
    if (this.r.pos > end)
      throw new MalformedError(`field ${no} at offset ${at} runs past the end of its message`, at);
    f.end = this.r.pos;
  }

  private skipIn(n: number, end: number, what: string): void {
    if (n > end - this.r.pos)
      throw new MalformedError(
        `${what} at offset ${this.r.pos} runs past the end of its message`,
        this.r.pos,
      );
    this.r.skip(n, what);
  }

  /**
   * Skips a group (deprecated wire types 3/4) up to its matching end tag, without recursion: nested
   * groups are a stack of field numbers whose height counts against maxDepth.
   */
  private skipGroup(no: number, end: number, at: number): void {
    const stack = [no];
    while (stack.length > 0) {
      if (this.depth + stack.length > this.limits.maxDepth) {
        throw new LimitError(
          'maxDepth',
          `protobuf groups nested deeper than ${this.limits.maxDepth} at offset ${this.r.pos}`,
          this.r.pos,
        );
      }
      if (this.r.pos >= end)
        throw new MalformedError(`group (field ${no}) at offset ${at} has no end-group tag`, at);
      const tagAt = this.r.pos;
      const tag = this.varint('group field tag');
      const wire = tag % 8;
      const n = Math.floor(tag / 8);
      if (n === 0 || n > MAX_FIELD_NUMBER || tag > 0xffffffff || wire === 6 || wire === 7)
        throw new MalformedError(`invalid tag ${tag} inside a group at offset ${tagAt}`, tagAt);
      if (wire === WIRE.varint) this.varint('group varint');
      else if (wire === WIRE.i64) this.skipIn(8, end, 'group fixed64');
      else if (wire === WIRE.i32) this.skipIn(4, end, 'group fixed32');
      else if (wire === WIRE.len) {
        const len = this.varint('group length');
        this.skipIn(len, end, 'group payload');
      } else if (wire === WIRE.startGroup) stack.push(n);
      else {
        if (stack[stack.length - 1] !== n) {
          throw new MalformedError(
            `end-group tag for field ${n} at offset ${tagAt} does not match the open group (field ${stack[stack.length - 1]})`,
            tagAt,
          );
        }
        stack.pop();
      }
    }
  }

  /**
   * Walks the fields of the message in [start, end), calling `visit` once per field with a shared
   * header object (copy what you keep). `visit` may read the field's value or walk into it; afterwards
   * the reader continues just past the field whatever `visit` did. Depth counts against maxDepth.
   */
  fields(start: number, end: number, visit: (f: FieldHeader) => void): void {
    if (start < 0 || end > this.size || start > end)
      throw new MalformedError(`message range ${start}..${end} outside 0..${this.size}`, start);
    if (this.depth >= this.limits.maxDepth) {
      throw new LimitError(
        'maxDepth',
        `protobuf messages nested deeper than ${this.limits.maxDepth} at offset ${start}`,
        start,
      );
    }
    this.depth++;
    const f: FieldHeader = { no: 0, wire: 0, at: 0, valueAt: 0, length: 0, end: 0 };
    try {
      this.r.seek(start);
      while (this.r.pos < end) {
        this.header(end, f);
        const next = f.end;
        visit(f);
        this.r.seek(next);
      }
    } finally {
      this.depth--;
    }
  }

  /** The varint value of a wire-type-0 field. */
  varintAt(f: FieldHeader): number {
    this.r.seek(f.valueAt);
    return this.varint(`field ${f.no}`);
  }

  /** The int64 value of a wire-type-0 field (negative numbers decoded). */
  int64At(f: FieldHeader): number {
    this.r.seek(f.valueAt);
    return this.int64(`field ${f.no}`);
  }

  /** The little-endian fixed32 of a wire-type-5 field. */
  fixed32At(f: FieldHeader): number {
    this.r.seek(f.valueAt);
    return this.r.u32le(`field ${f.no}`);
  }

  /** The float of a wire-type-5 field. */
  floatAt(f: FieldHeader): number {
    this.r.seek(f.valueAt);
    return this.r.f32le(`field ${f.no}`);
  }

  /**
   * The payload of a LEN field as text (UTF-8, invalid bytes replaced), cut at `max` bytes
   * (default maxStringBytes). `cut` says whether it was.
   */
  textAt(f: FieldHeader, max = this.limits.maxStringBytes): { text: string; cut: boolean } {
    const n = Math.min(f.length, max);
    this.r.seek(f.valueAt);
    const cut = n < f.length;
    const text = utf8Of(this.r.bytes(n, `field ${f.no} text`));
    // A cut through a multi-byte character leaves a replacement character: drop it.
    return { text: cut && text.endsWith('\uFFFD') ? text.slice(0, -1) : text, cut };
  }

  /** The payload of a LEN field as text, cut at `max` bytes (an ellipsis marks the cut). */
  stringAt(f: FieldHeader, max = this.limits.maxStringBytes): string {
    const { text, cut } = this.textAt(f, max);
    return cut ? `${text}…` : text;
  }

  /** Up to `max` raw bytes of a LEN field's payload (a view: copy it to keep it). */
  bytesAt(f: FieldHeader, max: number): Uint8Array {
    this.r.seek(f.valueAt);
    return this.r.bytes(Math.min(f.length, max), `field ${f.no} bytes`);
  }

  /**
   * Visits the varints of a packed repeated field (a LEN payload of back-to-back varints), stopping
   * after `max` values; returns how many were read.
   */
  packedVarints(f: FieldHeader, max: number, visit: (v: number) => void, signed = false): number {
    const end = f.valueAt + f.length;
    this.r.seek(f.valueAt);
    let n = 0;
    while (this.r.pos < end && n < max) {
      const v = signed ? this.int64('packed varint') : this.varint('packed varint');
      if (this.r.pos > end)
        throw new MalformedError(
          `packed field ${f.no} at offset ${f.at}: varint runs past its payload`,
          f.at,
        );
      visit(v);
      n++;
    }
    return n;
  }

  /** Counts the varints of a packed field without decoding them (bytes with the top bit clear). */
  countPackedVarints(f: FieldHeader): number {
    let n = 0;
    let left = f.length;
    let at = f.valueAt;
    const chunk = 64 << 10;
    while (left > 0) {
      const k = Math.min(chunk, left);
      this.r.seek(at);
      const b = this.r.bytes(k, `field ${f.no} packed`);
      for (let i = 0; i < k; i++) if ((b[i] as number) < 0x80) n++;
      at += k;
      left -= k;
    }
    return n;
  }
}
