import { asciiOf, utf8Strictly } from '../../core/bytes.js';
import { LimitError, MalformedError, TruncatedError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { GgufCursor } from './cursor.js';
import { checkKeys } from './keys.js';
import { checkLayout, checkTensor } from './layout.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_LIMITS, type GgufLimits } from './limits.js';
import {
  GGUF_TYPE,
  GGUF_TYPE_SIZE,
  type GgufFact,
  type GgufFactKind,
  type GgufFile,
  type GgufKv,
  type GgufTensorInfo,
  typeName,
} from './types.js';

export const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46] as const;
/** Newest GGUF version (v3 added big-endian files). */
export const GGUF_MAX_VERSION = 3;
/** Characters of a name or key shown in messages. */
const SHOWN = 120;
/** Names and keys longer than this are not decoded in full (only shown truncated). */
const DECODE_MAX = 4096;

/** Parsing cannot continue past this point; the fact is recorded where it is caught. */
class GgufStop extends MalformedError {
  constructor(
    readonly kind: GgufFactKind,
    message: string,
    offset: number,
  ) {
    super(message, offset);
    this.name = 'GgufStop';
  }
}

function shown(s: string): string {
  return s.length > SHOWN ? `${s.slice(0, SHOWN)}…` : s;
}

class Parser {
  readonly c: GgufCursor;
  readonly file: GgufFile;

  constructor(
    readonly source: ByteSource,
    readonly limits: GgufLimits,
    littleEndian: boolean,
    version: number,
  ) {
    this.c = new GgufCursor(source, littleEndian, version >= 2);
    this.file = {
      version,
      littleEndian,
      tensorCount: 0n,
      kvCount: 0n,
      kvs: [],
      tensors: [],
      alignment: GGUF_DEFAULT_ALIGNMENT,
      infoEnd: undefined,
      dataOffset: undefined,
      facts: [],
      droppedFacts: 0,
    };
  }

  fact(f: GgufFact): void {
    if (this.file.facts.length < this.limits.maxFacts) this.file.facts.push(f);
    else this.file.droppedFacts++;
  }

  /** A string's bytes: decoded in full up to DECODE_MAX, else its head with an ellipsis. */
  private text(len: number, what: string): { s: string; valid: boolean } {
    const take = Math.min(len, DECODE_MAX);
    const b = this.c.bytes(take, what);
    const strict = utf8Strictly(b);
    this.c.skip(len - take, what);
    const s = strict ?? asciiOf(b);
    return { s: len > take ? `${s}…` : s, valid: strict !== undefined };
  }

  /** Reads a string length and checks it against the remaining bytes (CVE-2024-23605 class). */
  private strlen(what: string): number {
    const at = this.c.pos;
    const len = this.c.len(`${what} length`);
    if (len > this.c.remaining)
      throw new GgufStop(
        'count-overflow',
        `${what} declares ${fmtInt(len)} bytes at offset ${fmtInt(at)}, but only ${fmtInt(this.c.remaining)} remain in the file`,
        at,
      );
    return len;
  }

  private count(what: string, declared: bigint, minBytes: number, limit: number, limitName: string): number {
    const at = this.c.pos;
    const possible = Math.floor(this.c.remaining / minBytes);
    if (declared >= 1n << 63n)
      this.fact({
        kind: 'count-overflow',
        detail: `${what} count ${fmtInt(declared)} is negative as the signed 64-bit value llama.cpp reads`,
        offset: at,
      });
    else if (declared > BigInt(possible))
      this.fact({
        kind: 'count-overflow',
        detail: `header declares ${fmtInt(declared)} ${what}s, but the ${fmtInt(this.c.remaining)} bytes left hold at most ${fmtInt(possible)} (integer-overflow bait, CVE-2024-23605)`,
        offset: at,
      });
    else if (declared > BigInt(limit))
      this.fact({
        kind: 'limit-exceeded',
        detail: `header declares ${fmtInt(declared)} ${what}s, more than ${limitName} (${fmtInt(limit)}); only the first ${fmtInt(limit)} were read`,
        offset: at,
      });
    return Number(declared > BigInt(limit) ? BigInt(limit) : declared);
  }

