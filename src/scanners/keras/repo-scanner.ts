import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { FileSource } from '../../core/source.js';
import { HDF5_LIMITS } from '../../formats/hdf5/limits.js';
import { HDF5_MAGIC } from '../../formats/hdf5/sniff.js';
import { KERAS_LIMITS } from '../../formats/keras/limits.js';
import type { RepoContext, RepoFile, RepoScanner } from '../types.js';
import { scanKerasConfigText } from './config-scan.js';
import { scanHdf5Source } from './hdf5-handler.js';
import type { Sink } from './report-facts.js';
import { HDF5_RULES as H } from './rules.js';

function readAt(fd: number, offset: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  return buf.subarray(0, readSync(fd, buf, 0, n, offset));
}

/**
 * Offset of an HDF5 superblock after a user block (512, 1024, 2048 … as the library searches), read
 * with one 8-byte pread per candidate: cheap enough to ask of every file in a folder.
 */
function userBlockOffset(path: string, size: number): number | undefined {
  const fd = openSync(path, 'r');
  try {
    for (let off = 512; off + HDF5_MAGIC.length <= size && off <= HDF5_LIMITS.maxUserBlock; off *= 2) {
      const b = readAt(fd, off, HDF5_MAGIC.length);
      if (HDF5_MAGIC.every((m, i) => b[i] === m)) return off;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

async function scanUserBlock(f: RepoFile, ctx: RepoContext): Promise<void> {
  if (f.format.includes('hdf5') || f.size < 512 + HDF5_MAGIC.length) return;
  const off = userBlockOffset(f.path, f.size);
  if (off === undefined) return;
  const sink: Sink = (rule, finding) => ctx.report(rule, f.path, finding);
  sink(H['hdf5/user-block'], {
    message: `HDF5 file behind a ${off}-byte user block: the head reads as ${f.format.join(', ') || 'unknown'}, but h5py and Keras open it as HDF5`,
    offset: off,
  });
  const source = new FileSource(f.path);
  try {
    // Payloads cannot be handed back to the engine from here; their findings say what they are.
    await scanHdf5Source(source, sink, ctx.limits.maxEvidenceChars);
  } finally {
    source.close();
  }
}

/** `model.to_json()` output (Keras 2 architecture files): `{"class_name": …, "config": …, "keras_version": …}`. */
function scanJson(f: RepoFile, ctx: RepoContext): void {
  if (f.size > KERAS_LIMITS.maxConfigBytes) return;
  const fd = openSync(f.path, 'r');
  let head: string;
  try {
    head = readAt(fd, 0, 256).toString('utf8');
  } finally {
    closeSync(fd);
  }
  if (!/^\s*\{\s*"class_name"\s*:/.test(head)) return;
  const text = readFileSync(f.path, 'utf8');
  if (!/"keras_version"|"backend"/.test(text)) return;
  const sink: Sink = (rule, finding) => ctx.report(rule, f.path, finding);
  // Payloads cannot be handed back to the engine from here; the torch-module finding says what is there.
  scanKerasConfigText(text, basename(f.rel), true, sink, {
    container: 'json',
    kerasVersion: undefined,
    maxEvidenceChars: ctx.limits.maxEvidenceChars,
  });
}

/**
 * Keras content the file scan cannot see on its own: architectures stored as JSON next to weights
 * (Keras 2 `model.to_json()` files, loaded by model_from_json, which has no safe mode), analysed like
 * `.h5` and `.keras` configs; and HDF5 files behind a user block, whose head sniffs as another format.
 * YAML architectures (`model.to_yaml()`, T58) are covered by the config-carrier scan of every YAML file
 * (configs/yaml-python-tag).
 */
export const kerasRepoScanner: RepoScanner = {
  id: 'keras',
  async scan(files, ctx) {
    for (const f of files) {
      try {
        if (f.rel.toLowerCase().endsWith('.json')) scanJson(f, ctx);
        await scanUserBlock(f, ctx);
      } catch {
        // Unreadable files are reported by the file scan; nothing more to say here.
      }
    }
  },
};
