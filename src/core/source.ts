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
const SMALL_READ = 64 << 10;
/** Size of the cached window. */
const WINDOW = 1 << 20;

/**
 * A file on disk, read with pread; holds one file descriptor until close(). Small reads are served
 * from a 1 MiB read-ahead window, so walking thousands of zip headers costs a handful of syscalls;
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

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.window = new Uint8Array(0);
  }
}
