/** Seeded mutation helpers shared by the model-format hostile tests (same scheme as archive-hostile). */

/** mulberry32: a small seeded PRNG (no Math.random in tests). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Flips bits, writes edge values, or copies a run inside the buffer; keeps the length. */
export function mutate(base: Uint8Array, rnd: () => number, special: readonly number[]): Uint8Array {
  const b = Uint8Array.from(base);
  const n = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * b.length);
    const kind = rnd();
    if (kind < 0.4) b[at] = (b[at] as number) ^ (1 << Math.floor(rnd() * 8));
    else if (kind < 0.8) b[at] = special[Math.floor(rnd() * special.length)] as number;
    else {
      const from = Math.floor(rnd() * b.length);
      const len = Math.min(1 + Math.floor(rnd() * 8), b.length - Math.max(at, from));
      b.copyWithin(at, from, from + len);
    }
  }
  return b;
}
