import { join } from 'node:path';
import { fileIoHandler, tfjsRuntime } from '../../src/ml/tfjs/index.js';

/**
 * A small TF.js LayersModel (NHWC conv 3×3 → ReLU → flatten → dense → softmax) with weights drawn from a
 * seeded LCG, saved by tfjs-layers as `dir/tfjs/model.json`; returns that path, the model and the LCG for test data.
 */
export async function savedConvModel(
  dir: string,
  inputShape: [number, number, number],
  classes: number,
  seed: number,
): Promise<{
  modelJson: string;
  model: Awaited<ReturnType<typeof tfjsRuntime>>['layers']['Sequential']['prototype'];
  rand: () => number;
}> {
  const { tf, layers } = await tfjsRuntime();
  const L = layers.layers;
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const model = layers.sequential({
    layers: [
      L.conv2d({ inputShape, filters: 4, kernelSize: 3, activation: 'relu' }),
      L.flatten(),
      L.dense({ units: classes, activation: 'softmax' }),
    ],
  });
  model.setWeights(
    model.getWeights().map((w) =>
      tf.tensor(
        Array.from({ length: w.size }, () => rand() - 0.5),
        w.shape,
      ),
    ),
  );
  const modelJson = join(dir, 'tfjs', 'model.json');
  await model.save(fileIoHandler(modelJson));
  return { modelJson, model, rand };
}
