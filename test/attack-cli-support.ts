import type { Attack, AttackName, AttackOptions } from '../src/attacks/types.js';
import type { AttackRuntime, LoadedClassifier } from '../src/cli/attack.js';
import type { Classifier, Dataset, LossKind, Tensor } from '../src/ml/types.js';

/**
 * A linear 3-class model on 4×4 grey images (class c = the brightest of three pixel bands) and two
 * honest small attacks on it (one-step FGSM through its analytic CE gradient, a seeded random-sign
 * black-box search), so the attack command can be tested before — and apart from — the real backends.
 */
export const SIDE = 4;
export const CLASSES = 3;
const D = SIDE * SIDE;

/** Weight of pixel p for class c: 1 on the band of rows belonging to c, −0.5 elsewhere. */
export function weight(c: number, p: number): number {
  const row = Math.floor(p / SIDE);
  return Math.min(CLASSES - 1, Math.floor((row * CLASSES) / SIDE)) === c ? 1 : -0.5;
}

export function logits(x: Float32Array, i: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < CLASSES; c++) {
    let z = 0;
    for (let p = 0; p < D; p++) z += weight(c, p) * (x[i * D + p] as number);
    out.push(z);
  }
  return out;
}

export function argmax(v: readonly number[]): number {
  let b = 0;
  for (let j = 1; j < v.length; j++) if ((v[j] as number) > (v[b] as number)) b = j;
  return b;
}

/** d CE / dx for sample i: Σ_c (softmax_c − [c = y]) · w_c. */
export function ceGradient(x: Float32Array, i: number, y: number): Float32Array {
  const z = logits(x, i);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  const g = new Float32Array(D);
  for (let c = 0; c < CLASSES; c++) {
    const coef = (e[c] as number) / s - (c === y ? 1 : 0);
    for (let p = 0; p < D; p++) g[p] = (g[p] as number) + coef * weight(c, p);
  }
  return g;
}

/** Deterministic data: band c bright (0.55–0.85), the rest dim with noise; a few deliberately hard. */
export function dataset(n: number): Dataset {
  const x = new Float32Array(n * D);
  const y = new Int32Array(n);
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = 0; i < n; i++) {
    const c = i % CLASSES;
    y[i] = c;
    const strength = 0.25 + 0.5 * rand();
    for (let p = 0; p < D; p++)
      x[i * D + p] = Math.min(1, (weight(c, p) > 0 ? strength : 0.3) + 0.2 * rand());
  }
  return { x: { data: x, shape: [n, 1, SIDE, SIDE] }, y };
}

export function linearModel(opts: { gradients: boolean; softmax?: boolean }): LoadedClassifier {
  const queries = { forward: 0, gradient: 0 };
  const model: Classifier & { gradientUnavailable?: string } = {
    profile: {
      inputShape: [1, SIDE, SIDE],
      numClasses: CLASSES,
      clipMin: 0,
      clipMax: 1,
      preprocessing: { layout: 'NCHW', scale: 1, mean: [], std: [] },
      softmaxOutput: opts.softmax ?? false,
    },
    capabilities: { lossGradient: opts.gradients, classGradient: false, activations: false },
    queries,
    async predict(x: Tensor) {
      const n = x.shape[0] ?? 0;
      queries.forward += n;
      const out = new Float32Array(n * CLASSES);
      for (let i = 0; i < n; i++) out.set(logits(x.data, i), i * CLASSES);
      return out;
    },
    async lossGradient(x: Tensor, labels: Int32Array, loss: LossKind) {
      if (!opts.gradients) throw new Error('no gradients');
      if (loss.kind !== 'ce' && loss.kind !== 'logit') throw new Error(`fake model: no ${loss.kind} loss`);
      const n = x.shape[0] ?? 0;
      queries.gradient += n;
      const grad = new Float32Array(n * D);
      const lossOut = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        if (loss.kind === 'logit') {
          for (let p = 0; p < D; p++) grad[i * D + p] = weight(loss.classIndex, p);
          lossOut[i] = logits(x.data, i)[loss.classIndex] as number;
        } else grad.set(ceGradient(x.data, i, labels[i] as number), i * D);
      }
      return { loss: lossOut, grad };
    },
    async dispose() {},
  };
  if (!opts.gradients) model.gradientUnavailable = 'unsupported operator Einsum (node "mix_3")';
  return model;
}

