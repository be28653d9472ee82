/**
 * PyTorch checkpoint shapes written byte by byte, mirroring torch 1.13's writers (checked against
 * files torch.save wrote: test/fixtures/benign/torch_state_dict.pt and torch_legacy.pt). Benign by
 * default; builders take hooks where a sample injects its payload.
 */
import { PickleAssembler } from '../../src/formats/pickle/assembler.js';
import { type Build, concat } from './pickle-kit.js';

/** torch.serialization.MAGIC_NUMBER 0x1950a86a20f9469cfc6c as a little-endian LONG1 body. */
const MAGIC_LONG1 = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
export const MAGIC_HEX = '0x1950A86A20F9469CFC6C';
/** torch.serialization.PROTOCOL_VERSION. */
const PROTOCOL_VERSION = 1001;

/** The 2x3 float32 tensor every builder stores: 0, 1/8, 2/8 … 5/8. */
export const WEIGHT_NUMEL = 6;
export function weightBytes(): Uint8Array {
  const b = Buffer.alloc(WEIGHT_NUMEL * 4);
  for (let i = 0; i < WEIGHT_NUMEL; i++) b.writeFloatLE(i / 8, i * 4);
  return Uint8Array.from(b);
}

export interface StateDictOptions {
  /** Legacy persistent ids carry a sixth element (view metadata, None). */
  legacy: boolean;
  /** Writes extra `key, value` pairs after the tensor, inside the SETITEMS mark (memo ≥ 20 is free). */
  extra?: Build;
}

/** data.pkl of `torch.save(OrderedDict(weight=<2x3 float32>))` with protocol 2, as torch writes it. */
export function stateDictPickle(opts: StateDictOptions): Uint8Array {
  const a = new PickleAssembler().proto(2);
  a.global('collections', 'OrderedDict').binput(0).emptyTuple().reduce().binput(1).mark();
  a.binunicode('weight').binput(2).global('torch._utils', '_rebuild_tensor_v2').binput(3).mark();
  a.mark().binunicode('storage').binput(4).global('torch', 'FloatStorage').binput(5);
  a.binunicode('0').binput(6).binunicode('cpu').binput(7).binint1(WEIGHT_NUMEL);
  if (opts.legacy) a.none();
  a.tuple().binput(8).binpersid();
  a.binint1(0).binint1(2).binint1(3).tuple2().binput(9).binint1(3).binint1(1).tuple2().binput(10);
  a.bool(false).binget(0).emptyTuple().reduce().binput(11).tuple().binput(12).reduce().binput(13);
  opts.extra?.(a);
  return a.setitems().stop().bytes();
}

/** A protocol-2 pickle: optional `prefix` ops (e.g. a payload then POP), then what `value` writes. */
function p2(value: Build, prefix?: Build): Uint8Array {
  const a = new PickleAssembler().proto(2);
  prefix?.(a);
  value(a);
  return a.stop().bytes();
}

export function magicPickle(prefix?: Build): Uint8Array {
  return p2((a) => a.long1(MAGIC_LONG1), prefix);
}
export function protocolPickle(prefix?: Build): Uint8Array {
  return p2((a) => a.binint2(PROTOCOL_VERSION), prefix);
}
export function sysInfoPickle(prefix?: Build): Uint8Array {
  return p2((a) => {
    a.emptyDict().binput(0).mark();
    a.binunicode('protocol_version').binput(1).binint2(PROTOCOL_VERSION);
    a.binunicode('little_endian').binput(2).bool(true);
    a.binunicode('type_sizes').binput(3).emptyDict().binput(4).mark();
    a.binunicode('short').binput(5).binint1(2).binunicode('int').binput(6).binint1(4);
    a.binunicode('long').binput(7).binint1(4).setitems().setitems();
  }, prefix);
}
export function storageKeysPickle(prefix?: Build): Uint8Array {
  return p2((a) => a.emptyList().binput(0).binunicode('0').binput(1).append(), prefix);
}

export interface LegacyParts {
  magic?: Uint8Array;
  protocol?: Uint8Array;
  sysInfo?: Uint8Array;
  data?: Uint8Array;
  keys?: Uint8Array;
}

/**
 * `torch.save(..., _use_new_zipfile_serialization=False)`: five pickles back to back (magic number,
 * protocol version, sys_info, data, storage keys), then each storage as int64 numel + raw bytes.
 */
export function legacyTorch(parts: LegacyParts = {}): Uint8Array {
  const numel = Buffer.alloc(8);
  numel.writeBigInt64LE(BigInt(WEIGHT_NUMEL));
  return concat(
    parts.magic ?? magicPickle(),
    parts.protocol ?? protocolPickle(),
    parts.sysInfo ?? sysInfoPickle(),
    parts.data ?? stateDictPickle({ legacy: true }),
    parts.keys ?? storageKeysPickle(),
    Uint8Array.from(numel),
    weightBytes(),
  );
}

export interface ZipMember {
  name: string;
  data: Uint8Array;
}

/** The members of a torch.save zip (`<root>/data.pkl`, `<root>/data/0`, `<root>/version`) in torch's order. */
export function torchZipMembers(root: string, dataPkl: Uint8Array): ZipMember[] {
  return [
    { name: `${root}/data.pkl`, data: dataPkl },
    { name: `${root}/data/0`, data: weightBytes() },
    { name: `${root}/version`, data: Uint8Array.from(Buffer.from('3\n')) },
  ];
}
