/**
 * Small dense linear algebra for the poisoning detectors: row-major Float64 matrices, covariance, a cyclic
 * Jacobi eigensolver for symmetric matrices and Cholesky whitening. Sizes are bounded by POISON_LIMITS.
 */

/** A row-major matrix. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function mat(rows: number, cols: number, data = new Float64Array(rows * cols)): Mat {
  return { rows, cols, data };
}

/** The rows of `a` picked by `idx`. */
export function pickRows(a: Mat, idx: readonly number[]): Mat {
  const out = mat(idx.length, a.cols);
  idx.forEach((r, i) => {
    out.data.set(a.data.subarray(r * a.cols, (r + 1) * a.cols), i * a.cols);
  });
  return out;
}

export function columnMeans(a: Mat): Float64Array {
  const m = new Float64Array(a.cols);
  for (let r = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++) m[c]! += a.data[r * a.cols + c]!;
  for (let c = 0; c < a.cols; c++) m[c]! /= Math.max(1, a.rows);
  return m;
}

/** `a` minus its column means. */
export function centre(a: Mat): Mat {
  const m = columnMeans(a);
  const out = mat(a.rows, a.cols);
  for (let r = 0; r < a.rows; r++)
    for (let c = 0; c < a.cols; c++) out.data[r * a.cols + c] = a.data[r * a.cols + c]! - m[c]!;
  return out;
}

/** `aᵀa` (cols × cols), optionally added into `into`. */
export function gram(a: Mat, into?: Mat): Mat {
  const d = a.cols;
  const g = into ?? mat(d, d);
  for (let r = 0; r < a.rows; r++) {
    const o = r * d;
    for (let i = 0; i < d; i++) {
      const v = a.data[o + i]!;
      if (v === 0) continue;
      const gi = i * d;
      for (let j = i; j < d; j++) g.data[gi + j]! += v * a.data[o + j]!;
    }
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) g.data[j * d + i] = g.data[i * d + j]!;
  return g;
}

/** `a · b`. */
export function multiply(a: Mat, b: Mat): Mat {
  const out = mat(a.rows, b.cols);
  for (let r = 0; r < a.rows; r++)
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[r * a.cols + k]!;
      if (v === 0) continue;
      const bo = k * b.cols;
      const oo = r * b.cols;
      for (let c = 0; c < b.cols; c++) out.data[oo + c]! += v * b.data[bo + c]!;
    }
  return out;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Returns eigenvalues in descending
 * order and the matching unit eigenvectors as the columns of `vectors`. Deterministic.
 */
export function symmetricEigen(s: Mat, maxSweeps = 60): { values: Float64Array; vectors: Mat } {
  const n = s.rows;
  const a = Float64Array.from(s.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i]! * a[i]!;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! * a[i * n + j]!;
    if (off <= 1e-24 * total || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]! || x - y);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = mat(n, n);
  order.forEach((src, dst) => {
    // Fix the sign (largest-magnitude component positive) so results do not depend on rotation order.
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(v[k * n + src]!) > Math.abs(big)) big = v[k * n + src]!;
    const sg = big < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors.data[k * n + dst] = sg * v[k * n + src]!;
  });
  return { values, vectors };
}

/** The top `k` principal directions of the rows of a centred matrix (columns of a cols × k matrix). */
export function principalDirections(centred: Mat, k: number): { directions: Mat; variances: Float64Array } {
  const n = Math.max(1, centred.rows);
  const cov = gram(centred);
  for (let i = 0; i < cov.data.length; i++) cov.data[i]! /= n;
  const kk = Math.min(k, centred.cols);
  const { values, vectors } = topEigen(cov, kk);
  return { directions: vectors, variances: values };
}

/** Dimensions up to which topEigen uses the full Jacobi decomposition. */
const JACOBI_MAX = 64;

/**
 * The top `k` eigenpairs of a symmetric positive semi-definite matrix: full Jacobi for small matrices, else
 * subspace iteration (block of k + 8, deterministic start, modified Gram–Schmidt) finished by Rayleigh–Ritz.
 * Eigenvectors are the columns of a d × k matrix, signs fixed as in symmetricEigen.
 */
