import type { PickleCall, PickleGlobal } from './types.js';

/**
 * Symbolic values on the VM's stack and in its memo. Nothing here is ever executed: a global is a
 * name, a call is a record of what would be called with what. Containers are shared by reference
 * (GET pushes the same object, as CPython does), so mutation after a GET is visible everywhere and
 * no value is copied per GET. Containers keep at most CONTAINER_KEEP items (the rest is counted).
 */
export type PickleValue =
  | { readonly t: 'none' }
  | { readonly t: 'bool'; readonly v: boolean }
  | IntValue
  | { readonly t: 'float'; readonly v: number }
  | StrValue
  | BytesValue
  | SeqValue
  | DictValue
  | { readonly t: 'global'; readonly global: PickleGlobal }
  | { readonly t: 'call'; readonly call: PickleCall }
  /** What `persistent_load(id)` returns (PyTorch storages); also the stream's PersistentIdRecord. */
  | {
      readonly t: 'persid';
      readonly id: PickleValue;
      readonly offset: number;
      readonly opcode: 'PERSID' | 'BINPERSID';
    }
  | { readonly t: 'ext'; readonly code: number; readonly offset: number }
  /** Something the VM describes but does not model (an out-of-band buffer, a joblib array). */
  | { readonly t: 'opaque'; readonly text: string }
  /** A value the VM could not determine (after a memo miss, an underflow, a bad operand). */
  | { readonly t: 'unknown'; readonly why: string };

export interface IntValue {
  readonly t: 'int';
  /** The value; undefined for LONG4 integers too large to keep (byteLength says how large). */
  readonly v: number | bigint | undefined;
  readonly byteLength?: number;
}

export interface StrValue {
  readonly t: 'str';
  /** The text, or its first STRING_KEEP characters when `truncated`. */
  readonly v: string;
  /** Length in bytes of the encoded argument. */
  readonly byteLength: number;
  readonly truncated: boolean;
}

export interface BytesValue {
  readonly t: 'bytes';
  readonly kind: 'bytes' | 'bytearray';
  readonly length: number;
  /** The first BYTES_KEEP bytes (tensor payloads are never retained). */
  readonly prefix: Uint8Array;
  /** Offset of the payload in the source, to re-read it (a nested pickle passed to pickle.loads). */
  readonly offset: number;
}

export interface SeqValue {
  readonly t: 'tuple' | 'list' | 'set' | 'frozenset';
  readonly items: PickleValue[];
  /** Number of items, including those not kept. */
  size: number;
}

export interface DictValue {
  readonly t: 'dict';
  readonly keys: PickleValue[];
  readonly values: PickleValue[];
  size: number;
}

/** Items kept per container; more are counted, not stored (memory stays flat). */
export const CONTAINER_KEEP = 256;
/** Characters of a string kept. */
export const STRING_KEEP = 4096;
/** Bytes of a bytes payload kept. */
export const BYTES_KEEP = 32;

export const NONE: PickleValue = { t: 'none' };
export const TRUE: PickleValue = { t: 'bool', v: true };
export const FALSE: PickleValue = { t: 'bool', v: false };
export const EMPTY_TUPLE: PickleValue = { t: 'tuple', items: [], size: 0 };

const SMALL_INTS: PickleValue[] = Array.from({ length: 257 }, (_, i) => ({ t: 'int', v: i }));

export function intValue(v: number | bigint): PickleValue {
  if (typeof v === 'bigint') {
    if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER))
      return intValue(Number(v));
    return { t: 'int', v };
  }
  if (v >= 0 && v <= 256 && Number.isInteger(v)) return SMALL_INTS[v] as PickleValue;
  return { t: 'int', v };
}

export function unknown(why: string): PickleValue {
  return { t: 'unknown', why };
}

export function strValue(v: string, byteLength: number, truncated = false): StrValue {
  return { t: 'str', v, byteLength, truncated };
}

/** A sequence from `items` (the array is adopted; only the first CONTAINER_KEEP are kept). */
export function seqValue(t: SeqValue['t'], items: PickleValue[]): SeqValue {
  const size = items.length;
  if (size > CONTAINER_KEEP) items.length = CONTAINER_KEEP;
  return { t, items, size };
}

export function dictValue(): DictValue {
  return { t: 'dict', keys: [], values: [], size: 0 };
}

export function seqPush(seq: SeqValue, v: PickleValue): void {
  if (seq.items.length < CONTAINER_KEEP) seq.items.push(v);
  seq.size++;
}

/** Sets `key` in a dict; small dicts replace an existing str/int key as Python would. */
export function dictSet(d: DictValue, key: PickleValue, value: PickleValue): void {
  if (d.keys.length <= 16) {
    for (let i = 0; i < d.keys.length; i++) {
      if (sameKey(d.keys[i] as PickleValue, key)) {
        d.values[i] = value;
        return;
      }
    }
  }
  if (d.keys.length < CONTAINER_KEEP) {
    d.keys.push(key);
    d.values.push(value);
  }
  d.size++;
}

function sameKey(a: PickleValue, b: PickleValue): boolean {
  if (a.t === 'str' && b.t === 'str') return a.v === b.v && !a.truncated && !b.truncated;
  if (a.t === 'int' && b.t === 'int') return a.v !== undefined && a.v === b.v;
  return false;
}

/** Looks a str key up in a dict value. */
export function dictGet(d: PickleValue, key: string): PickleValue | undefined {
  if (d.t !== 'dict') return undefined;
  for (let i = d.keys.length - 1; i >= 0; i--) {
    const k = d.keys[i] as PickleValue;
    if (k.t === 'str' && k.v === key && !k.truncated) return d.values[i];
  }
  return undefined;
}

/** A number when `v` is a small exact int. */
export function asInt(v: PickleValue | undefined): number | undefined {
  if (v?.t !== 'int' || v.v === undefined) return undefined;
  return typeof v.v === 'number' ? v.v : undefined;
}

export function asStr(v: PickleValue | undefined): string | undefined {
  return v?.t === 'str' && !v.truncated ? v.v : undefined;
}

/** The global a value is, when it is one. */
export function asGlobal(v: PickleValue | undefined): PickleGlobal | undefined {
  return v?.t === 'global' ? v.global : undefined;
}
