import { HIGHEST_PROTOCOL } from './opcodes.js';
import { strOf } from './ops-text.js';
import { decodeAscii, decodeUtf8 } from './text.js';
import { type PickleValue, seqValue, unknown } from './values.js';
import type { Machine } from './vm.js';

/**
 * Opcodes that import, call, extend or frame: GLOBAL/STACK_GLOBAL/INST, REDUCE/OBJ/NEWOBJ(_EX)/BUILD,
 * persistent ids, EXT1/2/4, PROTO, FRAME, STOP. Returns false when the stream ends here.
 */
export function stepObjects(m: Machine, code: number, at: number): boolean {
  const inp = m.inp;
  switch (code) {
    // ---- globals, calls, extensions, persistent ids
    case 0x82: // EXT1
      return ext(m, at, inp.u8('EXT1'), 'EXT1');
    case 0x83: // EXT2
      return ext(m, at, inp.u16('EXT2'), 'EXT2');
    case 0x84: // EXT4
      return ext(m, at, inp.i32('EXT4'), 'EXT4');
    case 0x63: // GLOBAL
      m.push(lineGlobal(m, at, 'GLOBAL'));
      return true;
    case 0x93: {
      // STACK_GLOBAL
      const name = m.pop(at, code);
      const mod = m.pop(at, code);
      if (mod?.t === 'str' && name?.t === 'str' && !mod.truncated && !name.truncated) {
        m.push(m.global(mod.v, name.v, 'STACK_GLOBAL', at));
      } else {
        m.anomaly(
          'bad-operand',
          at,
          `STACK_GLOBAL at ${at} needs two str operands, got ${describe(mod)} and ${describe(name)}`,
        );
        m.push(unknown(`STACK_GLOBAL with ${describe(mod)}, ${describe(name)} at ${at}`));
      }
      return true;
    }
    case 0x69: {
      // INST: marker first, then the two lines, then find_class (C load_inst).
      const i = m.marker(at, code);
      const cls = lineGlobal(m, at, 'INST');
      const args = seqValue('tuple', i < 0 ? [] : m.takeFrom(i));
      m.push(m.call('INST', at, cls, args));
      return true;
    }
    case 0x6f: {
      // OBJ
      const i = m.marker(at, code);
      if (i < 0) return true;
      if (m.stack.length - i < 1) {
        m.push(m.underflow(at, code, 1));
        return true;
      }
      const args = seqValue('tuple', m.takeFrom(i + 1));
      const cls = m.stack.pop() as PickleValue;
      m.push(m.call('OBJ', at, cls, args));
      return true;
    }
    case 0x52: {
      // REDUCE
      const args = m.pop(at, code);
      m.push(m.call('REDUCE', at, m.pop(at, code), args));
      return true;
    }
    case 0x81: {
      // NEWOBJ
      const args = m.pop(at, code);
      m.push(m.call('NEWOBJ', at, m.pop(at, code), args));
      return true;
    }
    case 0x92: {
      // NEWOBJ_EX
      const [cls, args, kwargs] = m.popN(3, at, code) as [PickleValue, PickleValue, PickleValue];
      m.push(m.call('NEWOBJ_EX', at, cls, seqValue('tuple', [args, kwargs])));
      return true;
    }
    case 0x62: {
      // BUILD
      const state = m.pop(at, code);
      if (m.stack.length <= m.fence) {
        m.underflow(at, code, 2);
        return true;
      }
      return m.build(at, m.stack[m.stack.length - 1] as PickleValue, state);
    }
    case 0x50: {
      // PERSID
      const text = decodeAscii(inp.line('PERSID'));
      if (text === undefined) m.anomaly('invalid-value', at, `PERSID at ${at}: persistent id is not ASCII`);
      const id = text === undefined ? unknown('non-ASCII persistent id') : strOf(text, inp.lineCut);
      m.push(m.rec.persistentId('PERSID', at, id));
      return true;
    }
    case 0x51: {
      // BINPERSID
      const id = m.pop(at, code);
      m.push(m.rec.persistentId('BINPERSID', at, id));
      return true;
    }
    // ---- framing and protocol
    case 0x80: {
      // PROTO
      const v = inp.u8('PROTO');
      if (at !== m.start) {
        m.anomaly(
          'misplaced-proto',
          at,
          `PROTO ${v} at ${at} is not the first opcode of the pickle at ${m.start}`,
        );
      }
      if (v > HIGHEST_PROTOCOL)
        m.anomaly('invalid-value', at, `PROTO at ${at}: unsupported pickle protocol ${v}`);
      m.protoCount++;
      m.protocol ??= v;
      if (v <= HIGHEST_PROTOCOL) m.proto = v;
      return true;
    }
    case 0x95: {
      // FRAME
      const len = inp.u64('FRAME');
      if (m.frameEnd >= 0 && at < m.frameEnd) {
        m.anomaly(
          'frame-mismatch',
          at,
          `FRAME at ${at} starts before the current frame ends at ${m.frameEnd}`,
        );
        m.crossedFrame = true;
      }
      inp.frame(len, 'FRAME');
      if (inp.model === 'linear') m.frameEnd = inp.pos + len;
      return true;
    }
    case 0x2e: // STOP
      m.result = m.pop(at, code);
      m.complete = true;
      return false;
    default:
      m.opcodeCount--;
      m.anomaly(
        'unknown-opcode',
        at,
        `byte 0x${code.toString(16).padStart(2, '0')} at ${at} is not a pickle opcode; the stream cannot be followed past it`,
      );
      return false;
  }
}

function describe(v: PickleValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v.t === 'str') return `str ${v.truncated ? '(cut)' : JSON.stringify(v.v)}`;
  if (v.t === 'int') return `int ${String(v.v)}`;
  return v.t === 'unknown' ? `an unknown value (${v.why})` : v.t;
}

function ext(m: Machine, at: number, code: number, op: string): boolean {
  m.anomaly(
    'ext-opcode',
    at,
    `${op} ${code} at ${at} fetches a callable from the copyreg extension registry (no registry is known statically)`,
  );
  m.push({ t: 'ext', code, offset: at });
  return true;
}

/** GLOBAL / INST: two lines, UTF-8 (GLOBAL) or ASCII (INST), then find_class. */
function lineGlobal(m: Machine, at: number, op: 'GLOBAL' | 'INST'): PickleValue {
  const decode = op === 'GLOBAL' ? decodeUtf8 : decodeAscii;
  const module = decode(m.inp.line(`${op} module`));
  const moduleCut = m.inp.lineCut;
  const name = decode(m.inp.line(`${op} name`));
  if (
    module === undefined ||
    name === undefined ||
    module === '' ||
    name === '' ||
    moduleCut ||
    m.inp.lineCut
  ) {
    m.anomaly(
      'invalid-value',
      at,
      `${op} at ${at}: module or name line is empty, too long or not ${op === 'GLOBAL' ? 'UTF-8' : 'ASCII'}`,
    );
    return unknown(`bad ${op} at ${at}`);
  }
  return m.global(module, name, op, at);
}
