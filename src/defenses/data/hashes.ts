/**
 * Hashes for the duplicate check: a 64-bit perceptual hash (pHash, DCT based) of an image, MinHash signatures of a
 * text's character shingles (a seeded family of 32-bit mixers), and 32-bit FNV-1a / murmur3 finalisers.
 */
import { Rng } from '../../attacks/rng.js';

/** murmur3's 32-bit finaliser: a bijective mixer. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over the UTF-16 code units of s[start, end). */
export function fnv1a(s: string, start = 0, end = s.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One image sample: `channels × height × width` values starting at `offset` of `data`. */
export interface ImageView {
  readonly data: Float32Array;
  readonly offset: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** `NCHW`: planes one after another; `NHWC`: channels interleaved. */
  readonly layout: 'NCHW' | 'NHWC';
}

/** The image averaged to gray and area-resampled to `outH × outW` (each source pixel split over the cells it overlaps). */
function grayResample(img: ImageView, outH: number, outW: number): Float64Array {
  const small = new Float64Array(outW * outH);
  const weight = new Float64Array(outW * outH);
  const { data, offset, height, width, channels, layout } = img;
  for (let r = 0; r < height; r++) {
    const y0 = (r * outH) / height;
    const y1 = ((r + 1) * outH) / height;
    for (let c = 0; c < width; c++) {
      let v = 0;
      for (let ch = 0; ch < channels; ch++) {
        v +=
          layout === 'NCHW'
            ? data[offset + ch * height * width + r * width + c]!
            : data[offset + (r * width + c) * channels + ch]!;
      }
      v /= channels;
      const x0 = (c * outW) / width;
      const x1 = ((c + 1) * outW) / width;
      for (let cy = Math.floor(y0); cy < Math.min(outH, Math.ceil(y1)); cy++) {
        const wy = Math.min(y1, cy + 1) - Math.max(y0, cy);
        for (let cx = Math.floor(x0); cx < Math.min(outW, Math.ceil(x1)); cx++) {
          const w = wy * (Math.min(x1, cx + 1) - Math.max(x0, cx));
          if (w <= 0) continue;
          small[cy * outW + cx]! += w * v;
          weight[cy * outW + cx]! += w;
        }
      }
    }
  }
  for (let i = 0; i < small.length; i++) small[i] = weight[i]! > 0 ? small[i]! / weight[i]! : 0;
  return small;
}

const P = 32;
/** DCT-II basis: COS[u * P + x] = cos(π (2x + 1) u / 2P). */
const COS = Float64Array.from({ length: P * P }, (_, i) =>
  Math.cos((Math.PI * (2 * (i % P) + 1) * Math.floor(i / P)) / (2 * P)),
);

/**
 * pHash: the gray image area-resampled to 32×32, its 2-D DCT-II, the 8×8 lowest frequencies; one bit per
 * coefficient above their median (the DC term left out of the median). Two 32-bit words. Low frequencies
 * barely move under small shifts, brightness or contrast changes.
 */
export function pHash(img: ImageView): [number, number] {
  const g = grayResample(img, P, P);
  // Rows then columns, keeping only the 8 lowest frequencies of each.
  const rows = new Float64Array(P * 8);
  for (let r = 0; r < P; r++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < P; x++) s += g[r * P + x]! * COS[u * P + x]!;
      rows[r * 8 + u] = s;
    }
  const coef = new Float64Array(64);
  for (let v = 0; v < 8; v++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < P; y++) s += rows[y * 8 + u]! * COS[v * P + y]!;
      coef[v * 8 + u] = s;
    }
  const sorted = Array.from(coef.subarray(1)).sort((a, b) => a - b);
  const median = (sorted[31]! + sorted[32]!) / 2;
  const words: [number, number] = [0, 0];
  for (let i = 0; i < 64; i++) if (coef[i]! > median) words[i >> 5]! |= 1 << (i & 31);
  return [words[0] >>> 0, words[1] >>> 0];
}

export function popcount32(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Lower-cased, NFKC, whitespace collapsed: what the text duplicate check compares. */
export function normaliseText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A seeded MinHash family: `numPerm` 32-bit mixers applied to FNV-1a hashes of character shingles. */
export class MinHasher {
  private readonly seeds: Uint32Array;
  constructor(
    readonly numPerm: number,
    readonly shingle: number,
    seed: number,
  ) {
    const rng = new Rng(seed);
    this.seeds = Uint32Array.from({ length: numPerm }, () => rng.u32());
  }

  /** The signature of an already normalised text (a text shorter than a shingle is one shingle). */
  signature(text: string): Uint32Array {
    const sig = new Uint32Array(this.numPerm).fill(0xffffffff);
    const k = this.shingle;
    const last = Math.max(0, text.length - k);
    const seen = new Set<number>();
    for (let i = 0; i <= last; i++) {
      const h = fnv1a(text, i, Math.min(text.length, i + k));
      if (seen.has(h)) continue;
      seen.add(h);
      for (let p = 0; p < this.numPerm; p++) {
        const v = fmix32(h ^ this.seeds[p]!);
        if (v < sig[p]!) sig[p] = v;
      }
    }
    return sig;
  }
}

/** Estimated Jaccard similarity: the share of equal MinHash values. */
export function minHashSimilarity(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}
