import type { AttackExample, AttackReport } from '../src/report/attack/types.js';

/** A hand-made attack report (two attacks × three ε) whose strings carry markup that must stay inert. */
export const EVIL = '"><img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>';

export function sampleReport(overrides: Partial<AttackReport> = {}): AttackReport {
  return {
    tool: { name: 'modelguard', version: '0.1.0' },
    model: {
      path: `models/${EVIL}.onnx`,
      sha256: 'a'.repeat(64),
      format: 'onnx',
      inputShape: [1, 8, 8],
      classes: 10,
      clipMin: 0,
      clipMax: 1,
      layout: 'NCHW',
      softmaxOutput: true,
      removedSoftmax: true,
      gradients: true,
    },
    data: { path: 'digits.npz', samples: 450, classNames: ['zero', EVIL] },
    seed: 0,
    norm: 'linf',
    eps: [0.05, 0.1, 0.2],
    preset: null,
    settings: { steps: 40, batchSize: 64 },
    cleanAccuracy: 0.9844,
    robustAccuracy: 0.0067,
    attacks: [0.05, 0.1, 0.2].flatMap((eps, k) => [
      {
        name: 'fgsm' as const,
        norm: 'linf' as const,
        eps,
        robustAccuracy: [0.86, 0.51, 0.13][k] as number,
        successRate: 0.3,
        meanPerturbation: eps,
        medianPerturbation: eps,
        queries: 1,
        attacked: 443,
        fooled: 100,
        seconds: 0.1,
      },
      {
        name: 'pgd' as const,
        norm: 'linf' as const,
        eps,
        robustAccuracy: [0.8, 0.4, 0.0067][k] as number,
        successRate: 0.5,
        meanPerturbation: eps * 0.9,
        medianPerturbation: eps * 0.95,
        queries: 40,
        attacked: 443,
        fooled: 200,
        seconds: 2.5,
      },
    ]),
    curve: {
      eps: [0.05, 0.1, 0.2],
      clean: 0.9844,
      worstCase: [0.79, 0.39, 0.0067],
      attacks: [
        { name: 'fgsm', robustAccuracy: [0.86, 0.51, 0.13] },
        { name: 'pgd', robustAccuracy: [0.8, 0.4, 0.0067] },
      ],
    },
    warnings: [{ code: 'softmax-output', message: `the model outputs probabilities ${EVIL}` }],
    adversarialFile: null,
    failUnder: null,
    durationMs: 1234,
    ...overrides,
  };
}

/** Examples on 8×8 grey samples: a gradient image and a copy with a ±0.2 checkerboard. */
export function sampleExamples(n = 3, shape: readonly number[] = [1, 8, 8]): AttackExample[] {
  const d = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, k) => {
    const original = Float32Array.from({ length: d }, (_, i) => (i % 64) / 63);
    const adversarial = original.map((v, i) => Math.min(1, Math.max(0, v + (i % 2 ? 0.2 : -0.2))));
    return {
      index: k * 7,
      label: 1,
      cleanPrediction: 1,
      adversarialPrediction: 0,
      attack: 'pgd' as const,
      eps: 0.2,
      original,
      adversarial,
    };
  });
}
