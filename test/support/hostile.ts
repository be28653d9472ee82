/** Seeded mutation helpers shared by the model-format hostile tests (same scheme as archive-hostile). */
import { expect, it } from 'vitest';

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

export interface HostileSuite {
  /** Parses bytes; must never throw (a throw fails the test with the input's label). */
  parse(b: Uint8Array): void;
  /** Runs the format's scan handler; must resolve for every input. */
  scan(b: Uint8Array): Promise<unknown>;
  /** Bytes the mutator writes besides bit flips (edge values, the format's structural bytes). */
  special: readonly number[];
  /** Seed of the parser mutations (xored with the base length). */
  seed: number;
  mutations?: number;
}

/**
 * The three checks every parser's hostile suite makes on one well-formed base file: every truncation
 * parses, seeded mutations parse, and the handler resolves on truncations and mutations. A hang is caught
 * by the test timeout; what a parse returns is checked by `parse` itself.
 */
export function hostileParserTests(name: string, base: Uint8Array, suite: HostileSuite): void {
  const mutations = suite.mutations ?? 1000;
  const parse = (b: Uint8Array, label: string): void => {
    try {
      suite.parse(b);
    } catch (e) {
      throw new Error(`${name} ${label}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
  };
  it('parses every truncation without throwing', () => {
    for (let n = 0; n <= base.length; n++) parse(base.subarray(0, n), `truncated to ${n}`);
  });
  it(`parses ${mutations} seeded mutations without throwing`, () => {
    const rnd = prng(suite.seed ^ base.length);
    for (let i = 0; i < mutations; i++) parse(mutate(base, rnd, suite.special), `mutation ${i}`);
  });
  it('the handler never throws on truncated or mutated input', async () => {
    const rnd = prng(0xbad ^ base.length);
    const inputs = [
      ...Array.from({ length: 100 }, (_, i) => base.subarray(0, Math.floor((i * base.length) / 100))),
      ...Array.from({ length: 300 }, () => mutate(base, rnd, suite.special)),
    ];
    for (const input of inputs) await expect(suite.scan(input)).resolves.toBeDefined();
  });
}