  run(): void {
    const c = this.c;
    const f = this.file;
    c.seek(8);
    const wide = c.wide;
    f.tensorCount = wide ? c.u64('tensor count') : BigInt(c.u32('tensor count'));
    f.kvCount = wide ? c.u64('kv count') : BigInt(c.u32('kv count'));
    const sz = wide ? 8 : 4;
    const nKv = this.count('key/value pair', f.kvCount, sz + 1 + 4 + 1, this.limits.maxKv, 'maxKv');
    const seen = new Set<string>();
    for (let i = 0; i < nKv; i++) this.readKv(seen);
    this.alignment();
    const nT = this.count('tensor info', f.tensorCount, sz + 4 + 4 + 8, this.limits.maxTensors, 'maxTensors');
    const names = new Set<string>();
    for (let i = 0; i < nT; i++) this.readTensorInfo(names);
    f.infoEnd = c.pos;
    const a = BigInt(f.alignment);
    const end = BigInt(c.pos);
    f.dataOffset = Number(f.tensorCount > 0n ? ((end + a - 1n) / a) * a : end);
  }

  private readKv(seen: Set<string>): void {
    const c = this.c;
    const at = c.pos;
    const len = this.strlen('key');
    if (len > this.limits.maxKeyBytes)
      this.fact({
        kind: 'limit-exceeded',
        detail: `key of ${fmtInt(len)} bytes at offset ${fmtInt(at)} exceeds maxKeyBytes (${fmtInt(this.limits.maxKeyBytes)})`,
        offset: at,
      });
    const { s: key, valid } = this.text(len, 'key');
    if (len === 0)
      this.fact({
        kind: 'malformed',
        detail: `empty key at offset ${fmtInt(at)} (llama.cpp refuses the file)`,
        offset: at,
      });
    else if (!valid)
      this.fact({
        kind: 'malformed',
        detail: `key at offset ${fmtInt(at)} is not valid UTF-8`,
        offset: at,
        severity: 'low',
      });
    if (seen.has(key))
      this.fact({
        kind: 'duplicate-key',
        detail: `key '${shown(key)}' occurs more than once: llama.cpp refuses the file, gguf-py and other readers keep one of the copies`,
        offset: at,
      });
    seen.add(key);
    const type = c.u32('value type');
    const kv: GgufKv = { key, at, type, valueAt: c.pos };
    if (type === GGUF_TYPE.ARRAY) {
      const elemType = c.u32('array element type');
      const count = c.len('array length');
      kv.elemType = elemType;
      kv.count = count;
      kv.valueAt = c.pos;
      this.readArray(key, elemType, count, 1);
    } else this.readValue(key, type, kv);
    this.file.kvs.push(kv);
  }

  private readValue(key: string, type: number, kv: GgufKv): void {
    const c = this.c;
    const what = `value of '${shown(key)}'`;
    switch (type) {
      case GGUF_TYPE.UINT8:
        kv.value = c.u8(what);
        return;
      case GGUF_TYPE.INT8:
        kv.value = (c.u8(what) << 24) >> 24;
        return;
      case GGUF_TYPE.UINT16:
        kv.value = c.u16(what);
        return;
      case GGUF_TYPE.INT16:
        kv.value = (c.u16(what) << 16) >> 16;
        return;
      case GGUF_TYPE.UINT32:
        kv.value = c.u32(what);
        return;
      case GGUF_TYPE.INT32:
        kv.value = c.i32(what);
        return;
      case GGUF_TYPE.FLOAT32:
        kv.value = c.f32(what);
        return;
      case GGUF_TYPE.BOOL: {
        const at = c.pos;
        const b = c.u8(what);
        if (b > 1)
          this.fact({
            kind: 'malformed',
            detail: `bool ${what} is ${b}, neither 0 nor 1 (readers disagree on its meaning)`,
            offset: at,
            severity: 'low',
          });
        kv.value = b !== 0;
        return;
      }
      case GGUF_TYPE.STRING: {
        const at = c.pos;
        const len = this.strlen(what);
        this.bigString(len, what, at);
        kv.valueAt = c.pos;
        kv.length = len;
        if (len <= this.limits.maxInlineString) kv.value = this.text(len, what).s;
        else c.skip(len, what);
        return;
      }
      case GGUF_TYPE.UINT64:
        kv.value = c.u64(what);
        return;
      case GGUF_TYPE.INT64:
        kv.value = c.i64(what);
        return;
      case GGUF_TYPE.FLOAT64:
        kv.value = c.f64(what);
        return;
      default:
        throw new GgufStop(
          'malformed',
          `${what} has invalid type ${type} (valid: 0–12); the rest of the file cannot be located`,
          c.pos - 4,
        );
    }
  }

