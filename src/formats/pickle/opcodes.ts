/**
 * Every opcode of pickle protocols 0–5, as pickletools lists them (68 opcodes). `arg` names the
 * argument's encoding, which tells the VM how many bytes follow the opcode byte.
 */
export type OpcodeArg =
  | 'none'
  | 'u1' // 1-byte unsigned
  | 'u2' // 2-byte unsigned little-endian
  | 'i4' // 4-byte signed little-endian
  | 'u4' // 4-byte unsigned little-endian
  | 'u8' // 8-byte unsigned little-endian
  | 'f8' // 8-byte big-endian IEEE double
  | 'line' // one text line ending in \n
  | 'line2' // two text lines (module, name)
  | 'counted1' // 1-byte length, then data
  | 'counted4' // 4-byte length, then data
  | 'counted8'; // 8-byte length, then data

export interface OpcodeInfo {
  readonly name: string;
  readonly code: number;
  /** Protocol that introduced the opcode. */
  readonly proto: number;
  readonly arg: OpcodeArg;
}

const table = [
  ['INT', 'I', 0, 'line'],
  ['BININT', 'J', 1, 'i4'],
  ['BININT1', 'K', 1, 'u1'],
  ['BININT2', 'M', 1, 'u2'],
  ['LONG', 'L', 0, 'line'],
  ['LONG1', '\x8a', 2, 'counted1'],
  ['LONG4', '\x8b', 2, 'counted4'],
  ['STRING', 'S', 0, 'line'],
  ['BINSTRING', 'T', 1, 'counted4'],
  ['SHORT_BINSTRING', 'U', 1, 'counted1'],
  ['BINBYTES', 'B', 3, 'counted4'],
  ['SHORT_BINBYTES', 'C', 3, 'counted1'],
  ['BINBYTES8', '\x8e', 4, 'counted8'],
  ['BYTEARRAY8', '\x96', 5, 'counted8'],
  ['NEXT_BUFFER', '\x97', 5, 'none'],
  ['READONLY_BUFFER', '\x98', 5, 'none'],
  ['NONE', 'N', 0, 'none'],
  ['NEWTRUE', '\x88', 2, 'none'],
  ['NEWFALSE', '\x89', 2, 'none'],
  ['UNICODE', 'V', 0, 'line'],
  ['SHORT_BINUNICODE', '\x8c', 4, 'counted1'],
  ['BINUNICODE', 'X', 1, 'counted4'],
  ['BINUNICODE8', '\x8d', 4, 'counted8'],
  ['FLOAT', 'F', 0, 'line'],
  ['BINFLOAT', 'G', 1, 'f8'],
  ['EMPTY_LIST', ']', 1, 'none'],
  ['APPEND', 'a', 0, 'none'],
  ['APPENDS', 'e', 1, 'none'],
  ['LIST', 'l', 0, 'none'],
  ['EMPTY_TUPLE', ')', 1, 'none'],
  ['TUPLE', 't', 0, 'none'],
  ['TUPLE1', '\x85', 2, 'none'],
  ['TUPLE2', '\x86', 2, 'none'],
  ['TUPLE3', '\x87', 2, 'none'],
  ['EMPTY_DICT', '}', 1, 'none'],
  ['DICT', 'd', 0, 'none'],
  ['SETITEM', 's', 0, 'none'],
  ['SETITEMS', 'u', 1, 'none'],
  ['EMPTY_SET', '\x8f', 4, 'none'],
  ['ADDITEMS', '\x90', 4, 'none'],
  ['FROZENSET', '\x91', 4, 'none'],
  ['POP', '0', 0, 'none'],
  ['DUP', '2', 0, 'none'],
  ['MARK', '(', 0, 'none'],
  ['POP_MARK', '1', 1, 'none'],
  ['GET', 'g', 0, 'line'],
  ['BINGET', 'h', 1, 'u1'],
  ['LONG_BINGET', 'j', 1, 'u4'],
  ['PUT', 'p', 0, 'line'],
  ['BINPUT', 'q', 1, 'u1'],
  ['LONG_BINPUT', 'r', 1, 'u4'],
  ['MEMOIZE', '\x94', 4, 'none'],
  ['EXT1', '\x82', 2, 'u1'],
  ['EXT2', '\x83', 2, 'u2'],
  ['EXT4', '\x84', 2, 'i4'],
  ['GLOBAL', 'c', 0, 'line2'],
  ['STACK_GLOBAL', '\x93', 4, 'none'],
  ['REDUCE', 'R', 0, 'none'],
  ['BUILD', 'b', 0, 'none'],
  ['INST', 'i', 0, 'line2'],
  ['OBJ', 'o', 1, 'none'],
  ['NEWOBJ', '\x81', 2, 'none'],
  ['NEWOBJ_EX', '\x92', 4, 'none'],
  ['PROTO', '\x80', 2, 'u1'],
  ['STOP', '.', 0, 'none'],
  ['FRAME', '\x95', 4, 'u8'],
  ['PERSID', 'P', 0, 'line'],
  ['BINPERSID', 'Q', 1, 'none'],
] as const satisfies readonly (readonly [string, string, number, OpcodeArg])[];

export type OpcodeName = (typeof table)[number][0];

/** Opcode information keyed by name. */
export const OPCODES = Object.fromEntries(
  table.map(([name, ch, proto, arg]) => [name, { name, code: ch.charCodeAt(0), proto, arg }]),
) as { readonly [K in OpcodeName]: OpcodeInfo & { name: K } };

/** Opcode byte → information; undefined for bytes that are not opcodes. */
export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[] = (() => {
  const out: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const info of Object.values(OPCODES)) out[info.code] = info;
  return out;
})();

/** Opcode byte values, for the interpreter's switch. */
export const OP = Object.fromEntries(table.map(([name, ch]) => [name, ch.charCodeAt(0)])) as {
  readonly [K in OpcodeName]: number;
};

/** Highest pickle protocol CPython reads. */
export const HIGHEST_PROTOCOL = 5;

export function opcodeName(code: number): string {
  return OPCODE_BY_CODE[code]?.name ?? `0x${code.toString(16).padStart(2, '0')}`;
}
