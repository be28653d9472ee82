/**
 * Reverse-engineers the smallest trigger for one target class (Neural Cleanse, robustness.md §B.7), following
 * bolunwang/backdoor visualizer.py step by step: per mini-epoch `samples / batch` Adam steps on
 * `mean CE(f(x'), t) + λ·‖m‖₁`; λ starts at 0 and becomes INIT_COST after `patience` mini-epochs with success
 * ≥ 0.99; then λ ×2 after `patience` successful mini-epochs, ÷2^1.5 after `patience` unsuccessful ones; the best
 * mask is the one with the smallest mean L1 among mini-epochs with success ≥ 0.99; early stop after
 * `earlyStopPatience` mini-epochs without a better mask, once λ has gone both up and down.
 */
import type { Rng } from '../../attacks/rng.js';
import type { Classifier } from '../../ml/types.js';
import { NC_DEFAULTS } from './limits.js';
import { Adam, batchStep, TriggerVars } from './trigger.js';

export interface ReverseSettings {
  readonly steps: number;
  readonly batch: number;
  readonly samples: number;
}

export interface Reversed {
  readonly mask: Float32Array;
  readonly pattern: Float32Array;
  readonly maskL1: number;
  readonly success: number;
  readonly reached: boolean;
  readonly steps: number;
  readonly earlyStopped: boolean;
  readonly cost: number;
}

export async function reverseTrigger(
  clf: Classifier,
  x: Float32Array,
  n: number,
  target: number,
  pixels: Int32Array,
  hw: number,
  s: ReverseSettings,
  rng: Rng,
  onStep?: (step: number) => void,
): Promise<Reversed> {
  const P = NC_DEFAULTS;
  const d = pixels.length;
  const v = new TriggerVars(pixels, clf.profile.clipMin, clf.profile.clipMax, hw);
  v.init(
    Array.from({ length: hw }, () => rng.uniform()),
    Array.from({ length: d }, () => rng.uniform()),
  );
  const adam = new Adam(hw + d, P.lr, P.beta1, P.beta2, P.adamEpsilon);
  const miniBatches = Math.max(1, Math.floor(s.samples / s.batch));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let cursor = n; // forces a shuffle before the first batch
  const xb = new Float32Array(s.batch * d);

  let cost = 0;
  let costSet = 0;
  let up = 0;
  let down = 0;
  let upFlag = false;
  let downFlag = false;
  let regBest = Number.POSITIVE_INFINITY;
  let earlyBest = Number.POSITIVE_INFINITY;
  let earlyCounter = 0;
  let best: { mask: Float32Array; pattern: Float32Array; success: number } | undefined;
  let last = { success: 0 };
  let step = 0;
  let earlyStopped = false;

  for (; step < s.steps; ) {
    let sumReg = 0;
    let sumSuccess = 0;
    for (let b = 0; b < miniBatches; b++) {
      const m = Math.min(s.batch, n);
      for (let r = 0; r < m; r++) {
        if (cursor >= n) {
          shuffle(order, rng);
          cursor = 0;
        }
        const i = order[cursor++]!;
        xb.set(x.subarray(i * d, (i + 1) * d), r * d);
      }
      const xm = xb.subarray(0, m * d);
      const r = await batchStep(clf, xm, m, target, v, cost);
      adam.step([v.a, v.b], [r.ga, r.gb]);
      v.refresh();
      sumReg += r.reg;
      sumSuccess += r.success;
    }
    step++;
    const avgReg = sumReg / miniBatches;
    const avgSuccess = sumSuccess / miniBatches;
    last = { success: avgSuccess };
    onStep?.(step);

    if (avgSuccess >= P.attackSuccessThreshold && avgReg < regBest) {
      best = { mask: Float32Array.from(v.mask), pattern: Float32Array.from(v.pattern), success: avgSuccess };
      regBest = avgReg;
    }
    if (regBest < Number.POSITIVE_INFINITY) {
      if (regBest >= P.earlyStopThreshold * earlyBest) earlyCounter++;
      else earlyCounter = 0;
    }
    earlyBest = Math.min(regBest, earlyBest);
    if (upFlag && downFlag && earlyCounter >= P.earlyStopPatience) {
      earlyStopped = true;
      break;
    }

    if (cost === 0 && avgSuccess >= P.attackSuccessThreshold) {
      costSet++;
      if (costSet >= P.patience) {
        cost = P.initCost;
        up = 0;
        down = 0;
        upFlag = false;
        downFlag = false;
      }
    } else costSet = 0;
    if (avgSuccess >= P.attackSuccessThreshold) {
      up++;
      down = 0;
    } else {
      up = 0;
      down++;
    }
    if (up >= P.patience) {
      up = 0;
      cost *= P.costMultiplierUp;
      upFlag = true;
    } else if (down >= P.patience) {
      down = 0;
      cost /= P.costMultiplierDown;
      downFlag = true;
    }
  }

  const kept = best ?? {
    mask: Float32Array.from(v.mask),
    pattern: Float32Array.from(v.pattern),
    success: last.success,
  };
  let l1 = 0;
  for (const m of kept.mask) l1 += m;
  return {
    mask: kept.mask,
    pattern: kept.pattern,
    maskL1: l1,
    success: kept.success,
    reached: best !== undefined,
    steps: step,
    earlyStopped,
    cost,
  };
}

function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
