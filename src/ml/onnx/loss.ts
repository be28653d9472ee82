import type { LossKind } from '../types.js';
import { A } from './attrs.js';
import type { Emitter } from './emit.js';

/** A loss head: per-sample loss [N] and its gradient with respect to the logits [N, K]. */
export interface LossHead {
  loss: string;
  dLogits: string;
}

/** The class-index vector 0..K−1 of logits [N, K] (int64). */
function classes(e: Emitter, z: string): string {
  const k = e.op('Gather', [e.shape(z), e.i([1], [])], [A.int('axis', 0)]);
  return e.op('Range', [e.i([0], []), k, e.i([1], [])]);
}

/** One-hot rows [N, K] (gradient float type) of class indices `idx` given as [N, 1] int64. */
function oneHot(e: Emitter, range: string, idx: string): string {
  return e.toFloat(e.op('Equal', [idx, range]));
}

/** Σ_k z ⊙ m over the class axis, kept as [N, 1]. */
function pick(e: Emitter, z: string, m: string): string {
  return e.reduceSum(e.op('Mul', [z, m]), [1], true);
}

/**
 * Builds the loss head on logits `z` [N, K] with labels [N] (and targets [N] for dlr-targeted), as in
 * robustness.md §B.3: each sample's own loss, so the input gradient of the summed loss is per sample.
 */
export function lossHead(
  e: Emitter,
  kind: LossKind['kind'],
  z: string,
  labels: string,
  targets?: string,
): LossHead {
  const range = classes(e, z);
  const y = e.unsqueeze(labels, [1]);
  const ohY = oneHot(e, range, y);
  const flat = (t: string) => e.op('Reshape', [t, e.i([-1])]);
  switch (kind) {
    case 'ce': {
      const ls = e.op('LogSoftmax', [z], [A.int('axis', 1)]);
      const loss = e.op('Neg', [e.reduceSum(e.op('Mul', [ls, ohY]), [1], false)]);
      return { loss, dLogits: e.op('Sub', [e.op('Softmax', [z], [A.int('axis', 1)]), ohY]) };
    }
    case 'logit':
      return { loss: flat(pick(e, z, ohY)), dLogits: ohY };
    case 'logit-diff': {
      if (!targets) throw new Error('logit-diff needs targets');
      const ohT = oneHot(e, range, e.unsqueeze(targets, [1]));
      return {
        loss: flat(e.op('Sub', [pick(e, z, ohT), pick(e, z, ohY)])),
        dLogits: e.op('Sub', [ohT, ohY]),
      };
    }
    case 'margin': {
      const { zo, ohO } = maxOther(e, z, range, ohY);
      return { loss: flat(e.op('Sub', [zo, pick(e, z, ohY)])), dLogits: e.op('Sub', [ohO, ohY]) };
    }
    case 'dlr': {
      // −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e−12)
      const { zo, ohO } = maxOther(e, z, range, ohY);
      const top = sorted(e, z, range, 3);
      const num = e.op('Sub', [pick(e, z, ohY), zo]);
      const den = e.op('Add', [e.op('Sub', [top.v[0] as string, top.v[2] as string]), e.f(1e-12)]);
      const dNum = e.op('Sub', [ohY, ohO]);
      const dDen = e.op('Sub', [top.oh[0] as string, top.oh[2] as string]);
      return quotient(e, num, den, dNum, dDen);
    }
    case 'dlr-targeted': {
      // −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e−12)
      if (!targets) throw new Error('dlr-targeted needs targets');
      const ohT = oneHot(e, range, e.unsqueeze(targets, [1]));
      const top = sorted(e, z, range, 4);
      const num = e.op('Sub', [pick(e, z, ohY), pick(e, z, ohT)]);
      const half = (a: string, b: string) => e.op('Mul', [e.op('Add', [a, b]), e.f(0.5)]);
      const den = e.op('Add', [
        e.op('Sub', [top.v[0] as string, half(top.v[2] as string, top.v[3] as string)]),
        e.f(1e-12),
      ]);
      const dNum = e.op('Sub', [ohY, ohT]);
      const dDen = e.op('Sub', [top.oh[0] as string, half(top.oh[2] as string, top.oh[3] as string)]);
      return quotient(e, num, den, dNum, dDen);
    }
  }
}

/** max_{j≠y} z_j as [N, 1] and the one-hot of its (first) arg max. */
function maxOther(e: Emitter, z: string, range: string, ohY: string): { zo: string; ohO: string } {
  const masked = e.op('Where', [e.op('Cast', [ohY], [A.int('to', 9)]), e.f(Number.NEGATIVE_INFINITY), z]);
  const arg = e.op('ArgMax', [masked], [A.int('axis', 1), A.int('keepdims', 1)]);
  return { zo: e.reduce('ReduceMax', masked, [1], true), ohO: oneHot(e, range, arg) };
}

/** The `k` largest logits, each [N, 1], with their one-hot rows. */
function sorted(e: Emitter, z: string, range: string, k: number): { v: string[]; oh: string[] } {
  const [vals, idx] = e.node('TopK', [z, e.i([k])], [A.int('axis', 1)], 2) as [string, string];
  const v: string[] = [];
  const oh: string[] = [];
  for (let j = 0; j < k; j++) {
    v.push(e.op('Gather', [vals, e.i([j])], [A.int('axis', 1)]));
    oh.push(oneHot(e, range, e.op('Gather', [idx, e.i([j])], [A.int('axis', 1)])));
  }
  return { v, oh };
}

/** L = −num/den; dL = −dNum/den + num/den² · dDen. */
function quotient(e: Emitter, num: string, den: string, dNum: string, dDen: string): LossHead {
  const loss = e.op('Reshape', [e.op('Neg', [e.op('Div', [num, den])]), e.i([-1])]);
  const a = e.op('Neg', [e.op('Div', [dNum, den])]);
  const b = e.op('Mul', [e.op('Div', [num, e.op('Mul', [den, den])]), dDen]);
  return { loss, dLogits: e.op('Add', [a, b]) };
}
