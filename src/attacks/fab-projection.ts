/**
 * The box-constrained projections FAB needs: the smallest perturbation δ (in L∞ or L2) with
 * w·(x + δ) = b and lo ≤ x + δ ≤ hi. When the box makes the hyperplane unreachable, the largest move
 * towards it is returned (as fra31's `projection_linf`/`projection_l2` do). Solved by bisection on the
 * one scalar that parametrises the optimum: the L∞ radius t (δᵢ = s·sign(wᵢ)·min(t, roomᵢ)) or the L2
 * multiplier λ (δᵢ = clip(λ·wᵢ, lo − xᵢ, hi − xᵢ)).
 */
import type { Norm } from './types.js';

const BISECTIONS = 60;

export function projectOnHyperplane(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: number,
  norm: Norm,
  lo: number,
  hi: number,
  out: Float64Array,
): void {
  const d = out.length;
  let wx = 0;
  for (let j = 0; j < d; j++) wx += w[j]! * x[j]!;
  const c = b - wx;
  if (c === 0) {
    out.fill(0);
    return;
  }
  const s = Math.sign(c);
  if (norm === 'linf') {
    // Coordinate j moves by s·sign(w_j)·min(t, room_j); the reach Σ|w_j|·min(t, room_j) grows with t.
    const room = new Float64Array(d);
    let tMax = 0;
    for (let j = 0; j < d; j++) {
      const up = s * w[j]! > 0;
      room[j] = w[j] === 0 ? 0 : Math.max(up ? hi - x[j]! : x[j]! - lo, 0);
      tMax = Math.max(tMax, room[j]!);
    }
    const reach = (t: number) => {
      let r = 0;
      for (let j = 0; j < d; j++) r += Math.abs(w[j]!) * Math.min(t, room[j]!);
      return r;
    };
    let t = tMax;
    if (reach(tMax) > Math.abs(c)) {
      let a = 0;
      let z = tMax;
      for (let k = 0; k < BISECTIONS; k++) {
        const mid = (a + z) / 2;
        if (reach(mid) >= Math.abs(c)) z = mid;
        else a = mid;
      }
      t = z;
    }
    for (let j = 0; j < d; j++) out[j] = w[j] === 0 ? 0 : s * Math.sign(w[j]!) * Math.min(t, room[j]!);
    return;
  }
  // L2: δ(λ) = clip(λ·w, lo − x, hi − x); w·δ(λ) is monotone in λ (sign of λ = sign of c).
  const dot = (lambda: number) => {
    let r = 0;
    for (let j = 0; j < d; j++) r += w[j]! * Math.min(Math.max(lambda * w[j]!, lo - x[j]!), hi - x[j]!);
    return r;
  };
  let ww = 0;
  for (let j = 0; j < d; j++) ww += w[j]! * w[j]!;
  if (ww === 0) {
    out.fill(0);
    return;
  }
  let z = c / ww;
  for (let k = 0; k < 200 && s * dot(z) < Math.abs(c) && Math.abs(z) < 1e300; k++) {
    const prev = dot(z);
    z *= 2;
    if (dot(z) === prev && k > 0) break; // saturated: every coordinate at its bound
  }
  let a = 0;
  for (let k = 0; k < BISECTIONS; k++) {
    const mid = (a + z) / 2;
    if (s * dot(mid) >= Math.abs(c)) z = mid;
    else a = mid;
  }
  for (let j = 0; j < d; j++) out[j] = Math.min(Math.max(z * w[j]!, lo - x[j]!), hi - x[j]!);
}
