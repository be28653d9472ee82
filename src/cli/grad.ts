import type { Command } from 'commander';
import { writeNpy } from '../ml/npy.js';
import type { Classifier, Dataset, LossKind } from '../ml/types.js';
import {
  attackRuntime,
  backendFlags,
  DEFAULT_BATCH,
  loadModelAndData,
  parseIntFlag,
} from './attack/index.js';
import { EXIT, UsageError } from './errors.js';
import { Progress } from './progress.js';

export interface GradFlags {
  data?: string;
  loss: string;
  output?: string;
  limit?: string;
  batchSize?: string;
  profile?: string;
  threads?: string;
  executionProvider?: string;
  progress: boolean;
}

export function registerGrad(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('grad')
    .description(
      "Write the input gradient (saliency) of a loss for every sample as .npy (same shape as the data's x). Exit 0 done, 2 error.",
    )
    .argument('<model>', 'model.onnx or a TF.js model.json (detected by content)')
    .option('--data <path>', 'labelled data: .npz with x and y, or an image folder per class')
    .option('--loss <loss>', 'ce (cross-entropy), margin (C&W), dlr, or logit:K (the logit of class K)', 'ce')
    .option('-o, --output <file.npy>', 'where to write the gradients (float32 .npy)')
    .option('--limit <n>', 'use only the first N samples')
    .option('--batch-size <n>', `samples per model call (default ${DEFAULT_BATCH})`)
    .option('--profile <file>', 'JSON model profile (input shape, range, preprocessing)');
  backendFlags(command)
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (model: string, flags: GradFlags) => {
      setExit(await gradCommand(model, flags));
    });
}

/** `ce`, `margin`, `dlr`, `logit:K` → the loss head; K is checked against the class count later. */
export function parseLoss(v: string): LossKind {
  if (v === 'ce' || v === 'margin' || v === 'dlr') return { kind: v };
  const m = /^logit:(\d+)$/.exec(v);
  if (m) return { kind: 'logit', classIndex: Number(m[1]) };
  throw new UsageError(`--loss must be ce, margin, dlr or logit:K; got "${v}"`);
}

/** Gradients of every sample's loss, batch by batch, into one array shaped like x. */
export async function inputGradients(
  model: Classifier,
  data: Dataset,
  loss: LossKind,
  batch: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array> {
  const n = data.y.length;
  const d = data.x.data.length / Math.max(1, n);
  const out = new Float32Array(data.x.data.length);
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    const x = { data: data.x.data.subarray(from * d, to * d), shape: [to - from, ...data.x.shape.slice(1)] };
    const { grad } = await model.lossGradient(x, data.y.subarray(from, to), loss);
    if (grad.length !== (to - from) * d)
      throw new Error(`the backend returned ${grad.length} gradient values for ${(to - from) * d} inputs`);
    out.set(grad, from * d);
    onProgress?.(to, n);
  }
  return out;
}

/** `modelguard grad MODEL --data DATA --output FILE.npy`: returns the exit code (0 done, 2 error). */
export async function gradCommand(modelPath: string, flags: GradFlags): Promise<number> {
  if (flags.output === undefined) throw new UsageError('--output FILE.npy is required');
  const loss = parseLoss(flags.loss);
  const limit = parseIntFlag(flags.limit, '--limit', 1);
  const batch = parseIntFlag(flags.batchSize, '--batch-size', 1) ?? DEFAULT_BATCH;
  const rt = await attackRuntime();
  const { model, data } = await loadModelAndData(rt, modelPath, flags, limit);
  const progress = new Progress(process.stderr, flags.progress && process.stderr.isTTY === true);
  try {
    if (loss.kind === 'logit' && loss.classIndex >= model.profile.numClasses)
      throw new UsageError(
        `--loss logit:${loss.classIndex}: the model has ${model.profile.numClasses} classes`,
      );
    if (!model.capabilities.lossGradient) {
      const why = model.gradientUnavailable;
      throw new UsageError(`input gradients are unavailable for ${modelPath}${why ? `: ${why}` : ''}`);
    }
    const grad = await inputGradients(model, data, loss, batch, (done, total) =>
      progress.update(done, total, 'gradients'),
    );
    progress.done();
    try {
      writeNpy(flags.output, { data: grad, shape: data.x.shape });
    } catch (e) {
      throw new UsageError(`cannot write ${flags.output}: ${(e as Error).message}`);
    }
    process.stderr.write(
      `Gradients of ${flags.loss} for ${data.y.length} samples, shape [${data.x.shape.join(', ')}], written to ${flags.output}\n`,
    );
    return EXIT.ok;
  } finally {
    progress.done();
    await model.dispose();
  }
}