  private bigString(len: number, what: string, at: number): void {
    if (len > this.limits.maxStringBytes)
      this.fact({
        kind: 'limit-exceeded',
        detail: `${what}: string of ${fmtInt(len)} bytes exceeds maxStringBytes (${fmtInt(this.limits.maxStringBytes)}, llama.cpp's GGUF_MAX_STRING_LENGTH)`,
        offset: at,
      });
  }

  private readArray(key: string, elemType: number, count: number, depth: number): void {
    const c = this.c;
    const at = c.pos;
    const what = `array '${shown(key)}'`;
    if (count > this.limits.maxArrayElements)
      this.fact({
        kind: 'limit-exceeded',
        detail: `${what} has ${fmtInt(count)} elements, more than maxArrayElements (${fmtInt(this.limits.maxArrayElements)}, llama.cpp's GGUF_MAX_ARRAY_ELEMENTS)`,
        offset: at,
      });
    const size = GGUF_TYPE_SIZE[elemType];
    const minBytes =
      elemType === GGUF_TYPE.STRING
        ? c.wide
          ? 8
          : 4
        : elemType === GGUF_TYPE.ARRAY
          ? c.wide
            ? 12
            : 8
          : size;
    if (minBytes === undefined || minBytes === 0)
      throw new GgufStop('malformed', `${what} has invalid element type ${elemType}`, at - (c.wide ? 12 : 8));
    if (count > Math.floor(c.remaining / minBytes))
      throw new GgufStop(
        'count-overflow',
        `${what} declares ${fmtInt(count)} ${typeName(elemType)} elements at offset ${fmtInt(at)}, but only ${fmtInt(c.remaining)} bytes remain`,
        at,
      );
    if (elemType === GGUF_TYPE.STRING) {
      for (let i = 0; i < count; i++) {
        const sat = c.pos;
        const len = this.strlen(`${what} element ${i}`);
        if (len > this.limits.maxStringBytes) this.bigString(len, `${what} element ${i}`, sat);
        c.skip(len, what);
      }
      return;
    }
    if (elemType !== GGUF_TYPE.ARRAY) {
      c.skip(count * minBytes, what);
      return;
    }
    if (depth === 1)
      this.fact({
        kind: 'nested-array',
        detail: `${what} is an array of arrays: llama.cpp refuses the file, gguf-py reads it (parser differential)`,
        offset: at,
      });
    if (depth >= this.limits.maxArrayDepth)
      throw new GgufStop(
        'limit-exceeded',
        `${what} nests arrays deeper than maxArrayDepth (${this.limits.maxArrayDepth})`,
        at,
      );
    for (let i = 0; i < count; i++) {
      const sub = c.u32(`${what} element type`);
      const n = c.len(`${what} element length`);
      this.readArray(key, sub, n, depth + 1);
    }
  }

  /** general.alignment must be a u32 power of two (llama.cpp); huge values overflow GGML_PAD. */
  private alignment(): void {
    const kv = this.file.kvs.find((k) => k.key === 'general.alignment');
    if (kv === undefined) return;
    if (kv.type !== GGUF_TYPE.UINT32) {
      this.fact({
        kind: 'type-confusion',
        detail: `general.alignment is ${typeName(kv.type, kv.elemType)}, not u32: llama.cpp refuses the file, other readers cast it`,
        offset: kv.at,
      });
      return;
    }
    const v = kv.value as number;
    if (v === 0 || (v & (v - 1)) !== 0)
      this.fact({
        kind: 'bad-alignment',
        detail: `general.alignment ${fmtInt(v)} is not a power of two`,
        offset: kv.at,
      });
    else if (v > this.limits.maxAlignment)
      this.fact({
        kind: 'bad-alignment',
        detail: `general.alignment ${fmtInt(v)} exceeds maxAlignment (${fmtInt(this.limits.maxAlignment)}): padding arithmetic with it overflows in unchecked readers`,
        offset: kv.at,
      });
    else this.file.alignment = v;
  }

