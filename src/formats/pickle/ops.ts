import { opcodeName } from './opcodes.js';
import { stepObjects } from './ops-objects.js';
import { readLong, readUnicode, strOf } from './ops-text.js';
import {
  decodeLatin1,
  decodeRawUnicodeEscape,
  decodeStringLine,
  parseFloatLine,
  parseIntLine,
  parseLongLine,
  parsePyIntBase10,
} from './text.js';
import {
  BYTES_KEEP,
  dictSet,
  dictValue,
  EMPTY_TUPLE,
  FALSE,
  intValue,
  NONE,
  type PickleValue,
  seqPush,
  seqValue,
  TRUE,
  unknown,
} from './values.js';
import type { Machine } from './vm.js';

/**
 * Executes one opcode symbolically (CPython `load_*` semantics). Returns false when the stream
 * ends here (STOP, an unknown opcode, or a joblib array that cannot be followed).
 */
export function step(m: Machine, code: number, at: number): boolean {
  const inp = m.inp;
  switch (code) {
    // ---- integers and floats
    case 0x49: // INT
      return intLine(m, at, parseIntLine(decodeLatin1(inp.line('INT'))), 'INT');
    case 0x4c: // LONG
      return intLine(m, at, parseLongLine(decodeLatin1(inp.line('LONG'))), 'LONG');
    case 0x4a: // BININT
      m.push(intValue(inp.i32('BININT')));
      return true;
    case 0x4b: // BININT1
      m.push(intValue(inp.u8('BININT1')));
      return true;
    case 0x4d: // BININT2
      m.push(intValue(inp.u16('BININT2')));
      return true;
    case 0x8a: // LONG1
      m.push(readLong(m, at, inp.u8('LONG1')));
      return true;
    case 0x8b: // LONG4
      m.push(readLong(m, at, inp.i32('LONG4')));
      return true;
    case 0x46: {
      // FLOAT
      const f = parseFloatLine(decodeLatin1(inp.line('FLOAT')));
      if (f === undefined) m.anomaly('invalid-value', at, `FLOAT at ${at}: not a float`);
      m.push(f === undefined ? unknown(`bad FLOAT at ${at}`) : { t: 'float', v: f });
      return true;
    }
    case 0x47: // BINFLOAT
      m.push({ t: 'float', v: inp.f64('BINFLOAT') });
      return true;
    // ---- strings and bytes
    case 0x53: {
      // STRING
      const s = decodeStringLine(inp.line('STRING'));
      if (s === undefined)
        m.anomaly('invalid-value', at, `STRING at ${at}: argument is not a quoted Python string`);
      m.push(s === undefined ? unknown(`bad STRING at ${at}`) : strOf(s, inp.lineCut));
      return true;
    }
    case 0x54: // BINSTRING
      m.push(readBinString(m, inp.u32('BINSTRING'), 'BINSTRING'));
      return true;
    case 0x55: // SHORT_BINSTRING
      m.push(readBinString(m, inp.u8('SHORT_BINSTRING'), 'SHORT_BINSTRING'));
      return true;
    case 0x42: // BINBYTES
      return bytesOp(m, inp.u32('BINBYTES'), 'bytes', 'BINBYTES');
    case 0x43: // SHORT_BINBYTES
      return bytesOp(m, inp.u8('SHORT_BINBYTES'), 'bytes', 'SHORT_BINBYTES');
    case 0x8e: // BINBYTES8
      return bytesOp(m, inp.u64('BINBYTES8'), 'bytes', 'BINBYTES8');
    case 0x96: // BYTEARRAY8
      return bytesOp(m, inp.u64('BYTEARRAY8'), 'bytearray', 'BYTEARRAY8');
    case 0x97: // NEXT_BUFFER
      m.push({ t: 'opaque', text: '<out-of-band buffer>' });
      return true;
    case 0x98: // READONLY_BUFFER
      m.top(at, code);
      return true;
    case 0x56: {
      // UNICODE
      const s = decodeRawUnicodeEscape(inp.line('UNICODE'));
      if (s === undefined) m.anomaly('invalid-value', at, `UNICODE at ${at}: bad \\u escape`);
      m.push(s === undefined ? unknown(`bad UNICODE at ${at}`) : strOf(s, inp.lineCut));
      return true;
    }
    case 0x8c: // SHORT_BINUNICODE
      m.push(readUnicode(m, at, inp.u8('SHORT_BINUNICODE'), 'SHORT_BINUNICODE'));
      return true;
    case 0x58: // BINUNICODE
      m.push(readUnicode(m, at, inp.u32('BINUNICODE'), 'BINUNICODE'));
      return true;
    case 0x8d: // BINUNICODE8
      m.push(readUnicode(m, at, inp.u64('BINUNICODE8'), 'BINUNICODE8'));
      return true;
    // ---- constants and containers
    case 0x4e: // NONE
      m.push(NONE);
      return true;
    case 0x88: // NEWTRUE
      m.push(TRUE);
      return true;
    case 0x89: // NEWFALSE
      m.push(FALSE);
      return true;
    case 0x5d: // EMPTY_LIST
      m.push(seqValue('list', []));
      return true;
    case 0x29: // EMPTY_TUPLE
      m.push(EMPTY_TUPLE);
      return true;
    case 0x7d: // EMPTY_DICT
      m.push(dictValue());
      return true;
    case 0x8f: // EMPTY_SET
      m.push(seqValue('set', []));
      return true;
    case 0x85: // TUPLE1
      m.push(seqValue('tuple', [m.pop(at, code)]));
      return true;
    case 0x86: // TUPLE2
    case 0x87: // TUPLE3
      m.push(seqValue('tuple', m.popN(code - 0x84, at, code)));
      return true;
    case 0x74: // TUPLE
    case 0x6c: // LIST
    case 0x91: {
      // FROZENSET
      const i = m.marker(at, code);
      const kind = code === 0x74 ? 'tuple' : code === 0x6c ? 'list' : 'frozenset';
      m.push(i < 0 ? unknown(`${opcodeName(code)} without MARK`) : seqValue(kind, m.takeFrom(i)));
      return true;
    }
    case 0x64: {
      // DICT
      const i = m.marker(at, code);
      const d = dictValue();
      if (i >= 0) setItems(m, at, d, m.takeFrom(i), 'DICT');
      m.push(d);
      return true;
    }
    case 0x61: {
      // APPEND
      if (m.stack.length - 1 <= m.fence) {
        m.underflow(at, code, 2);
        return true;
      }
      const v = m.stack.pop() as PickleValue;
      mutate(m, at, 'APPEND', m.stack[m.stack.length - 1] as PickleValue, [v]);
      return true;
    }
    case 0x73: {
      // SETITEM
      if (m.stack.length - 2 <= m.fence) {
        m.underflow(at, code, 3);
        return true;
      }
      const kv = m.takeFrom(m.stack.length - 2);
      mutate(m, at, 'SETITEMS', m.stack[m.stack.length - 1] as PickleValue, kv);
      return true;
    }
    case 0x65: // APPENDS
    case 0x75: // SETITEMS
    case 0x90: {
      // ADDITEMS
      const x = m.marker(at, code);
      if (x < 0) return true;
      if (x <= m.fence || x > m.stack.length) {
        m.underflow(at, code, 1);
        m.takeFrom(Math.max(x, m.fence));
        return true;
      }
      const items = m.takeFrom(x);
      const kind = code === 0x65 ? 'APPEND' : code === 0x75 ? 'SETITEMS' : 'ADDITEMS';
      if (items.length > 0) mutate(m, at, kind, m.stack[x - 1] as PickleValue, items);
      return true;
    }
    // ---- stack
    case 0x30: // POP
      if (m.marks.length > 0 && m.marks[m.marks.length - 1] === m.stack.length) m.marker(at, code);
      else m.pop(at, code);
      return true;
    case 0x32: // DUP
      m.push(m.top(at, code));
      return true;
    case 0x28: // MARK
      m.pushMark();
      return true;
    case 0x31: {
      // POP_MARK
      const i = m.marker(at, code);
      if (i >= 0) m.takeFrom(i);
      return true;
    }
    // ---- memo
    case 0x67: // GET
      return memoLine(m, at, code, 'GET');
    case 0x68: // BINGET
      m.memoGet(inp.u8('BINGET'), at, code);
      return true;
    case 0x6a: // LONG_BINGET
      m.memoGet(inp.u32('LONG_BINGET'), at, code);
      return true;
    case 0x70: // PUT
      return memoLine(m, at, code, 'PUT');
    case 0x71: // BINPUT
      m.memoPut(inp.u8('BINPUT'), at, code);
      return true;
    case 0x72: // LONG_BINPUT
      m.memoPut(inp.u32('LONG_BINPUT'), at, code);
      return true;
    case 0x94: // MEMOIZE
      m.memoPut(m.memoSize, at, code);
      return true;
    default:
      return stepObjects(m, code, at);
  }
}