function attackResult(
  name: AttackName,
  x: Tensor,
  adv: Float32Array,
  y: Int32Array,
  opts: AttackOptions,
  t0: number,
) {
  const n = y.length;
  const fooled = new Uint8Array(n);
  const perturbation = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    fooled[i] = argmax(logits(adv, i)) !== y[i] ? 1 : 0;
    let m = 0;
    for (let p = 0; p < D; p++) {
      const d = Math.abs((adv[i * D + p] as number) - (x.data[i * D + p] as number));
      m = opts.norm === 'linf' ? Math.max(m, d) : m + d * d;
    }
    perturbation[i] = opts.norm === 'linf' ? m : Math.sqrt(m);
  }
  return {
    name,
    norm: opts.norm,
    eps: opts.eps,
    adversarial: { data: adv, shape: x.shape },
    fooled,
    perturbation,
    queries: new Float32Array(n).fill(1),
    seconds: (Date.now() - t0) / 1000,
  };
}

/** FGSM L∞ on the fake model: x + ε·sign(∇CE), clipped to [0, 1]; only the active points move. */
export function fakeFgsm(name: AttackName = 'fgsm'): Attack {
  return {
    name,
    needsGradients: true,
    async run(model, x, y, opts, active) {
      const t0 = Date.now();
      const adv = Float32Array.from(x.data);
      const { grad } = await model.lossGradient(x, y, { kind: 'ce' });
      for (let i = 0; i < y.length; i++) {
        if (active && active[i] !== 1) continue;
        for (let p = 0; p < D; p++) {
          const k = i * D + p;
          adv[k] = Math.min(1, Math.max(0, (x.data[k] as number) + opts.eps * Math.sign(grad[k] as number)));
        }
      }
      opts.onProgress?.(y.length, y.length);
      return attackResult(name, x, adv, y, opts, t0);
    },
  };
}

/** A seeded random-sign search (the black-box stand-in): up to `queries` tries per point. */
export function fakeRandom(name: AttackName = 'square'): Attack {
  return {
    name,
    needsGradients: false,
    async run(model, x, y, opts, active) {
      const t0 = Date.now();
      let s = opts.seed + 1;
      const rand = () => {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        return s / 2 ** 31;
      };
      const adv = Float32Array.from(x.data);
      for (let i = 0; i < y.length; i++) {
        if (active && active[i] !== 1) continue;
        for (let q = 0; q < (opts.queries ?? 20); q++) {
          const cand = new Float32Array(D);
          for (let p = 0; p < D; p++)
            cand[p] = Math.min(
              1,
              Math.max(0, (x.data[i * D + p] as number) + opts.eps * (rand() < 0.5 ? -1 : 1)),
            );
          const z = await model.predict({ data: cand, shape: [1, 1, SIDE, SIDE] });
          if (argmax([...z]) !== y[i]) {
            adv.set(cand, i * D);
            break;
          }
        }
      }
      return attackResult(name, x, adv, y, opts, t0);
    },
  };
}

/** The fake engines: `gradients: false` models a builder refusal; `missing` attacks are not registered. */
export function fakeRuntime(
  opts: { gradients?: boolean; n?: number; missing?: readonly AttackName[]; softmax?: boolean } = {},
): AttackRuntime {
  const attacks: Partial<Record<AttackName, Attack>> = {
    fgsm: fakeFgsm('fgsm'),
    pgd: fakeFgsm('pgd'),
    'apgd-ce': fakeFgsm('apgd-ce'),
    'apgd-t': fakeFgsm('apgd-t'),
    'fab-t': fakeFgsm('fab-t'),
    square: fakeRandom('square'),
  };
  for (const m of opts.missing ?? []) delete attacks[m];
  return {
    async loadModel() {
      return linearModel({ gradients: opts.gradients ?? true, softmax: opts.softmax ?? false });
    },
    async loadDataset(_path, { limit }) {
      const all = dataset(opts.n ?? 60);
      const n = Math.min(limit ?? all.y.length, all.y.length);
      return { x: { data: all.x.data.slice(0, n * D), shape: [n, 1, SIDE, SIDE] }, y: all.y.slice(0, n) };
    },
    attack: (name) => attacks[name],
  };
}
