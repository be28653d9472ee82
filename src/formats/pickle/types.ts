import type { ScanLimits } from '../../core/limits.js';
import type { TorchTarMember } from './torch-tar.js';
import type { PickleValue } from './values.js';

/** Everything the VM reports as "the analysis cannot vouch for this stream". */
export const ANOMALY_KINDS = [
  'unknown-opcode', // a byte that is no pickle opcode; the stream stops there
  'memo-miss', // GET of a key never stored (T05)
  'stack-underflow', // an opcode needs more stack items than there are above the mark
  'mark-missing', // an opcode needs a MARK and there is none
  'bad-operand', // an operand of the wrong type (STACK_GLOBAL with an int, T06)
  'frame-mismatch', // an opcode crosses its FRAME's end, or a FRAME starts inside another (T18)
  'truncated', // the stream ends before STOP (T11)
  'trailing-data', // bytes after the last STOP that are not another pickle
  'limit', // a ScanLimits limit was exceeded; the stream stops there
  'invalid-value', // an argument CPython rejects (bad int/float line, bad UTF-8, bad protocol)
  'ext-opcode', // EXT1/2/4: a callable fetched from the copyreg registry by number (T20)
  'misplaced-proto', // PROTO not at the start of the stream, or twice
  'joblib-array', // a joblib inline array whose size cannot be determined; the stream stops there
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface PickleAnomaly {
  readonly kind: AnomalyKind;
  /** Offset of the opcode (or byte) concerned. */
  readonly offset: number;
  readonly message: string;
  /** The limit exceeded, for kind `limit`. */
  readonly limit?: keyof ScanLimits;
}

export type GlobalOpcode = 'GLOBAL' | 'INST' | 'STACK_GLOBAL';

/** A global that `find_class` would import. */
export interface PickleGlobal {
  /** Index within its stream's `globals`. */
  readonly index: number;
  /** Module as imported (after CPython's protocol 0–2 `fix_imports` renaming). */
  readonly module: string;
  /** Attribute name; dotted names (protocol ≥ 4) are walked attribute by attribute (T09). */
  readonly name: string;
  readonly opcode: GlobalOpcode;
  readonly offset: number;
  /** As written in the stream, when `fix_imports` renamed it (`__builtin__` → `builtins`). */
  readonly written?: { readonly module: string; readonly name: string };
}

/** Opcodes that invoke code: calls, and mutations that call methods of the target. */
export type CallOpcode =
  | 'REDUCE'
  | 'INST'
  | 'OBJ'
  | 'NEWOBJ'
  | 'NEWOBJ_EX'
  | 'BUILD' // __setstate__ or attribute writes on the target (T03, T14)
  | 'APPEND' // on a target that is not a list: target.append/extend (recorded for globals only)
  | 'SETITEMS' // on a target that is not a dict: target[k] = v (recorded for globals only)
  | 'ADDITEMS'; // on a target that is not a set: target.add (recorded for globals only)

/** What is called. */
export type Callee =
  | { readonly kind: 'global'; readonly global: PickleGlobal }
  | { readonly kind: 'call-result'; readonly callOffset: number; readonly description: string }
  | { readonly kind: 'ext'; readonly code: number; readonly description: string }
  | { readonly kind: 'other'; readonly description: string };

/** One invocation that loading would perform. */
export interface PickleCall {
  /** Index within its stream's `calls`. */
  readonly index: number;
  readonly opcode: CallOpcode;
  readonly offset: number;
  readonly callee: Callee;
  /** The callee (for BUILD and mutations: the target object) as a symbolic value. */
  readonly target: PickleValue;
  /** Arguments (REDUCE/OBJ/INST/NEWOBJ: a tuple; NEWOBJ_EX: (args, kwargs); BUILD: the state). */
  readonly argument: PickleValue;
  /** Readable Python-like call, e.g. `posix.system('echo pwned')` (rendered on first read). */
  readonly trace: string;
}

export interface PersistentIdRecord {
  readonly offset: number;
  readonly opcode: 'PERSID' | 'BINPERSID';
  readonly id: PickleValue;
}

/**
 * How the bytes were read. `pickle`: as `pickle.loads(bytes)` and pickletools read them (linear),
 * with joblib's inline arrays skipped. `c-unpickler-file`: as CPython's C unpickler reads a file
 * object without peek() (BytesIO, torch.load), which drops the rest of a FRAME when an argument
 * crosses its end (T18). `without-joblib`: as plain `pickle.load` reads a joblib file, where the
 * inline array bytes are opcodes. The last two only record what happens after they diverge.
 */
export type Interpretation = 'pickle' | 'c-unpickler-file' | 'without-joblib';

export type StreamRole = 'top' | 'joblib-object-array';

export interface PickleStream {
  /** Index in `PickleAnalysis.streams`. */
  readonly index: number;
  readonly start: number;
  /** Offset after the last byte analysed (after STOP when `complete`). */
  readonly end: number;
  readonly role: StreamRole;
  /** For a joblib object array or an alternative interpretation: the stream it belongs to. */
  readonly parent?: number;
  readonly interpretation: Interpretation;
  /** For alternative interpretations: where the reading first differed from `pickle`. */
  readonly divergedAt?: number;
  /** Argument of the first PROTO, undefined for protocol 0/1 streams without one. */
  readonly protocol: number | undefined;
  readonly globals: readonly PickleGlobal[];
  readonly calls: readonly PickleCall[];
  readonly anomalies: readonly PickleAnomaly[];
  readonly persistentIds: readonly PersistentIdRecord[];
  readonly opcodeCount: number;
  /** True when STOP was reached. */
  readonly complete: boolean;
  /** The value STOP returns, when complete. */
  readonly result?: PickleValue;
  /** joblib inline arrays skipped (raw bytes) in this stream. */
  readonly joblibArrays: number;
}

export interface PickleAnalysis {
  /** Top-level pickles in file order, then nested and alternative streams (see `role`). */
  readonly streams: readonly PickleStream[];
  /** Offset where the last top-level pickle ended. */
  readonly end: number;
  /** Bytes after the last pickle that were not analysed (legacy torch storages excluded). */
  readonly trailing?: { readonly offset: number; readonly length: number };
  /** Legacy `torch.save` layout: magic, protocol, sys_info, data, storage keys, raw storages. */
  readonly legacyTorch?: { readonly magic: 'literal' | 'dynamic'; readonly storagesOffset: number };
  /** With the `torchTar` option: whether the member's pickle/raw-bytes layout was followed to its end. */
  readonly torchTar?: { readonly member: TorchTarMember; readonly followed: boolean; readonly note?: string };
}

export interface AnalyzeOptions {
  /** Analyse pickles back to back (legacy torch, T12). Default true. */
  readonly multi?: boolean;
  /** Skip joblib NumpyArrayWrapper inline arrays (joblib.load semantics). Default true. */
  readonly joblib?: boolean;
  /** Add the alternative interpretations where the reading diverges. Default true. */
  readonly alternates?: boolean;
  /**
   * Read a member of a legacy tar torch checkpoint (`storages` or `tensors`): pickles with raw
   * storage bytes / tensor headers between them (T42). Implies `multi`.
   */
  readonly torchTar?: TorchTarMember;
}