function intLine(m: Machine, at: number, v: bigint | boolean | undefined, op: string): boolean {
  if (v === undefined) m.anomaly('invalid-value', at, `${op} at ${at}: not an integer`);
  m.push(
    v === undefined
      ? unknown(`bad ${op} at ${at}`)
      : typeof v === 'boolean'
        ? v
          ? TRUE
          : FALSE
        : intValue(v),
  );
  return true;
}

function readBinString(m: Machine, n: number, op: string): PickleValue {
  const head = m.inp.counted(n, 16_384, false, op);
  return strOf(decodeLatin1(head), n > head.length, n);
}

function bytesOp(m: Machine, n: number, kind: 'bytes' | 'bytearray', op: string): boolean {
  const offset = m.inp.pos;
  const prefix = m.inp.counted(n, BYTES_KEEP, true, op).slice();
  m.push({ t: 'bytes', kind, length: n, prefix, offset });
  return true;
}

function memoLine(m: Machine, at: number, code: number, op: 'GET' | 'PUT'): boolean {
  const key = parsePyIntBase10(decodeLatin1(m.inp.line(op)));
  if (op === 'GET' && key !== undefined && (key < 0n || key > BigInt(Number.MAX_SAFE_INTEGER))) {
    // CPython looks the key up and misses (KeyError), as for any key never stored.
    m.memoGet(-1, at, code);
    return true;
  }
  if (key === undefined || key < 0n || key > BigInt(Number.MAX_SAFE_INTEGER)) {
    m.anomaly('invalid-value', at, `${op} at ${at}: memo key is not a non-negative integer`);
    if (op === 'GET') m.push(unknown(`bad GET at ${at}`));
    return true;
  }
  if (op === 'GET') m.memoGet(Number(key), at, code);
  else m.memoPut(Number(key), at, code);
  return true;
}

