/**
 * A pickle assembler: writes opcodes byte by byte, exactly as given, with no validation. Used to build
 * hostile test inputs and the demo corpus (shapes that no Python pickler would emit). Never loads them.
 */
export class PickleAssembler {
  private readonly chunks: number[] = [];

  /** Raw bytes, appended verbatim. */
  raw(bytes: ArrayLike<number> | string): this {
    if (typeof bytes === 'string') {
      for (const b of Buffer.from(bytes, 'latin1')) this.chunks.push(b);
    } else {
      for (let i = 0; i < bytes.length; i++) this.chunks.push((bytes[i] as number) & 0xff);
    }
    return this;
  }
  op(code: string): this {
    return this.raw(code);
  }
  private u8(n: number): this {
    this.chunks.push(n & 0xff);
    return this;
  }
  private u16(n: number): this {
    return this.u8(n).u8(n >>> 8);
  }
  private u32(n: number): this {
    return this.u8(n)
      .u8(n >>> 8)
      .u8(n >>> 16)
      .u8(n >>> 24);
  }
  private u64(n: number | bigint): this {
    const v = BigInt(n);
    for (let i = 0n; i < 8n; i++) this.u8(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  private utf8(s: string): Buffer {
    return Buffer.from(s, 'utf8');
  }

  proto(v: number): this {
    return this.op('\x80').u8(v);
  }
  frame(length: number | bigint): this {
    return this.op('\x95').u64(length);
  }
  stop(): this {
    return this.op('.');
  }
  mark(): this {
    return this.op('(');
  }
  pop(): this {
    return this.op('0');
  }
  popMark(): this {
    return this.op('1');
  }
  dup(): this {
    return this.op('2');
  }
  none(): this {
    return this.op('N');
  }
  bool(v: boolean): this {
    return this.op(v ? '\x88' : '\x89');
  }
  /** Protocol 0 `I` with a decimal line. */
  intLine(v: number | string): this {
    return this.op('I').raw(`${v}\n`);
  }
  /** Protocol 0 `L` line (with the trailing `L` Python 2 wrote). */
  longLine(v: bigint | string): this {
    return this.op('L').raw(`${v}L\n`);
  }
  floatLine(v: string): this {
    return this.op('F').raw(`${v}\n`);
  }
  binint(v: number): this {
    return this.op('J').u32(v);
  }
  binint1(v: number): this {
    return this.op('K').u8(v);
  }
  binint2(v: number): this {
    return this.op('M').u16(v);
  }
  long1(bytes: ArrayLike<number>): this {
    return this.op('\x8a').u8(bytes.length).raw(bytes);
  }
  long4(bytes: ArrayLike<number>): this {
    return this.op('\x8b').u32(bytes.length).raw(bytes);
  }
  binfloat(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return this.op('G').raw(b);
  }
  /** Protocol 0 `S'...'` string line (repr quoting is the caller's). */
  stringLine(quoted: string): this {
    return this.op('S').raw(`${quoted}\n`);
  }
  binstring(s: string): this {
    const b = Buffer.from(s, 'latin1');
    return this.op('T').u32(b.length).raw(b);
  }
  shortBinstring(s: string): this {
    const b = Buffer.from(s, 'latin1');
    return this.op('U').u8(b.length).raw(b);
  }
  unicodeLine(s: string): this {
    return this.op('V').raw(`${s}\n`);
  }
  binunicode(s: string): this {
    const b = this.utf8(s);
    return this.op('X').u32(b.length).raw(b);
  }
  shortBinunicode(s: string): this {
    const b = this.utf8(s);
    return this.op('\x8c').u8(b.length).raw(b);
  }
  binunicode8(s: string): this {
    const b = this.utf8(s);
    return this.op('\x8d').u64(b.length).raw(b);
  }
  binbytes(bytes: ArrayLike<number>): this {
    return this.op('B').u32(bytes.length).raw(bytes);
  }
  shortBinbytes(bytes: ArrayLike<number>): this {
    return this.op('C').u8(bytes.length).raw(bytes);
  }
  binbytes8(bytes: ArrayLike<number>): this {
    return this.op('\x8e').u64(bytes.length).raw(bytes);
  }
  bytearray8(bytes: ArrayLike<number>): this {
    return this.op('\x96').u64(bytes.length).raw(bytes);
  }
  nextBuffer(): this {
    return this.op('\x97');
  }
  readonlyBuffer(): this {
    return this.op('\x98');
  }
  emptyList(): this {
    return this.op(']');
  }
  emptyDict(): this {
    return this.op('}');
  }
  emptyTuple(): this {
    return this.op(')');
  }
  emptySet(): this {
    return this.op('\x8f');
  }
  list(): this {
    return this.op('l');
  }
  dict(): this {
    return this.op('d');
  }
  tuple(): this {
    return this.op('t');
  }
  tuple1(): this {
    return this.op('\x85');
  }
  tuple2(): this {
    return this.op('\x86');
  }
  tuple3(): this {
    return this.op('\x87');
  }
  append(): this {
    return this.op('a');
  }
  appends(): this {
    return this.op('e');
  }
  setitem(): this {
    return this.op('s');
  }
  setitems(): this {
    return this.op('u');
  }
  additems(): this {
    return this.op('\x90');
  }
  frozenset(): this {
    return this.op('\x91');
  }
  /** Protocol 0-3 `GLOBAL module\nname\n`. */
  global(module: string, name: string): this {
    return this.op('c').raw(`${module}\n${name}\n`);
  }
  stackGlobal(): this {
    return this.op('\x93');
  }
  /** `INST module\nname\n` (pops to MARK for arguments). */
  inst(module: string, name: string): this {
    return this.op('i').raw(`${module}\n${name}\n`);
  }
  obj(): this {
    return this.op('o');
  }
  reduce(): this {
    return this.op('R');
  }
  build(): this {
    return this.op('b');
  }
  newobj(): this {
    return this.op('\x81');
  }
  newobjEx(): this {
    return this.op('\x92');
  }
  ext1(code: number): this {
    return this.op('\x82').u8(code);
  }
  ext2(code: number): this {
    return this.op('\x83').u16(code);
  }
  ext4(code: number): this {
    return this.op('\x84').u32(code);
  }
  persid(id: string): this {
    return this.op('P').raw(`${id}\n`);
  }
  binpersid(): this {
    return this.op('Q');
  }
  put(i: number): this {
    return this.op('p').raw(`${i}\n`);
  }
  binput(i: number): this {
    return this.op('q').u8(i);
  }
  longBinput(i: number): this {
    return this.op('r').u32(i);
  }
  memoize(): this {
    return this.op('\x94');
  }
  get(i: number): this {
    return this.op('g').raw(`${i}\n`);
  }
  binget(i: number): this {
    return this.op('h').u8(i);
  }
  longBinget(i: number): this {
    return this.op('j').u32(i);
  }

  /** `module.name(*args)` via STACK_GLOBAL + REDUCE with string arguments (protocol 4). */
  callP4(module: string, name: string, ...args: string[]): this {
    this.shortBinunicode(module).shortBinunicode(name).stackGlobal().mark();
    for (const a of args) this.binunicode(a);
    return this.tuple().reduce();
  }

  /** `module.name(*args)` via GLOBAL + REDUCE with string arguments (protocol 0-2). */
  callP0(module: string, name: string, ...args: string[]): this {
    this.global(module, name).mark();
    for (const a of args) this.binunicode(a);
    return this.tuple().reduce();
  }

  get length(): number {
    return this.chunks.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/** Shorthand: a protocol-4 pickle that calls `module.name(*args)` and stops. */
export function pickleCall(module: string, name: string, ...args: string[]): Uint8Array {
  return new PickleAssembler()
    .proto(4)
    .callP4(module, name, ...args)
    .stop()
    .bytes();
}
