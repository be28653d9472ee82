/** Runs `modelguard attack`: flags → model and data → `attacks/evaluate` → the report data (no output). */
import { evaluate } from '../../attacks/evaluate.js';
import type { AttackName, Norm } from '../../attacks/types.js';
import type { ModelProfile } from '../../ml/types.js';
import {
  type AttackRun,
  curveOf,
  entriesOf,
  maskFraction,
  overallRobustAccuracy,
  worstCaseMasks,
} from '../../report/attack/build.js';
import type {
  AttackExample,
  AttackPreset,
  AttackReport,
  AttackSettings,
  AttackWarning,
} from '../../report/attack/types.js';
import { VERSION } from '../../scanners/version.js';
import { UsageError } from '../errors.js';
import type { Progress } from '../progress.js';
import { type AdversarialSet, examplesOf, predictAll, saveAdversarial } from './examples.js';
import {
  type AttackFlags,
  BLACK_BOX_FALLBACK,
  DEFAULT_BATCH,
  parseEps,
  parseFailUnder,
  parseIntFlag,
  parsePositive,
  plan,
} from './options.js';
import {
  type AttackRuntime,
  attackRuntime,
  type LoadedClassifier,
  loadModelAndData,
  sha256File,
} from './runtime.js';

/** White-box attacks need input gradients; without them they give way to a black-box attack. */
function fallback(
  model: LoadedClassifier,
  names: AttackName[],
  rt: AttackRuntime,
): { names: AttackName[]; warning: AttackWarning | null } {
  if (model.capabilities.lossGradient) return { names, warning: null };
  const white = names.filter((n) => rt.attack(n)?.needsGradients ?? (n !== 'square' && n !== 'hsj'));
  if (white.length === 0) return { names, warning: null };
  const kept = [...new Set(names.map((n) => (white.includes(n) ? BLACK_BOX_FALLBACK : n)))];
  const why = model.gradientUnavailable ?? 'the backend gives no input gradients for this model';
  return {
    names: kept,
    warning: {
      code: 'gradients-unavailable',
      message: `input gradients are unavailable (${why}); ran the black-box ${kept.join(', ')} instead of ${white.join(', ')}. Black-box attacks are weaker: robust accuracy is an upper bound.`,
    },
  };
}

/** The attacks this build and this model can run, and the others with the reason. */
function available(
  rt: AttackRuntime,
  model: LoadedClassifier,
  names: readonly AttackName[],
): { run: AttackName[]; skipped: { name: string; reason: string }[] } {
  const run: AttackName[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of names) {
    const a = rt.attack(name);
    if (a === undefined) skipped.push({ name, reason: 'not available in this build' });
    else if (name === 'apgd-t' && model.profile.numClasses < 4)
      skipped.push({ name, reason: 'targeted DLR needs at least 4 classes' });
    else run.push(name);
  }
  return { run, skipped };
}

