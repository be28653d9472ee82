/**
 * Features for a text dataset given without embeddings: word unigrams and bigrams of the normalised text,
 * hashed (FNV-1a, seeded sign) into `dims` buckets, log(1 + count), each row scaled to unit length.
 */
import { fmix32, fnv1a, normaliseText } from './hashes.js';
import type { Matrix } from './matrix.js';

export function hashedTextFeatures(texts: readonly string[], dims = 512): Matrix {
  const data = new Float32Array(texts.length * dims);
  texts.forEach((t, i) => {
    const words = normaliseText(t)
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    const row = data.subarray(i * dims, (i + 1) * dims);
    const add = (s: string) => {
      const h = fnv1a(s);
      row[h % dims]! += fmix32(h) & 1 ? 1 : -1;
    };
    words.forEach((w, k) => {
      add(w);
      if (k > 0) add(`${words[k - 1]} ${w}`);
    });
    let norm = 0;
    for (let j = 0; j < dims; j++) {
      const v = Math.sign(row[j]!) * Math.log1p(Math.abs(row[j]!));
      row[j] = v;
      norm += v * v;
    }
    if (norm > 0) for (let j = 0; j < dims; j++) row[j]! /= Math.sqrt(norm);
  });
  return { data, n: texts.length, d: dims };
}
