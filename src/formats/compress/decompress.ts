import { createGunzip, createInflate } from 'node:zlib';
import { errorMessage } from '../../core/errors.js';
import type { ScanLimits } from '../../core/limits.js';
import type { ByteSource } from '../../core/source.js';
import { runSevenZip } from '../sevenz/wasm.js';
import { ChunkedSource } from './chunked-source.js';
import type { CompressionKind } from './sniff.js';

export const COMPRESS_LIMITS = {
  /** The ratio limit applies only above this many output bytes: small streams compress absurdly well. CWE-409. */
  ratioFloorBytes: 1 << 20,
  /** Compressed bytes handed to the decoder at a time (memory per step). */
  inputChunkBytes: 1 << 20,
} as const;

export type DecompressLimits = Pick<ScanLimits, 'maxInflatedBytes' | 'maxCompressionRatio'>;

/** Why decompression stopped before the end of the stream. */
export type DecompressStop = 'max-inflated' | 'ratio' | 'budget';

export interface Decompressed {
  kind: CompressionKind;
  /** The output (or its first `cap` bytes when stopped early), held as the decoder's chunks. */
  output: ByteSource;
  /** True when the whole stream was decoded without error. */
  complete: boolean;
  /** Set when a limit stopped decoding (a decompression bomb, or the total budget). */
  stop: DecompressStop | undefined;
  /** The output cap that applied, in bytes. */
  cap: number;
  /** Decoder error (corrupt or truncated stream); `output` holds what was decoded before it. */
  error: string | undefined;
}

/** Collects output chunks up to a hard cap; never holds more than `cap` bytes. */
class CappedSink {
  private readonly chunks: Uint8Array[] = [];
  total = 0;
  full = false;
  constructor(private readonly cap: number) {}
  /** Copies what fits; returns false once the cap is reached (the producer should stop). */
  push(c: Uint8Array): boolean {
    const room = this.cap - this.total;
    if (c.length > room) {
      if (room > 0) this.chunks.push(c.slice(0, room));
      this.total = this.cap;
      this.full = true;
      return false;
    }
    this.chunks.push(c.slice());
    this.total += c.length;
    return true;
  }
  source(): ChunkedSource {
    return new ChunkedSource(this.chunks);
  }
  each(): readonly Uint8Array[] {
    return this.chunks;
  }
}

function capFor(
  source: ByteSource,
  limits: DecompressLimits,
  budget: number,
): { cap: number; reason: DecompressStop } {
  const ratioCap = Math.max(
    COMPRESS_LIMITS.ratioFloorBytes,
    Math.floor(source.size * limits.maxCompressionRatio),
  );
  const options: Array<[number, DecompressStop]> = [
    [limits.maxInflatedBytes, 'max-inflated'],
    [ratioCap, 'ratio'],
    [budget, 'budget'],
  ];
  options.sort((a, b) => a[0] - b[0]);
  const [cap, reason] = options[0] as [number, DecompressStop];
  return { cap: Math.max(0, cap), reason };
}

/**
 * Decompresses a whole gzip (multi-member), zlib, bzip2, xz or lzma-alone stream with a hard output cap:
 * the smallest of `maxInflatedBytes`, `maxCompressionRatio` × input size, and `budget`. Output beyond
 * the cap is never allocated. gzip/zlib use node:zlib; bzip2/xz/lzma use 7-Zip (7z-wasm), streamed.
 */
export async function decompress(
  kind: CompressionKind,
  source: ByteSource,
  limits: DecompressLimits,
  budget = Number.POSITIVE_INFINITY,
): Promise<Decompressed> {
  const { cap, reason } = capFor(source, limits, budget);
  const sink = new CappedSink(cap);
  const r =
    kind === 'gzip' || kind === 'zlib'
      ? await viaZlib(kind, source, sink)
      : await viaSevenZip(kind, source, sink);
  const output = sink.source();
  // node:zlib streams end quietly on truncated input; the trailers tell.
  const error = sink.full
    ? undefined
    : (r.error ??
      (kind === 'gzip' || kind === 'zlib'
        ? trailerProblem(kind, source, sink.each(), sink.total)
        : undefined));
  return {
    kind,
    output,
    complete: !sink.full && error === undefined,
    stop: sink.full ? reason : undefined,
    cap,
    error,
  };
}