function modelInfo(path: string, format: 'onnx' | 'tfjs', model: LoadedClassifier): AttackReport['model'] {
  const p: ModelProfile = model.profile;
  return {
    path,
    sha256: sha256File(path),
    format,
    inputShape: [...p.inputShape],
    classes: p.numClasses,
    clipMin: p.clipMin,
    clipMax: p.clipMax,
    layout: p.preprocessing.layout,
    softmaxOutput: p.softmaxOutput,
    removedSoftmax: model.removedSoftmax ?? model.logitsFrom === 'softmax-removed',
    gradients: model.capabilities.lossGradient,
    ...(model.gradientUnavailable === undefined ? {} : { gradientUnavailable: model.gradientUnavailable }),
  };
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

/** Runs the attacks and builds the report (no output); exported for the library and tests. */
export async function runAttack(
  modelPath: string,
  flags: AttackFlags,
  progress: Progress,
): Promise<{ report: AttackReport; examples: AttackExample[] }> {
  const started = Date.now();
  const norm = flags.norm as Norm;
  if (norm !== 'linf' && norm !== 'l2')
    throw new UsageError(`--norm must be linf or l2; got "${flags.norm}"`);
  const eps = parseEps(flags.eps, norm);
  const p = plan(flags);
  const seed = parseIntFlag(flags.seed, '--seed', 0) ?? 0;
  const failUnder = parseFailUnder(flags.failUnder);
  const settings: AttackSettings = {
    ...optional('steps', parseIntFlag(flags.steps, '--steps', 1)),
    ...optional('stepSize', parsePositive(flags.stepSize, '--step-size')),
    ...optional('randomStart', flags.randomStart),
    ...optional('restarts', parseIntFlag(flags.restarts, '--restarts', 1)),
    ...optional('queries', parseIntFlag(flags.queries, '--queries', 1)),
    batchSize: parseIntFlag(flags.batchSize, '--batch-size', 1) ?? DEFAULT_BATCH,
  };
  const limit = parseIntFlag(flags.limit, '--limit', 1);
  const rt = await attackRuntime();
  const { model, data, format } = await loadModelAndData(rt, modelPath, flags, limit);
  try {
    const warnings: AttackWarning[] = [];
    const fb = fallback(model, p.names, rt);
    if (fb.warning) warnings.push(fb.warning);
    const avail = available(rt, model, fb.names);
    const n = data.y.length;
    const label = (attack: string, e: number) => `${attack} ε=${Number(e.toPrecision(4))}`;
    // One evaluation path for the library and the command; a preset runs its attacks in sequence.
    const ev =
      avail.run.length === 0
        ? null
        : await evaluate(model, data, avail.run, eps, {
            norm,
            seed,
            ...settings,
            checks: false,
            sequential: p.preset !== null,
            attackOf: (name) => rt.attack(name),
            onProgress: (e) =>
              progress.update(
                e.run * n + Math.round((e.done / Math.max(1, e.total)) * n),
                e.runs * n,
                label(e.attack, e.eps),
              ),
            onRunEnd: (e) => progress.update((e.run + 1) * n, e.runs * n, label(e.attack, e.eps)),
          });
    progress.done();
    const cleanPred = ev?.predictions ?? (await predictAll(model, data.x, settings.batchSize));
    const correct = ev?.cleanCorrect ?? Uint8Array.from(cleanPred, (v, i) => (v === data.y[i] ? 1 : 0));
    const runs: AttackRun[] = (ev?.runs ?? []).map((r) => ({
      name: r.name,
      norm,
      eps: r.eps,
      active: r.attacked,
      result: { fooled: r.fooled, ...r.result },
    }));
    const adversarial: AdversarialSet[] = eps.map((_, k) => {
      const at = ev?.perEps[k];
      return at
        ? { x: at.adversarial.data, by: at.firstFooledBy }
        : { x: Float32Array.from(data.x.data), by: new Array<AttackName | null>(n).fill(null) };
    });
    const entries = entriesOf(runs, correct, p.preset !== null);
    const masks = worstCaseMasks(eps, runs, correct);
    const cleanAccuracy = maskFraction(correct);
    if (rt.sanityChecks) warnings.push(...(await rt.sanityChecks(model, data, entries, p.preset)));
    for (const s of avail.skipped)
      warnings.push({ code: 'attack-skipped', message: `${s.name} did not run: ${s.reason}` });
    const preset: AttackPreset | null =
      p.preset === null
        ? null
        : { name: 'autoattack', version: 'standard', ran: avail.run, skipped: avail.skipped };
    if (flags.saveAdversarial !== undefined) saveAdversarial(flags.saveAdversarial, data, eps, adversarial);
    const report: AttackReport = {
      tool: { name: 'modelguard', version: VERSION },
      model: modelInfo(modelPath, format, model),
      data: {
        path: flags.data as string,
        samples: n,
        ...(data.classNames ? { classNames: [...data.classNames] } : {}),
      },
      seed,
      norm,
      eps,
      preset,
      settings,
      cleanAccuracy,
      robustAccuracy: overallRobustAccuracy(masks, correct),
      attacks: entries,
      curve: curveOf(eps, entries, masks, cleanAccuracy),
      warnings,
      adversarialFile: flags.saveAdversarial ?? null,
      failUnder,
      durationMs: Date.now() - started,
    };
    const examples =
      flags.format === 'html' ? await examplesOf(model, data, eps, adversarial, cleanPred) : [];
    return { report, examples };
  } finally {
    progress.done();
    await model.dispose();
  }
}
