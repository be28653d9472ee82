import { OPCODE_BY_CODE } from './opcodes.js';
import type { PickleAnalysis } from './types.js';

/** Bytes of the head `looksLikePickle` looks at. */
export const PICKLE_SNIFF_BYTES = 64;

/**
 * Opcodes a pickle can start with: they push without popping. Anything else (STOP, POP, APPEND,
 * REDUCE, GET …) fails at once in CPython, so a stream starting with it is not a pickle.
 */
const STARTERS = new Set(
  [
    'I',
    'J',
    'K',
    'L',
    'M',
    'F',
    'G',
    'S',
    'T',
    'U',
    'B',
    'C',
    'V',
    'X',
    'N',
    '(',
    ']',
    ')',
    '}',
    'c',
    'P',
    '\x8a',
    '\x8b',
    '\x8c',
    '\x8d',
    '\x8e',
    '\x88',
    '\x89',
    '\x8f',
    '\x96',
    '\x97',
    '\x82',
    '\x83',
    '\x84',
    '\x95',
  ].map((c) => c.charCodeAt(0)),
);

const IDENT_LINES = /^[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/;

function latin1(head: Uint8Array, n: number): string {
  let s = '';
  for (let i = 0; i < Math.min(n, head.length); i++) s += String.fromCharCode(head[i] as number);
  return s;
}

/** The line after the opcode at 0, when the head holds it; undefined when it runs past the head. */
function firstLine(head: Uint8Array): string | undefined {
  const nl = head.indexOf(0x0a, 1);
  return nl < 0 ? undefined : latin1(head.subarray(1), nl - 1);
}

function printableLine(line: string | undefined, full: boolean): 'maybe' | false {
  if (line === undefined) return full ? false : 'maybe';
  return /^[\x20-\x7e]*$/.test(line) ? 'maybe' : false;
}

/**
 * Content sniffing. `true`: PROTO 2–5 (or a protocol-0 `GLOBAL module\nname\n`) at offset 0.
 * `'maybe'`: a plausible protocol 0/1 start (`(`, `]`, `}`, `c`, `I`, `S`, `V`, `N` …): the engine
 * runs the VM and keeps the file as a pickle only if it parses to STOP or imports a global.
 */
export function looksLikePickle(head: Uint8Array): boolean | 'maybe' {
  const b0 = head[0];
  if (b0 === undefined) return false;
  if (b0 === 0x80) {
    const p = head[1];
    if (p === undefined) return 'maybe';
    if (p > 5) return false;
    const next = head[2];
    if (p >= 2 && (next === undefined || OPCODE_BY_CODE[next] !== undefined)) return true;
    return 'maybe';
  }
  if (!STARTERS.has(b0)) return false;
  const ch = String.fromCharCode(b0);
  const line = firstLine(head);
  const full = head.length >= PICKLE_SNIFF_BYTES;
  switch (ch) {
    case 'c':
      if (IDENT_LINES.test(latin1(head.subarray(1), head.length))) return true;
      return printableLine(line, full);
    case 'I':
    case 'L':
      return line !== undefined && /^[+-]?(\d+|0[xX][0-9a-fA-F]+)L?$/.test(line) ? 'maybe' : false;
    case 'F':
      return line !== undefined && /^[+-]?[\d.eE+-]+$|^[+-]?(inf|nan)$/i.test(line) ? 'maybe' : false;
    case 'S':
      return head[1] === 0x27 || head[1] === 0x22 ? 'maybe' : false;
    case 'P':
    case 'V':
      return printableLine(line, full);
    case '(':
    case ']':
    case ')':
    case '}':
    case 'N': {
      const next = head[1];
      if (next === undefined) return 'maybe';
      return OPCODE_BY_CODE[next] !== undefined && next !== 0x0a ? 'maybe' : false;
    }
    default:
      return 'maybe';
  }
}

/** A module path or attribute chain Python could import: dotted identifiers. */
const PY_DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Whether an analysis of a "maybe" stream (a protocol 0/1 start) shows a real pickle: some stream ran
 * to STOP, or it imports a global whose module and name are identifiers Python could import. Text
 * such as `class Foo:\n…` or `channels:\n…` reads as GLOBAL with two arbitrary lines, but
 * `find_class('lass Foo:', …)` can never import anything, so such files are not pickles.
 */
export function confirmsPickle(analysis: PickleAnalysis): boolean {
  for (const s of analysis.streams) {
    if (s.complete) return true;
    for (const g of s.globals) if (PY_DOTTED.test(g.module) && PY_DOTTED.test(g.name)) return true;
  }
  return false;
}
