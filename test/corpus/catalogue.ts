/**
 * The hostile-sample catalogue: at least one sample per technique T01–T46 of
 * ../shared/threats/model-files.md that concerns pickle, PyTorch, joblib, NumPy or archives, plus benign
 * controls built the same way. test/corpus.test.ts scans every sample; scripts/make-demo.ts picks some.
 */
import { CONTAINER_SAMPLES } from './samples-containers.js';
import { GADGET_SAMPLES } from './samples-gadgets.js';
import { VM_SAMPLES } from './samples-vm.js';
import type { CorpusSample } from './types.js';

export type { CorpusSample, DirectoryFile, DirectorySample, Expect, FileSample } from './types.js';

export const SAMPLES: readonly CorpusSample[] = [...VM_SAMPLES, ...GADGET_SAMPLES, ...CONTAINER_SAMPLES].sort(
  (a, b) => techniqueNumber(a.technique) - techniqueNumber(b.technique) || a.id.localeCompare(b.id),
);

function techniqueNumber(t: string): number {
  return Number.parseInt(t.slice(1), 10);
}

/** The sample with this id (throws for an unknown id, so callers fail loudly). */
export function sampleById(id: string): CorpusSample {
  const s = SAMPLES.find((x) => x.id === id);
  if (s === undefined) throw new Error(`no corpus sample '${id}'`);
  return s;
}