/** SETITEMS/DICT pairs into a dict value. */
function setItems(m: Machine, at: number, d: PickleValue, kv: PickleValue[], op: string): void {
  if (kv.length % 2 !== 0)
    m.anomaly('invalid-value', at, `${op} at ${at}: odd number of items (${kv.length})`);
  if (d.t !== 'dict') return;
  for (let i = 0; i + 1 < kv.length; i += 2) dictSet(d, kv[i] as PickleValue, kv[i + 1] as PickleValue);
}

/**
 * APPEND(S)/SETITEM(S)/ADDITEMS on `target`. Lists, dicts and sets take the items; on a global
 * (a module-level object) CPython calls its extend/append, __setitem__ or add: a call is recorded.
 */
function mutate(
  m: Machine,
  at: number,
  kind: 'APPEND' | 'SETITEMS' | 'ADDITEMS',
  target: PickleValue,
  items: PickleValue[],
): void {
  if (kind === 'SETITEMS') {
    setItems(m, at, target, items, 'SETITEMS');
  } else if ((kind === 'APPEND' && target.t === 'list') || (kind === 'ADDITEMS' && target.t === 'set')) {
    for (const v of items) seqPush(target, v);
  }
  if (target.t === 'global') {
    m.rec.call(kind, at, target, seqValue(kind === 'APPEND' ? 'list' : 'tuple', items));
  }
}
