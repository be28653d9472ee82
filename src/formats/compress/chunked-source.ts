import { TruncatedError } from '../../core/errors.js';
import type { ByteSource } from '../../core/source.js';

/**
 * Decoder output kept as the chunks it arrived in, read as one ByteSource: no final concatenation, so
 * holding a capped output never costs twice the cap. Reads inside one chunk are zero-copy views.
 */
export class ChunkedSource implements ByteSource {
  readonly size: number;
  private readonly starts: number[] = [];

  constructor(private readonly chunks: readonly Uint8Array[]) {
    let at = 0;
    for (const c of chunks) {
      this.starts.push(at);
      at += c.length;
    }
    this.size = at;
  }

  private chunkAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new TruncatedError(`read of ${length} bytes at ${offset} past end ${this.size}`, offset);
    }
    if (length === 0) return new Uint8Array(0);
    let i = this.chunkAt(offset);
    const first = this.chunks[i] as Uint8Array;
    const rel = offset - (this.starts[i] as number);
    if (rel + length <= first.length) return first.subarray(rel, rel + length);
    const out = new Uint8Array(length);
    let done = 0;
    let from = rel;
    while (done < length) {
      const c = this.chunks[i] as Uint8Array;
      const n = Math.min(c.length - from, length - done);
      out.set(c.subarray(from, from + n), done);
      done += n;
      from = 0;
      i++;
    }
    return out;
  }
}
