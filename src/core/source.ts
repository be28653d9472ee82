import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ModelguardError, TruncatedError } from './errors.js';

/**
 * Random-access bytes: a file read in ranges, or bytes in memory. Parsers get a ByteSource so big
 * files are never read whole; reads are synchronous (page cache) and bounded by the caller.
 */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; throws TruncatedError past the end. May return a view. */
  read(offset: number, length: number): Uint8Array;
}

export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new TruncatedError(`read of ${length} bytes at ${offset} past end ${this.size}`, offset);
    }
    return this.bytes.subarray(offset, offset + length);
  }
}

/** A window of another source, e.g. a stored zip member or the payload after a header. */
export class SliceSource implements ByteSource {
  constructor(
    private readonly inner: ByteSource,
    private readonly start: number,
    readonly size: number,
  ) {
    if (start < 0 || size < 0 || start + size > inner.size) {
      throw new TruncatedError(`slice ${start}+${size} exceeds source size ${inner.size}`, start);
    }
  }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new TruncatedError(`read of ${length} bytes at ${offset} past end ${this.size}`, offset);
    }
    return this.inner.read(this.start + offset, length);
  }
}

/** Reads at most this long are served from a cached window of the file (many small header reads). */
const SMALL_READ = 16 << 10;
/**
 * Size of the cached window: big enough that walking thousands of adjacent small headers is a few
 * syscalls, small enough that headers far apart (one per 2 MB tensor) don't each pull in a megabyte.
 */
const WINDOW = 64 << 10;

/**
 * A file on disk, read with pread; holds one file descriptor until close(). Small reads are served
 * from a 64 KiB read-ahead window, so walking thousands of zip headers costs a handful of syscalls;
 * large reads go straight to the file and are never cached.
 */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      if (this.fd !== undefined) closeSync(this.fd);
      throw new ModelguardError('IO', `cannot open ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new TruncatedError(`read of ${length} bytes at ${offset} past end ${this.size}`, offset);
    }
    const rel = offset - this.windowStart;
    if (rel >= 0 && rel + length <= this.window.length) return this.window.subarray(rel, rel + length);
    if (length > SMALL_READ) return this.pread(offset, length);
    this.windowStart = offset;
    this.window = this.pread(offset, Math.min(WINDOW, this.size - offset));
    return this.window.subarray(0, length);
  }

  private pread(offset: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new ModelguardError('IO', `read from closed file ${this.path}`);
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) throw new TruncatedError(`file ${this.path} shrank while reading`, offset + done);
      done += n;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, length);
  }

  /** Calls `fn` on consecutive chunks of the whole file, reusing one buffer (valid only during the call). */
  forEachChunk(chunkSize: number, fn: (chunk: Uint8Array) => void): void {
    if (this.fd === undefined) throw new ModelguardError('IO', `read from closed file ${this.path}`);
    const buf = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(1, this.size)));
    for (let off = 0; off < this.size; ) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, this.size - off), off);
      if (n === 0) throw new TruncatedError(`file ${this.path} shrank while reading`, off);
      fn(buf.subarray(0, n));
      off += n;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.window = new Uint8Array(0);
  }
}
