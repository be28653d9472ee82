/**
 * Very sparse random projection (Li, Hastie & Church, KDD 2006): each of `dims` outputs sums a random
 * ±1-signed subset of the inputs, each input kept with probability 1/√d. Keeps distances roughly
 * (Johnson–Lindenstrauss) at a cost of about n·dims·√d additions; used so the label check's regression
 * stays fast on wide inputs (raw image pixels). Seeded; the scale is irrelevant (features are standardised).
 */
import { Rng } from '../../attacks/rng.js';
import type { Matrix } from './matrix.js';

export function sparseProjection(m: Matrix, dims: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const keep = 1 / Math.sqrt(m.d);
  const from: number[] = [];
  const to: number[] = [];
  const sign: number[] = [];
  for (let j = 0; j < m.d; j++) {
    for (let k = 0; k < dims; k++) {
      if (rng.uniform() >= keep) continue;
      from.push(j);
      to.push(k);
      sign.push(rng.sign());
    }
  }
  const out = new Float32Array(m.n * dims);
  const f = Int32Array.from(from);
  const t = Int32Array.from(to);
  const s = Float32Array.from(sign);
  for (let i = 0; i < m.n; i++) {
    const o = i * m.d;
    const p = i * dims;
    for (let e = 0; e < f.length; e++) out[p + t[e]!]! += s[e]! * m.data[o + f[e]!]!;
  }
  return { data: out, n: m.n, d: dims };
}
