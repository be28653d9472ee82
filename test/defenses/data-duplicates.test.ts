import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/attacks/rng.js';
import {
  MinHasher,
  minHashSimilarity,
  normaliseText,
  pHash,
  popcount32,
} from '../../src/defenses/data/hashes.js';
import { runDataChecks } from '../../src/defenses/data/index.js';

const H = 32;
const W = 32;

/** A random gray image: a sum of 30 small Gaussian blobs. */
function blobs(rng: Rng): Float32Array {
  const img = new Float32Array(H * W);
  for (let b = 0; b < 30; b++) {
    const cy = rng.uniform() * H;
    const cx = rng.uniform() * W;
    const s = 1.5 + rng.uniform() * 2.5;
    const a = rng.uniform();
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++)
        img[r * W + c]! += a * Math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / (2 * s * s));
  }
  return img;
}

function shiftRight(img: Float32Array): Float32Array {
  const out = new Float32Array(img.length);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) out[r * W + c] = img[r * W + Math.max(0, c - 1)]!;
  return out;
}

function hamming(a: Float32Array, b: Float32Array): number {
  const view = (data: Float32Array) => ({
    data,
    offset: 0,
    height: H,
    width: W,
    channels: 1,
    layout: 'NCHW' as const,
  });
  const [a0, a1] = pHash(view(a));
  const [b0, b1] = pHash(view(b));
  return popcount32(a0 ^ b0) + popcount32(a1 ^ b1);
}

describe('image duplicates (pHash)', () => {
  const rng = new Rng(7);
  const base = Array.from({ length: 40 }, () => blobs(rng));
  // 40 distinct images (labels by index mod 4), then: 40 = exact copy of 0, 41 = 3 shifted by a pixel,
  // 42 = 5 brighter (×0.8 + 0.1), 43 = copy of 7 with another label (conflict).
  const extra = [base[0]!, shiftRight(base[3]!), base[5]!.map((v) => v * 0.8 + 0.1), base[7]!];
  const all = [...base, ...extra];
  const y = Int32Array.from(all, (_, i) => (i < 40 ? i % 4 : [0, 3, 1, 0][i - 40]!));
  const x = new Float32Array(all.length * H * W);
  all.forEach((img, i) => {
    x.set(img, i * H * W);
  });

  it('keeps transformed copies within the threshold and distinct images far apart', () => {
    const shifted = hamming(base[3]!, extra[1]!);
    expect(shifted).toBeLessThanOrEqual(10);
    expect(hamming(base[5]!, extra[2]!)).toBe(0);
    let min = 64;
    for (let i = 0; i < 40; i++) for (let j = 0; j < i; j++) min = Math.min(min, hamming(base[i]!, base[j]!));
    expect(min).toBeGreaterThan(10);
  });

  it('groups exact, shifted and brightened copies; reports the conflicting group', () => {
    const r = runDataChecks({ x: { data: x, shape: [all.length, 1, H, W] }, y }, { checks: ['duplicates'] });
    const d = r.checks.duplicates!;
    expect(d.parameters.mode).toBe('image');
    const groups = d.groups.map((g) => ({ indices: g.indices, kind: g.kind, conflicting: g.conflicting }));
    expect(groups).toEqual([
      { indices: [7, 43], kind: 'exact', conflicting: true },
      { indices: [0, 40], kind: 'exact', conflicting: false },
      { indices: [3, 41], kind: 'near', conflicting: false },
      { indices: [5, 42], kind: 'near', conflicting: false },
    ]);
    expect(d.conflictingGroups).toBe(1);
    expect(d.exactGroups).toBe(2);
    const byIndex = new Map(r.suspects.map((s) => [s.index, s.reasons]));
    expect(byIndex.get(40)).toEqual(['duplicate']);
    expect(byIndex.get(41)).toEqual(['near-duplicate']);
    expect(byIndex.get(7)).toEqual(['conflicting-duplicate']);
    expect(byIndex.get(43)).toEqual(['conflicting-duplicate']);
    expect(byIndex.has(0)).toBe(false);
    expect(r.suspects).toHaveLength(5);
  });

  it('reads NHWC colour images the same way', () => {
    const rgb = new Float32Array(all.length * H * W * 3);
    all.forEach((img, i) => {
      for (let p = 0; p < H * W; p++) for (let ch = 0; ch < 3; ch++) rgb[(i * H * W + p) * 3 + ch] = img[p]!;
    });
    const r = runDataChecks(
      { x: { data: rgb, shape: [all.length, H, W, 3] }, y },
      { checks: ['duplicates'] },
    );
    expect(r.checks.duplicates!.groups.map((g) => g.indices)).toEqual([
      [7, 43],
      [0, 40],
      [3, 41],
      [5, 42],
    ]);
  });
});

