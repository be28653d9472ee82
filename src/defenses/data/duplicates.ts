/**
 * Exact and near duplicates, by modality:
 * - images: exact = identical values; near = pHash Hamming distance ≤ `hammingThreshold` (candidates by
 *   the pigeonhole principle: split the 64 bits into threshold + 1 bands, a pair within the threshold
 *   agrees on at least one band, so no pair is missed);
 * - texts: exact = identical normalised text; near = MinHash (character shingles) with LSH bands, the
 *   candidates kept when the estimated Jaccard similarity ≥ `jaccardThreshold`;
 * - tabular rows: exact = identical values; near = identical after standardising each column and rounding
 *   to `roundStep` standard deviations (values either side of a rounding boundary are not joined).
 * Groups are connected components. A group whose members carry different labels is a conflict.
 */
import {
  fmix32,
  type ImageView,
  MinHasher,
  minHashSimilarity,
  normaliseText,
  pHash,
  popcount32,
} from './hashes.js';
import { columnStats, type Matrix } from './matrix.js';

export interface DuplicateOptions {
  /** Images: pHash bits (of 64) that may differ. Default 10. */
  readonly hammingThreshold?: number;
  /** Texts: estimated Jaccard similarity of shingle sets for a near duplicate. Default 0.5. */
  readonly jaccardThreshold?: number;
  /** Texts: shingle length in characters. Default 5. */
  readonly shingle?: number;
  /** Texts: MinHash functions (rows of 3 per LSH band). Default 128. */
  readonly numPerm?: number;
  /** Tabular: rounding grid for near duplicates, in standard deviations of each column. Default 0.01. */
  readonly roundStep?: number;
  /** Candidates compared per LSH/band bucket member (caps the work on huge buckets; beyond it a
   * near pair may be missed). Default 256. */
  readonly maxBucketCompare?: number;
}

export const DUPLICATE_DEFAULTS = {
  hammingThreshold: 10,
  jaccardThreshold: 0.5,
  shingle: 5,
  numPerm: 128,
  roundStep: 0.01,
  maxBucketCompare: 256,
} as const;

export interface DuplicateGroup {
  /** Sample indices, ascending. */
  readonly indices: number[];
  /** `exact` when every member is identical to the first, else `near`. */
  readonly kind: 'exact' | 'near';
  /** Distinct labels in the group, ascending. */
  readonly labels: number[];
  readonly conflicting: boolean;
}

export type DuplicateMode = 'image' | 'text' | 'tabular';

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const next = this.parent[i]!;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  same(a: number, b: number): boolean {
    return this.find(a) === this.find(b);
  }
}

/** Joins members of each bucket that `similar` accepts (each against at most `cap` earlier members). */
function joinBuckets(
  buckets: Iterable<number[]>,
  uf: UnionFind,
  cap: number,
  similar: (a: number, b: number) => boolean,
): void {
  for (const bucket of buckets) {
    if (bucket.length < 2) continue;
    for (let i = 1; i < bucket.length; i++) {
      const a = bucket[i]!;
      for (let j = Math.max(0, i - cap); j < i; j++) {
        const b = bucket[j]!;
        if (!uf.same(a, b) && similar(a, b)) uf.union(a, b);
      }
    }
  }
}

function bucketsBy<K>(n: number, key: (i: number) => K): Map<K, number[]> {
  const map = new Map<K, number[]>();
  for (let i = 0; i < n; i++) {
    const k = key(i);
    const list = map.get(k);
    if (list === undefined) map.set(k, [i]);
    else list.push(i);
  }
  return map;
}

function rowsEqual(m: Matrix, a: number, b: number): boolean {
  const oa = a * m.d;
  const ob = b * m.d;
  for (let j = 0; j < m.d; j++) if (m.data[oa + j] !== m.data[ob + j]) return false;
  return true;
}

/** A 53-bit hash of row i's float32 bit patterns (two murmur-mixed 32-bit lanes). */
function rowHash(m: Matrix, i: number): number {
  const bits = new Uint32Array(m.data.buffer, m.data.byteOffset + i * m.d * 4, m.d);
  let a = 0x9747b28c;
  let b = 0x2545f491;
  for (let j = 0; j < bits.length; j++) {
    a = Math.imul(a ^ bits[j]!, 0x01000193);
    b = fmix32(b + bits[j]!);
  }
  return (fmix32(a) & 0x1fffff) * 2 ** 32 + b;
}

