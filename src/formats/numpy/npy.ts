import { ByteReader } from '../../core/byte-reader.js';
import { asciiOf, startsWith, utf8Strictly } from '../../core/bytes.js';
import { LimitError, MalformedError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { type DtypeInfo, descrText, dtypeInfo } from './dtype.js';
import { dictGet, type PyValue, parsePyLiteral } from './literal.js';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const;

export const NPY_LIMITS = {
  /** Header bytes parsed. numpy itself refuses headers over 10,000 bytes; we read up to this. CWE-400/CWE-789. */
  maxHeaderBytes: 1 << 20,
  /** Dimensions in `shape`. Stops absurd shapes from costing time. CWE-400. */
  maxDims: 64,
} as const;

/** numpy's own `max_header_size` default: larger headers need `max_header_size=` to load. */
export const NUMPY_MAX_HEADER_SIZE = 10_000;

export type NpyFactKind = 'size-mismatch' | 'extra-keys' | 'large-header';

export interface NpyFact {
  kind: NpyFactKind;
  detail: string;
}

export interface NpyHeader {
  version: { major: number; minor: number };
  headerLength: number;
  /** Offset of the array data (or, for object arrays, of the pickle). */
  dataOffset: number;
  descr: PyValue;
  /** The descr as short text, e.g. `'<i4'` or `[('a', '|O')]`. */
  descrText: string;
  dtype: DtypeInfo;
  fortranOrder: boolean;
  shape: number[];
  /** Bytes after the header. */
  payloadBytes: number;
  /** shape × itemsize, undefined when unknown (object arrays, unknown dtypes). */
  expectedBytes: number | undefined;
  facts: NpyFact[];
}

/** True when `head` starts with the `.npy` magic. */
export function isNpy(head: Uint8Array): boolean {
  return startsWith(head, NPY_MAGIC);
}

/** Parses a `.npy` header. Throws MalformedError/TruncatedError/LimitError when numpy could not load it. */
export function parseNpyHeader(source: ByteSource): NpyHeader {
  const r = new ByteReader(source);
  if (!startsWith(r.bytes(6, 'npy magic'), NPY_MAGIC))
    throw new MalformedError('npy: missing \\x93NUMPY magic', 0);
  const major = r.u8('npy major version');
  const minor = r.u8('npy minor version');
  if (major < 1 || major > 3)
    throw new MalformedError(`npy: unsupported format version ${major}.${minor}`, 6);
  const headerLength = major === 1 ? r.u16le('npy header length') : r.u32le('npy header length');
  if (headerLength > NPY_LIMITS.maxHeaderBytes) {
    throw new LimitError(
      'maxHeaderBytes',
      `npy: header of ${fmtInt(headerLength)} bytes exceeds ${fmtInt(NPY_LIMITS.maxHeaderBytes)}`,
      r.pos,
    );
  }
  const raw = r.bytes(headerLength, 'npy header');
  const text = major === 3 ? utf8Strictly(raw) : asciiOf(raw);
  if (text === undefined)
    throw new MalformedError('npy: version 3 header is not valid UTF-8', r.pos - headerLength);
  const dataOffset = r.pos;
  const facts: NpyFact[] = [];
  if (headerLength > NUMPY_MAX_HEADER_SIZE) {
    facts.push({
      kind: 'large-header',
      detail: `header of ${fmtInt(headerLength)} bytes exceeds numpy's default max_header_size 10,000`,
    });
  }
  const dict = parsePyLiteral(text);
  if (dict.kind !== 'dict')
    throw new MalformedError(`npy: header is a ${dict.kind}, not a dict`, dataOffset - headerLength);
  const keys = dict.entries.map(([k]) => (k.kind === 'str' ? k.value : `<${k.kind}>`));
  const extra = keys.filter((k) => !['descr', 'fortran_order', 'shape'].includes(k));
  if (extra.length > 0)
    facts.push({ kind: 'extra-keys', detail: `header has keys numpy rejects: ${extra.join(', ')}` });
  const descr = dictGet(dict, 'descr');
  const fortran = dictGet(dict, 'fortran_order');
  const shapeV = dictGet(dict, 'shape');
  if (descr === undefined || fortran === undefined || shapeV === undefined) {
    throw new MalformedError(
      `npy: header lacks ${['descr', 'fortran_order', 'shape'].filter((k) => !keys.includes(k)).join(', ')}`,
      dataOffset - headerLength,
    );
  }
  if (fortran.kind !== 'bool')
    throw new MalformedError('npy: fortran_order is not a bool', dataOffset - headerLength);
  const shape = readShape(shapeV);
  const dtype = dtypeInfo(descr);
  const payloadBytes = source.size - dataOffset;
  let expectedBytes: number | undefined;
  if (!dtype.hasObject && dtype.itemSize !== undefined) {
    const count = shape.reduce((a, b) => a * b, 1);
    expectedBytes = count * dtype.itemSize;
    if (expectedBytes !== payloadBytes) {
      const what =
        expectedBytes > payloadBytes ? 'numpy fails to load it (EOF)' : 'numpy ignores the trailing bytes';
      facts.push({
        kind: 'size-mismatch',
        detail: `shape ${JSON.stringify(shape)} × itemsize ${dtype.itemSize} = ${fmtInt(expectedBytes)} bytes, file holds ${fmtInt(payloadBytes)}: ${what}`,
      });
    }
  }
  return {
    version: { major, minor },
    headerLength,
    dataOffset,
    descr,
    descrText: descrText(descr),
    dtype,
    fortranOrder: fortran.value,
    shape,
    payloadBytes,
    expectedBytes,
    facts,
  };
}

function readShape(v: PyValue): number[] {
  if (v.kind !== 'tuple') throw new MalformedError(`npy: shape is a ${v.kind}, not a tuple`);
  if (v.items.length > NPY_LIMITS.maxDims)
    throw new LimitError('maxDims', `npy: shape has ${v.items.length} dimensions`);
  return v.items.map((d) => {
    if (d.kind !== 'int' || d.value < 0n || d.value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MalformedError('npy: shape holds something other than a non-negative int');
    }
    return Number(d.value);
  });
}
