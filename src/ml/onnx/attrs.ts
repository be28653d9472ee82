import type { Attr, OnnxNode } from './model.js';
import { tensorInts } from './tensor.js';

function find(n: OnnxNode, name: string): Attr | undefined {
  return n.attrs.find((a) => a.name === name);
}

export function attrInt(n: OnnxNode, name: string, dflt: number): number {
  return find(n, name)?.i ?? dflt;
}

export function attrFloat(n: OnnxNode, name: string, dflt: number): number {
  return find(n, name)?.f ?? dflt;
}

export function attrInts(n: OnnxNode, name: string): number[] | undefined {
  const a = find(n, name);
  return a === undefined ? undefined : (a.ints ?? []);
}

export function attrString(n: OnnxNode, name: string, dflt: string): string {
  const s = find(n, name)?.s;
  return s === undefined ? dflt : new TextDecoder().decode(s);
}

/** Integer values of a TENSOR attribute (Constant's `value`). */
export function attrTensorInts(n: OnnxNode, name: string): number[] | undefined {
  const t = find(n, name)?.t;
  return t === undefined ? undefined : tensorInts(t);
}

export function hasAttr(n: OnnxNode, name: string): boolean {
  return find(n, name) !== undefined;
}

/** Typed attribute constructors for emitted nodes. */
export const A = {
  int: (name: string, i: number): Attr => ({ name, type: 2, i }),
  float: (name: string, f: number): Attr => ({ name, type: 1, f }),
  ints: (name: string, ints: number[]): Attr => ({ name, type: 7, ints }),
  string: (name: string, s: string): Attr => ({ name, type: 3, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: Uint8Array): Attr => ({ name, type: 4, t }),
};