  private readTensorInfo(names: Set<string>): void {
    const c = this.c;
    const at = c.pos;
    const len = this.strlen('tensor name');
    const { s: name } = this.text(len, 'tensor name');
    const info: GgufTensorInfo = { name, nameBytes: len, at, dims: [], type: -1, offset: 0n };
    const dimsAt = c.pos;
    const nDims = c.u32(`dimension count of '${shown(name)}'`);
    const dimBytes = c.wide ? 8 : 4;
    if (nDims > Math.floor(c.remaining / dimBytes))
      throw new GgufStop(
        'count-overflow',
        `tensor '${shown(name)}' declares ${fmtInt(nDims)} dimensions, more than the ${fmtInt(c.remaining)} bytes left can hold`,
        dimsAt,
      );
    for (let d = 0; d < nDims; d++)
      info.dims.push(c.wide ? c.u64('tensor dimension') : BigInt(c.u32('tensor dimension')));
    info.type = c.i32(`type of '${shown(name)}'`);
    info.offset = c.u64(`offset of '${shown(name)}'`);
    if (names.has(name))
      this.fact({
        kind: 'duplicate-tensor',
        detail: `tensor name '${shown(name)}' occurs more than once: llama.cpp refuses the file, other readers pick one copy`,
        offset: at,
      });
    names.add(name);
    checkTensor(info, this.file.alignment, this.limits, (f) => this.fact(f));
    this.file.tensors.push(info);
  }
}

/** Byte order and version from the 4 bytes after the magic (big-endian v3 files read 0x03000000). */
function versionOf(b: Uint8Array): { version: number; littleEndian: boolean } {
  const le =
    ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16)) + (b[3] as number) * 0x1000000;
  const be =
    ((b[3] as number) | ((b[2] as number) << 8) | ((b[1] as number) << 16)) + (b[0] as number) * 0x1000000;
  if (le !== 0 && (le & 0xffff) === 0 && be > 0 && be <= 0xffff) return { version: be, littleEndian: false };
  return { version: le, littleEndian: true };
}

/**
 * Reads a GGUF header: version, metadata key/values, tensor infos, with every count and length
 * checked against the bytes left and the named limits before anything is read or allocated. Tensor
 * data is never read. Bad content becomes facts (and `stopped` when the rest cannot be located);
 * nothing is thrown for it, so a template read before a broken tensor table is still analysed.
 */
export function parseGguf(source: ByteSource, limits: GgufLimits = GGUF_LIMITS): GgufFile {
  const head = source.read(0, Math.min(8, source.size));
  const { version, littleEndian } =
    head.length === 8 ? versionOf(head.subarray(4)) : { version: 0, littleEndian: true };
  const p = new Parser(source, limits, littleEndian, version);
  const f = p.file;
  const stop = (detail: string, offset: number, kind: GgufFactKind = 'malformed'): GgufFile => {
    f.stopped = { detail, offset };
    p.fact({ kind, detail, offset });
    return f;
  };
  if (head.length < 4 || !GGUF_MAGIC.every((b, i) => head[i] === b)) return stop('missing GGUF magic', 0);
  if (head.length < 8) return stop(`file of ${source.size} bytes ends inside the GGUF header`, 0);
  if (version === 0) return stop('GGUF version 0 is invalid', 4);
  if (version > GGUF_MAX_VERSION)
    return stop(
      `GGUF version ${fmtInt(version)} is newer than any reader knows (max ${GGUF_MAX_VERSION})`,
      4,
      'unsupported-version',
    );
  if (version === 1)
    p.fact({
      kind: 'unsupported-version',
      detail: 'GGUF v1 (32-bit lengths): llama.cpp no longer loads it; read with the v1 layout',
      offset: 4,
    });
  if (!littleEndian)
    p.fact({
      kind: 'unsupported-version',
      detail: `big-endian GGUF v${version}: little-endian hosts refuse it; read in big-endian order`,
      offset: 4,
      severity: 'low',
    });
  try {
    p.run();
  } catch (e) {
    if (e instanceof GgufStop) return stop(e.message, e.offset ?? p.c.pos, e.kind);
    if (e instanceof TruncatedError || e instanceof LimitError || e instanceof MalformedError)
      return stop(`truncated: ${e.message}`, e.offset ?? p.c.pos);
    throw e;
  } finally {
    checkKeys(f, (x) => p.fact(x));
  }
  checkLayout(f, source.size, (x) => p.fact(x));
  return f;
}
