import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader } from '../../src/core/byte-reader.js';
import { DEFAULT_LIMITS, type ScanLimits } from '../../src/core/limits.js';
import {
  type AnalyzeOptions,
  analyzePickle,
  type PickleAnalysis,
  type PickleStream,
  type PickleValue,
  renderOptions,
  renderValue,
} from '../../src/formats/pickle/index.js';

export const PICKLE_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pickle');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PICKLE_FIXTURES, name)));
}

export function analyze(
  bytes: Uint8Array,
  options: AnalyzeOptions = {},
  limits: Partial<ScanLimits> = {},
): PickleAnalysis {
  return analyzePickle(ByteReader.of(bytes), { ...DEFAULT_LIMITS, ...limits }, options);
}

/** The first stream of a single-pickle analysis. */
export function only(
  bytes: Uint8Array,
  options: AnalyzeOptions = {},
  limits: Partial<ScanLimits> = {},
): PickleStream {
  const a = analyze(bytes, options, limits);
  return a.streams[0] as PickleStream;
}

export function globalsOf(s: PickleStream): string[] {
  return s.globals.map((g) => `${g.module}.${g.name}`);
}

export function tracesOf(s: PickleStream): string[] {
  return s.calls.map((c) => c.trace);
}

export function anomaliesOf(s: PickleStream): string[] {
  return s.anomalies.map((a) => `${a.kind}@${a.offset}`);
}

/** Renders a value with the default options, but every item of a container (up to 64) shown. */
export function show(v: PickleValue | undefined): string {
  const o = { ...renderOptions(DEFAULT_LIMITS.maxEvidenceChars), maxItems: 64, maxTotalChars: 100_000 };
  return v === undefined ? '<none>' : renderValue(v, o);
}

/** Deterministic PRNG (mulberry32) for mutation tests. */
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