function groupsOf(uf: UnionFind, n: number, y: Int32Array, exact: (a: number, b: number) => boolean) {
  const comps = bucketsBy(n, (i) => uf.find(i));
  const groups: DuplicateGroup[] = [];
  for (const indices of comps.values()) {
    if (indices.length < 2) continue;
    const labels = [...new Set(indices.map((i) => y[i]!))].sort((a, b) => a - b);
    const first = indices[0]!;
    groups.push({
      indices,
      kind: indices.every((i) => i === first || exact(first, i)) ? 'exact' : 'near',
      labels,
      conflicting: labels.length > 1,
    });
  }
  return groups.sort((a, b) => a.indices[0]! - b.indices[0]!);
}

/** Image duplicates; `image(i)` views sample i. */
export function imageDuplicates(
  n: number,
  image: (i: number) => ImageView,
  raw: Matrix,
  y: Int32Array,
  options: DuplicateOptions = {},
): DuplicateGroup[] {
  const t = options.hammingThreshold ?? DUPLICATE_DEFAULTS.hammingThreshold;
  const cap = options.maxBucketCompare ?? DUPLICATE_DEFAULTS.maxBucketCompare;
  const hashes = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) hashes.set(pHash(image(i)), 2 * i);
  const uf = new UnionFind(n);
  joinBuckets(bucketsBy(n, (i) => rowHash(raw, i)).values(), uf, cap, (a, b) => rowsEqual(raw, a, b));
  const bands = Math.min(64, t + 1);
  const width = Math.floor(64 / bands);
  const hamming = (a: number, b: number) =>
    popcount32(hashes[2 * a]! ^ hashes[2 * b]!) + popcount32(hashes[2 * a + 1]! ^ hashes[2 * b + 1]!);
  for (let band = 0; band < bands; band++) {
    const lo = band * width;
    const hi = band === bands - 1 ? 64 : lo + width;
    const key = (i: number) => {
      let k = '';
      for (let bit = lo; bit < hi; bit++) k += (hashes[2 * i + (bit >> 5)]! >>> (bit & 31)) & 1;
      return k;
    };
    joinBuckets(bucketsBy(n, key).values(), uf, cap, (a, b) => hamming(a, b) <= t);
  }
  return groupsOf(uf, n, y, (a, b) => rowsEqual(raw, a, b));
}

/** Text duplicates over normalised texts. */
export function textDuplicates(
  texts: readonly string[],
  y: Int32Array,
  seed: number,
  options: DuplicateOptions = {},
): DuplicateGroup[] {
  const n = texts.length;
  const threshold = options.jaccardThreshold ?? DUPLICATE_DEFAULTS.jaccardThreshold;
  const cap = options.maxBucketCompare ?? DUPLICATE_DEFAULTS.maxBucketCompare;
  const norm = texts.map(normaliseText);
  const uf = new UnionFind(n);
  joinBuckets(bucketsBy(n, (i) => norm[i]!).values(), uf, cap, () => true);
  const hasher = new MinHasher(
    options.numPerm ?? DUPLICATE_DEFAULTS.numPerm,
    options.shingle ?? DUPLICATE_DEFAULTS.shingle,
    seed,
  );
  const sigs = norm.map((t) => hasher.signature(t));
  const rows = 3;
  for (let band = 0; band + rows <= hasher.numPerm; band += rows) {
    const key = (i: number) => `${sigs[i]![band]},${sigs[i]![band + 1]},${sigs[i]![band + 2]}`;
    joinBuckets(
      bucketsBy(n, key).values(),
      uf,
      cap,
      (a, b) => minHashSimilarity(sigs[a]!, sigs[b]!) >= threshold,
    );
  }
  return groupsOf(uf, n, y, (a, b) => norm[a] === norm[b]);
}

/** Tabular duplicates over the feature rows. */
export function tabularDuplicates(
  m: Matrix,
  y: Int32Array,
  options: DuplicateOptions = {},
): DuplicateGroup[] {
  const step = options.roundStep ?? DUPLICATE_DEFAULTS.roundStep;
  const cap = options.maxBucketCompare ?? DUPLICATE_DEFAULTS.maxBucketCompare;
  const uf = new UnionFind(m.n);
  joinBuckets(bucketsBy(m.n, (i) => rowHash(m, i)).values(), uf, cap, (a, b) => rowsEqual(m, a, b));
  if (step > 0) {
    const { mean, std } = columnStats(m);
    const cell = new Int32Array(m.d);
    const key = (i: number) => {
      const o = i * m.d;
      for (let j = 0; j < m.d; j++) cell[j] = Math.round((m.data[o + j]! - mean[j]!) / (std[j]! * step));
      return cell.join(',');
    };
    // Every member of a bucket has the same rounded row: join them all.
    joinBuckets(bucketsBy(m.n, key).values(), uf, 1, () => true);
  }
  return groupsOf(uf, m.n, y, (a, b) => rowsEqual(m, a, b));
}