export function topEigen(s: Mat, k: number, maxIterations = 200): { values: Float64Array; vectors: Mat } {
  const d = s.rows;
  if (d <= JACOBI_MAX || k + 8 >= d) {
    const { values, vectors } = symmetricEigen(s);
    const out = mat(d, k);
    for (let r = 0; r < d; r++) for (let c = 0; c < k; c++) out.data[r * k + c] = vectors.data[r * d + c]!;
    return { values: values.slice(0, k), vectors: out };
  }
  const p = k + 8;
  // Column-major block: q[c * d + r]. Deterministic, full-rank start.
  let q = new Float64Array(p * d);
  for (let c = 0; c < p; c++)
    for (let r = 0; r < d; r++) q[c * d + r] = Math.sin(1 + r * (c + 1) * 0.7 + c * 1.3);
  orthonormalise(q, d, p);
  let prev = new Float64Array(p);
  for (let it = 0; it < maxIterations; it++) {
    const z = new Float64Array(p * d);
    for (let c = 0; c < p; c++)
      for (let r = 0; r < d; r++) {
        let v = 0;
        const ro = r * d;
        for (let j = 0; j < d; j++) v += s.data[ro + j]! * q[c * d + j]!;
        z[c * d + r] = v;
      }
    // Ritz-like values: norms of C·q before orthonormalising.
    const cur = new Float64Array(p);
    for (let c = 0; c < p; c++) {
      let v = 0;
      for (let r = 0; r < d; r++) v += z[c * d + r]! * q[c * d + r]!;
      cur[c] = v;
    }
    q = z;
    orthonormalise(q, d, p);
    let change = 0;
    for (let c = 0; c < k; c++)
      change = Math.max(change, Math.abs(cur[c]! - prev[c]!) / (Math.abs(cur[0]!) + 1e-300));
    prev = cur;
    if (it > 5 && change < 1e-10) break;
  }
  // Rayleigh–Ritz: T = Qᵀ C Q (p × p), rotate the block by T's eigenvectors.
  const cq = new Float64Array(p * d);
  for (let c = 0; c < p; c++)
    for (let r = 0; r < d; r++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += s.data[r * d + j]! * q[c * d + j]!;
      cq[c * d + r] = v;
    }
  const t = mat(p, p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let v = 0;
      for (let r = 0; r < d; r++) v += q[a * d + r]! * cq[b * d + r]!;
      t.data[a * p + b] = v;
    }
  for (let a = 0; a < p; a++)
    for (let b = a + 1; b < p; b++)
      t.data[a * p + b] = t.data[b * p + a] = (t.data[a * p + b]! + t.data[b * p + a]!) / 2;
  const { values, vectors } = symmetricEigen(t);
  const out = mat(d, k);
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let r = 0; r < d; r++) {
      let v = 0;
      for (let j = 0; j < p; j++) v += q[j * d + r]! * vectors.data[j * p + c]!;
      out.data[r * k + c] = v;
      if (Math.abs(v) > Math.abs(big)) big = v;
    }
    if (big < 0) for (let r = 0; r < d; r++) out.data[r * k + c] = -out.data[r * k + c]!;
  }
  return { values: values.slice(0, k), vectors: out };
}

/** Modified Gram–Schmidt on the p columns (column-major, length d each); a dependent column becomes zero. */
function orthonormalise(q: Float64Array, d: number, p: number): void {
  for (let c = 0; c < p; c++) {
    for (let b = 0; b < c; b++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += q[c * d + r]! * q[b * d + r]!;
      for (let r = 0; r < d; r++) q[c * d + r]! -= dot * q[b * d + r]!;
    }
    let norm = 0;
    for (let r = 0; r < d; r++) norm += q[c * d + r]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < d; r++) q[c * d + r] = norm > 1e-300 ? q[c * d + r]! / norm : 0;
  }
}

/**
 * Lower Cholesky factor L of a symmetric positive definite matrix (S = L Lᵀ). Throws on a non-positive pivot.
 */
export function cholesky(s: Mat): Mat {
  const n = s.rows;
  const l = mat(n, n);
  for (let j = 0; j < n; j++) {
    let d = s.data[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l.data[j * n + k]! ** 2;
    if (!(d > 0)) throw new Error('matrix is not positive definite');
    const ljj = Math.sqrt(d);
    l.data[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = s.data[i * n + j]!;
      for (let k = 0; k < j; k++) v -= l.data[i * n + k]! * l.data[j * n + k]!;
      l.data[i * n + j] = v / ljj;
    }
  }
  return l;
}

/** Rows of `a` whitened by L (S = L Lᵀ): each row x becomes L⁻¹x, so rows with covariance S get identity. */
export function whitenRows(a: Mat, l: Mat): Mat {
  const n = l.rows;
  const out = mat(a.rows, n);
  for (let r = 0; r < a.rows; r++) {
    const x = a.data.subarray(r * n, (r + 1) * n);
    const y = out.data.subarray(r * n, (r + 1) * n);
    for (let i = 0; i < n; i++) {
      let v = x[i]!;
      for (let k = 0; k < i; k++) v -= l.data[i * n + k]! * y[k]!;
      y[i] = v / l.data[i * n + i]!;
    }
  }
  return out;
}

/** `a · v` for a vector v of length a.cols. */
export function project(a: Mat, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.rows);
  for (let r = 0; r < a.rows; r++) {
    let s = 0;
    for (let c = 0; c < a.cols; c++) s += a.data[r * a.cols + c]! * v[c]!;
    out[r] = s;
  }
  return out;
}

/** Column `c` of `m`. */
export function column(m: Mat, c: number): Float64Array {
  return Float64Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + c]!);
}

export function std(v: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i]!;
  mean /= Math.max(1, v.length);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! - mean) ** 2;
  return Math.sqrt(s / Math.max(1, v.length));
}