function adler32(chunks: readonly Uint8Array[]): number {
  let a = 1;
  let s = 0;
  for (const b of chunks)
    for (let i = 0; i < b.length; ) {
      const end = Math.min(b.length, i + 5552);
      for (; i < end; i++) {
        a += b[i] as number;
        s += a;
      }
      a %= 65521;
      s %= 65521;
    }
  return (s * 65536 + a) >>> 0;
}

/** Checks the stream trailer against the output: zlib's Adler-32, gzip's ISIZE (single member). */
function trailerProblem(
  kind: 'gzip' | 'zlib',
  source: ByteSource,
  out: readonly Uint8Array[],
  total: number,
): string | undefined {
  if (source.size < 8) return 'stream is truncated';
  const t = source.read(source.size - 4, 4);
  const le =
    ((t[0] as number) | ((t[1] as number) << 8) | ((t[2] as number) << 16)) + (t[3] as number) * 0x1000000;
  const be =
    (t[0] as number) * 0x1000000 + (((t[1] as number) << 16) | ((t[2] as number) << 8) | (t[3] as number));
  if (kind === 'zlib')
    return adler32(out) === be
      ? undefined
      : 'stream is truncated or corrupt (Adler-32 trailer does not match)';
  // For several gzip members ISIZE covers only the last one: only flag the single-member mismatch case.
  if (le === total % 0x100000000) return undefined;
  return le > total % 0x100000000
    ? 'stream is truncated (gzip ISIZE trailer larger than the output)'
    : undefined;
}

function viaZlib(
  kind: 'gzip' | 'zlib',
  source: ByteSource,
  sink: CappedSink,
): Promise<{ error: string | undefined }> {
  const z = kind === 'gzip' ? createGunzip() : createInflate();
  return new Promise((resolve) => {
    let done = false;
    const finish = (error: string | undefined): void => {
      if (done) return;
      done = true;
      resolve({ error });
      z.destroy();
    };
    z.on('data', (c: Buffer) => {
      if (!done && !sink.push(c)) finish(undefined);
    });
    z.on('error', (e: Error) => finish(errorMessage(e)));
    z.on('end', () => finish(undefined));
    z.on('close', () => finish(done ? undefined : 'stream closed early'));
    const feed = async (): Promise<void> => {
      for (let off = 0; off < source.size && !done; off += COMPRESS_LIMITS.inputChunkBytes) {
        const chunk = source.read(off, Math.min(COMPRESS_LIMITS.inputChunkBytes, source.size - off));
        if (!z.write(chunk)) {
          await new Promise<void>((r) => {
            z.once('drain', r);
            z.once('close', r);
          });
        }
      }
      if (!done) z.end();
    };
    feed().catch((e: unknown) => finish(errorMessage(e)));
  });
}

const SEVENZIP_TYPE: Record<'bzip2' | 'xz' | 'lzma', string> = {
  bzip2: '-tbzip2',
  xz: '-txz',
  lzma: '-tlzma',
};

async function viaSevenZip(
  kind: 'bzip2' | 'xz' | 'lzma',
  source: ByteSource,
  sink: CappedSink,
): Promise<{ error: string | undefined }> {
  const run = await runSevenZip(['e', '-so', '-bsp0', SEVENZIP_TYPE[kind]], source, (c) => sink.push(c));
  if (run.crashed !== undefined && !run.stopped) return { error: run.crashed };
  if (run.exitCode !== 0 && !run.stopped)
    return { error: `7-Zip exited with ${run.exitCode}: ${run.log.slice(-3).join(' | ') || 'no message'}` };
  return { error: undefined };
}
