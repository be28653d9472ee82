import { ModelguardError } from '../../core/errors.js';
import type { LossKind } from '../types.js';

/** Classes in descending logit order (ties: lower index first). */
function ranked(z: Float32Array, o: number, k: number): number[] {
  return Array.from({ length: k }, (_, j) => j).sort(
    (a, b) => (z[o + b] as number) - (z[o + a] as number) || a - b,
  );
}

/**
 * Per-sample losses and their gradients with respect to the logits `[N, K]`, in float64 (see LossKind;
 * DLR and targeted DLR as in AutoAttack). Used by backends that differentiate the model but not the head.
 */
export function lossHead(
  z: Float32Array,
  k: number,
  labels: Int32Array,
  loss: LossKind,
  targets?: Int32Array,
): { loss: Float32Array; dz: Float32Array } {
  const n = labels.length;
  if (z.length !== n * k)
    throw new ModelguardError('MALFORMED', `logits hold ${z.length} values, not ${n}×${k}`);
  const need =
    loss.kind === 'dlr' ? 3 : loss.kind === 'dlr-targeted' ? 4 : loss.kind === 'logit-diff' ? 2 : 1;
  const targeted = loss.kind === 'dlr-targeted' || loss.kind === 'logit-diff';
  if (k < need)
    throw new ModelguardError(
      'UNSUPPORTED',
      `the ${loss.kind} loss needs at least ${need} classes, the model has ${k}`,
    );
  if (targeted && targets?.length !== n)
    throw new ModelguardError('MALFORMED', `the ${loss.kind} loss needs one target class per sample`);
  if (
    loss.kind === 'logit' &&
    !(Number.isInteger(loss.classIndex) && loss.classIndex >= 0 && loss.classIndex < k)
  )
    throw new ModelguardError('MALFORMED', `logit class ${loss.classIndex} is not one of the ${k} classes`);
  const out = new Float32Array(n);
  const dz = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const y = labels[i] as number;
    if (!(y >= 0 && y < k))
      throw new ModelguardError('MALFORMED', `label ${y} of sample ${i} is not one of the ${k} classes`);
    const at = (j: number) => z[o + j] as number;
    const add = (j: number, v: number) => {
      dz[o + j] = (dz[o + j] as number) + v;
    };
    const bestOther = (skip: number) => {
      let b = -1;
      for (let j = 0; j < k; j++) if (j !== skip && (b < 0 || at(j) > at(b))) b = j;
      return b;
    };
    switch (loss.kind) {
      case 'ce': {
        let m = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < k; j++) m = Math.max(m, at(j));
        let s = 0;
        for (let j = 0; j < k; j++) s += Math.exp(at(j) - m);
        out[i] = m + Math.log(s) - at(y);
        for (let j = 0; j < k; j++) add(j, Math.exp(at(j) - m) / s);
        add(y, -1);
        break;
      }
      case 'margin': {
        const b = bestOther(y);
        out[i] = b < 0 ? 0 : at(b) - at(y);
        if (b >= 0) {
          add(b, 1);
          add(y, -1);
        }
        break;
      }
      case 'dlr': {
        const r = ranked(z, o, k);
        const b = bestOther(y);
        const d = at(r[0] as number) - at(r[2] as number) + 1e-12;
        const num = at(y) - at(b);
        out[i] = -num / d;
        add(y, -1 / d);
        add(b, 1 / d);
        add(r[0] as number, num / (d * d));
        add(r[2] as number, -num / (d * d));
        break;
      }
      case 'dlr-targeted': {
        const t = (targets as Int32Array)[i] as number;
        if (!(t >= 0 && t < k))
          throw new ModelguardError('MALFORMED', `target ${t} of sample ${i} is not a class`);
        const r = ranked(z, o, k);
        const d = at(r[0] as number) - (at(r[2] as number) + at(r[3] as number)) / 2 + 1e-12;
        const num = at(y) - at(t);
        out[i] = -num / d;
        add(y, -1 / d);
        add(t, 1 / d);
        add(r[0] as number, num / (d * d));
        add(r[2] as number, -num / (2 * d * d));
        add(r[3] as number, -num / (2 * d * d));
        break;
      }
      case 'logit':
        out[i] = at(loss.classIndex);
        add(loss.classIndex, 1);
        break;
      case 'logit-diff': {
        const t = (targets as Int32Array)[i] as number;
        if (!(t >= 0 && t < k))
          throw new ModelguardError('MALFORMED', `target ${t} of sample ${i} is not a class`);
        out[i] = at(t) - at(y);
        add(t, 1);
        add(y, -1);
        break;
      }
    }
  }
  return { loss: out, dz };
}
