/** What the command keeps of the adversarial examples: a few for the HTML report, all with --save-adversarial. */
import type { AttackName } from '../../attacks/types.js';
import { writeNpz } from '../../ml/npy.js';
import type { Classifier, Dataset, Tensor } from '../../ml/types.js';
import type { AttackExample } from '../../report/attack/types.js';
import { UsageError } from '../errors.js';

/** Example images in the HTML report. */
const EXAMPLES = 4;

/** Per ε: worst-case adversarial examples (the original where nothing fooled the point) and who did it. */
export interface AdversarialSet {
  readonly x: Float32Array;
  readonly by: readonly (AttackName | null)[];
}

function sampleSize(shape: readonly number[]): number {
  return shape.slice(1).reduce((p, d) => p * d, 1);
}

/** Predicted classes of every sample, in batches (attacks/evaluate's, loaded only when an attack runs). */
export async function predictAll(model: Classifier, x: Tensor, batch: number): Promise<Int32Array> {
  return (await import('../../attacks/evaluate.js')).predictClasses(model, x, batch);
}

/**
 * Up to EXAMPLES fooled points, from the largest ε down (an attack may fool a point only at a smaller ε),
 * one per point, different true labels first.
 */
export async function examplesOf(
  model: Classifier,
  data: Dataset,
  eps: readonly number[],
  adversarial: readonly AdversarialSet[],
  cleanPred: Int32Array,
): Promise<AttackExample[]> {
  const d = sampleSize(data.x.shape);
  const found: { i: number; k: number }[] = [];
  for (let k = adversarial.length - 1; k >= 0; k--) {
    const by = adversarial[k]?.by ?? [];
    for (let i = 0; i < by.length; i++)
      if (by[i] !== null && !found.some((f) => f.i === i)) found.push({ i, k });
  }
  const seen = new Set<number>();
  const pick: { i: number; k: number }[] = [];
  for (const f of found) {
    if (pick.length < EXAMPLES && !seen.has(data.y[f.i] as number)) {
      seen.add(data.y[f.i] as number);
      pick.push(f);
    }
  }
  for (const f of found) if (pick.length < EXAMPLES && !pick.includes(f)) pick.push(f);
  if (pick.length === 0) return [];
  const x = new Float32Array(pick.length * d);
  const advOf = (f: { i: number; k: number }) =>
    (adversarial[f.k]?.x ?? data.x.data).slice(f.i * d, (f.i + 1) * d);
  for (const [n, f] of pick.entries()) x.set(advOf(f), n * d);
  const advPred = await predictAll(
    model,
    { data: x, shape: [pick.length, ...data.x.shape.slice(1)] },
    pick.length,
  );
  return pick.map((f, n) => ({
    index: f.i,
    label: data.y[f.i] as number,
    cleanPrediction: cleanPred[f.i] as number,
    adversarialPrediction: advPred[n] as number,
    attack: adversarial[f.k]?.by[f.i] as AttackName,
    eps: eps[f.k] as number,
    original: data.x.data.slice(f.i * d, (f.i + 1) * d),
    adversarial: advOf(f),
  }));
}

/** `--save-adversarial`: x, y, x_adv and fooled at the largest ε (and per ε when there are several), eps. */
export function saveAdversarial(
  file: string,
  data: Dataset,
  eps: readonly number[],
  adversarial: readonly AdversarialSet[],
): void {
  const arrays: Record<string, Tensor | Int32Array> = { x: data.x, y: data.y };
  const last = adversarial.length - 1;
  adversarial.forEach((a, k) => {
    const x = { data: a.x, shape: data.x.shape };
    const fooled = Int32Array.from(a.by, (b) => (b === null ? 0 : 1));
    if (k === last) Object.assign(arrays, { x_adv: x, fooled });
    if (eps.length > 1) Object.assign(arrays, { [`x_adv_${k}`]: x, [`fooled_${k}`]: fooled });
  });
  arrays['eps'] = { data: Float32Array.from(eps), shape: [eps.length] };
  try {
    writeNpz(file, arrays);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
}
