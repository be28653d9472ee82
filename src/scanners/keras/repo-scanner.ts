import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { KERAS_LIMITS } from '../../formats/keras/limits.js';
import type { RepoContext, RepoFile, RepoScanner } from '../types.js';
import { scanKerasConfigText } from './config-scan.js';
import type { Sink } from './report-facts.js';

function headOf(path: string, n: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `model.to_json()` output (Keras 2 architecture files): `{"class_name": …, "config": …, "keras_version": …}`. */
function scanJson(f: RepoFile, ctx: RepoContext): void {
  if (f.size > KERAS_LIMITS.maxConfigBytes) return;
  if (!/^\s*\{\s*"class_name"\s*:/.test(headOf(f.path, 256))) return;
  const text = readFileSync(f.path, 'utf8');
  if (!/"keras_version"|"backend"/.test(text)) return;
  const sink: Sink = (rule, finding) => ctx.report(rule, f.path, finding);
  const payloads = scanKerasConfigText(text, basename(f.rel), true, sink, {
    container: 'json',
    kerasVersion: undefined,
    maxEvidenceChars: ctx.limits.maxEvidenceChars,
  });
  // A repository scanner cannot hand members back to the engine; the torch-module finding says what is there.
  void payloads;
}

/**
 * Keras architectures stored as JSON next to weights (Keras 2 `model.to_json()` files, loaded with
 * model_from_json, which has no safe mode): the same config analysis as for `.h5` and `.keras` files.
 * Found by name (`.json`) and shape. YAML architectures (`model.to_yaml()`, T58) are covered by the
 * config-carrier scan of every YAML file (configs/yaml-python-tag).
 */
export const kerasRepoScanner: RepoScanner = {
  id: 'keras-text-configs',
  async scan(files, ctx) {
    for (const f of files) {
      const name = f.rel.toLowerCase();
      try {
        if (name.endsWith('.json')) scanJson(f, ctx);
      } catch {
        // Unreadable files are reported by the file scan; nothing more to say here.
      }
    }
  },
};
