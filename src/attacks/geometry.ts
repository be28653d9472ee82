/**
 * How a sample's flat values map to channels × rows × columns, for attacks that work on image windows
 * (Square). Rank-3 shapes are [C,H,W] unless the layout is NHWC ([H,W,C]); rank 2 is [H,W]; anything
 * else is one row of d columns.
 */
import type { Preprocessing } from '../ml/types.js';

export interface Geometry {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  /** Flat index of (channel, row, column). */
  index(ch: number, r: number, col: number): number;
}

export function geometryOf(sampleShape: readonly number[], layout: Preprocessing['layout']): Geometry {
  if (sampleShape.length === 3) {
    const [a, b, c] = sampleShape as [number, number, number];
    if (layout === 'NHWC') return { c, h: a, w: b, index: (ch, r, col) => (r * b + col) * c + ch };
    return { c: a, h: b, w: c, index: (ch, r, col) => (ch * b + r) * c + col };
  }
  if (sampleShape.length === 2) {
    const [h, w] = sampleShape as [number, number];
    return { c: 1, h, w, index: (_ch, r, col) => r * w + col };
  }
  const d = sampleShape.reduce((x, y) => x * y, 1);
  return { c: 1, h: 1, w: d, index: (_ch, _r, col) => col };
}

/** Window rows × columns covering about `p` of the H×W plane (a square where the plane allows). */
export function windowFor(g: Geometry, p: number, minSide: number): { sh: number; sw: number } {
  const area = Math.max(p * g.h * g.w, 1);
  let side = Math.max(Math.round(Math.sqrt(area)), minSide);
  const sh = Math.min(side, g.h);
  if (sh < side) side = Math.round(area / sh);
  const sw = Math.max(Math.min(side, g.w), 1);
  return { sh, sw };
}