describe('text duplicates (MinHash + LSH)', () => {
  const words =
    'model data train label noise robust attack defense image text vector matrix class sample feature score cluster outlier hash forest'.split(
      ' ',
    );
  const rng = new Rng(11);
  const base = Array.from({ length: 60 }, () =>
    Array.from({ length: 14 }, () => words[rng.int(words.length)]!).join(' '),
  );
  const changeWord = (t: string) => {
    const w = t.split(' ');
    w[6] = 'changed';
    return w.join(' ');
  };
  // 60: copy of 0 in other case and spacing; 61: 10 with one word changed; 62: copy of 20 labelled differently.
  const texts = [...base, `  ${base[0]!.toUpperCase()} `, changeWord(base[10]!), base[20]!];
  const y = Int32Array.from(texts, (_, i) => (i < 60 ? i % 3 : [0, 1, 0][i - 60]!));

  it('estimates Jaccard similarity of shingles', () => {
    const h = new MinHasher(128, 5, 0);
    const a = normaliseText(base[10]!);
    const b = normaliseText(changeWord(base[10]!));
    expect(minHashSimilarity(h.signature(a), h.signature(b))).toBeGreaterThan(0.5);
    expect(minHashSimilarity(h.signature(a), h.signature(a))).toBe(1);
    expect(minHashSimilarity(h.signature(a), h.signature(normaliseText(base[11]!)))).toBeLessThan(0.5);
  });

  it('groups the copies and the one-word change; reports the conflict; leaves distinct texts apart', () => {
    const r = runDataChecks(
      { x: { data: new Float32Array(0), shape: [texts.length, 0] }, y, texts } as never,
      {
        checks: ['duplicates'],
      },
    );
    const d = r.checks.duplicates!;
    expect(d.parameters.mode).toBe('text');
    expect(d.groups.map((g) => [g.indices, g.kind, g.conflicting])).toEqual([
      [[20, 62], 'exact', true],
      [[0, 60], 'exact', false],
      [[10, 61], 'near', false],
    ]);
  });
});

describe('tabular duplicates', () => {
  it('groups identical rows and rows equal after rounding, not neighbours', () => {
    const rng = new Rng(5);
    const n = 200;
    const d = 6;
    const x = Float32Array.from({ length: n * d }, () => rng.normal());
    x.set(x.subarray(0, d), 1 * d); // 1 = exact copy of 0
    for (let j = 0; j < d; j++) x[3 * d + j] = x[2 * d + j]! + 1e-5; // 3 ≈ 2
    const y = Int32Array.from({ length: n }, (_, i) => (i === 1 ? 1 : 0));
    const r = runDataChecks({ x: { data: x, shape: [n, d] }, y }, { checks: ['duplicates'] });
    const g = r.checks.duplicates!.groups;
    expect(g.map((e) => [e.indices, e.kind, e.conflicting])).toEqual([
      [[0, 1], 'exact', true],
      [[2, 3], 'near', false],
    ]);
  });
});
