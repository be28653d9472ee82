import { errorMessage, ModelguardError } from '../../core/errors.js';
import type { ByteSource } from '../../core/source.js';

/**
 * Runs 7-Zip (the 7z-wasm build) over a ByteSource, sandboxed: the wasm sees only its in-memory file
 * system (no host folder is mounted), the input is a device whose reads are ranged reads of the source
 * (the archive is never copied whole), and stdout is a device whose every write goes to `onStdout`,
 * which can stop 7-Zip by returning false (the write then fails with ENOSPC). A fresh instance per run.
 */

/** The parts of emscripten's FS this module uses. */
interface EmFs {
  mkdir(path: string): void;
  mkdev(path: string, mode: number, dev: number): void;
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: DeviceOps): void;
  streams: Array<{ stream_ops: StreamOps } | undefined>;
  ErrnoError: new (errno: number) => Error;
}
interface EmStream {
  position: number;
  seekable?: boolean;
}
interface StreamOps {
  write(
    stream: EmStream,
    buffer: Int8Array | Uint8Array,
    offset: number,
    length: number,
    position?: number,
  ): number;
  [k: string]: unknown;
}
interface DeviceOps {
  open(stream: EmStream): void;
  close(stream: EmStream): void;
  read(
    stream: EmStream,
    buffer: Int8Array | Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): number;
  llseek(stream: EmStream, offset: number, whence: number): number;
}
interface EmModule {
  FS: EmFs;
  callMain(args: string[]): number | undefined;
}
interface EmOptions {
  print(s: string): void;
  printErr(s: string): void;
  stdin(): number | null;
}
type Factory = (opts: Partial<EmOptions>) => Promise<EmModule>;

export const WASM_LIMITS = {
  /** Lines of 7-Zip diagnostics kept. Bounds memory spent on messages. CWE-400. */
  maxLogLines: 200,
  /** Largest single read the input device serves. */
  maxReadChunk: 1 << 20,
} as const;

const ENOSPC = 51;
const EINVAL = 28;
const INPUT_PATH = '/in/archive';

let cached: Promise<Factory> | undefined;

/** Loads 7z-wasm lazily (only archives that need 7-Zip pay for it); the package locates its own .wasm. */
async function load(): Promise<Factory> {
  cached ??= (async () => {
    const mod: unknown = await import('7z-wasm');
    const candidate = (mod as { default?: unknown }).default ?? mod;
    if (typeof candidate !== 'function')
      throw new ModelguardError('UNSUPPORTED', '7z-wasm did not export a module factory');
    return candidate as Factory;
  })();
  return cached;
}

export interface SevenZipRun {
  /** 7-Zip's exit code (0 ok, 1 warning, 2 fatal error, 8 out of memory), undefined when it crashed. */
  exitCode: number | undefined;
  /** Set when 7-Zip aborted with an exception (e.g. encrypted headers without a password). */
  crashed: string | undefined;
  /** True when `onStdout` asked to stop. */
  stopped: boolean;
  /** 7-Zip's diagnostics (stderr and stdout messages), bounded. */
  log: string[];
}

/**
 * Runs `7zz <args> /in/archive` with `source` as the archive. `onStdout` receives each chunk written to
 * stdout (valid only during the call); returning false stops 7-Zip.
 */
export async function runSevenZip(
  args: string[],
  source: ByteSource,
  onStdout: (chunk: Uint8Array) => boolean,
): Promise<SevenZipRun> {
  const factory = await load();
  const log: string[] = [];
  const note = (s: string): void => {
    if (log.length < WASM_LIMITS.maxLogLines && s.trim() !== '') log.push(s.trim());
  };
  const em = await factory({
    print: note,
    printErr: note,
    stdin: () => null,
  });
  const FS = em.FS;
  const dev = FS.makedev(200, 0);
  FS.registerDevice(dev, inputDevice(FS, source));
  FS.mkdir('/in');
  FS.mkdev(INPUT_PATH, 0o444, dev);
  let stopped = false;
  const stdout = FS.streams[1];
  if (stdout === undefined) throw new ModelguardError('UNSUPPORTED', '7z-wasm has no stdout stream');
  stdout.stream_ops = {
    ...stdout.stream_ops,
    write(_s, buffer, offset, length) {
      if (stopped) throw new FS.ErrnoError(ENOSPC);
      const chunk = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length);
      if (!onStdout(chunk)) {
        stopped = true;
        throw new FS.ErrnoError(ENOSPC);
      }
      return length;
    },
  };
  try {
    const exitCode = em.callMain([...args, INPUT_PATH]);
    return { exitCode: exitCode ?? 0, crashed: undefined, stopped, log };
  } catch (e) {
    return {
      exitCode: undefined,
      crashed: typeof e === 'number' ? `7-Zip aborted (exception ${e})` : errorMessage(e),
      stopped,
      log,
    };
  }
}

function inputDevice(FS: EmFs, source: ByteSource): DeviceOps {
  return {
    open(stream) {
      stream.seekable = true;
    },
    close() {},
    read(_stream, buffer, offset, length, position) {
      const n = Math.max(0, Math.min(length, WASM_LIMITS.maxReadChunk, source.size - position));
      if (n === 0) return 0;
      const bytes = source.read(position, n);
      new Uint8Array(buffer.buffer, buffer.byteOffset + offset, n).set(bytes);
      return n;
    },
    llseek(stream, offset, whence) {
      const base = whence === 1 ? stream.position : whence === 2 ? source.size : 0;
      const p = base + offset;
      if (p < 0) throw new FS.ErrnoError(EINVAL);
      return p;
    },
  };
}
