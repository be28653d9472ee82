import { statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { NeuralCleanseResult } from '../defenses/backdoor/index.js';
import type { BackdoorReport, BackdoorTriggerImages } from '../report/backdoor/types.js';
import { VERSION } from '../scanners/version.js';
import { attackRuntime, backendFlags, loadModelAndData, parseIntFlag, sha256File } from './attack.js';
import { EXIT, UsageError } from './errors.js';
import { Progress } from './progress.js';
import { writeReport } from './register.js';

export const BACKDOOR_FORMATS = ['text', 'json', 'html'] as const;
export type BackdoorFormat = (typeof BACKDOOR_FORMATS)[number];

export interface BackdoorFlags {
  data?: string;
  classes?: string;
  steps?: string;
  batch?: string;
  samples?: string;
  limit?: string;
  seed: string;
  checkAsr: boolean;
  profile?: string;
  format: BackdoorFormat;
  output?: string;
  progress: boolean;
  threads?: string;
  executionProvider?: string;
}

export function registerBackdoor(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('backdoor')
    .description(
      'Look for a backdoor (trojan) in a classifier with Neural Cleanse: reverse-engineer the smallest trigger for each class and flag classes whose trigger is an outlier. Exit 0 nothing flagged, 1 a class flagged, 2 error.',
    )
    .argument('<model>', 'model.onnx or a TF.js model.json (needs input gradients)')
    .option(
      '--data <path>',
      'clean samples: .npz (x, y), a folder of class subfolders of images, or a .csv/.jsonl table',
    )
    .option('--classes <list>', 'candidate target classes, comma-separated (default: all)')
    .option(
      '--steps <n>',
      'optimisation steps (mini-epochs) per class, at most (default 200; the paper: 1000)',
    )
    .option('--batch <n>', 'samples per gradient call (default 32)')
    .option('--samples <n>', 'samples per mini-epoch (default 1000, at most the data)')
    .option('--limit <n>', 'use only the first N samples of the data')
    .option('--seed <n>', 'seed of the initial triggers and the batch order', '0')
    .option(
      '--check-asr',
      'stamp each flagged class’s trigger on clean inputs of other classes (default)',
      true,
    )
    .option('--no-check-asr', 'skip that check')
    .option('--profile <file>', 'JSON model profile (input shape, range, preprocessing)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(BACKDOOR_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--no-progress', 'no progress bar on stderr');
  backendFlags(command).action(async (model: string, flags: BackdoorFlags) => {
    setExit(await backdoorCommand(model, flags));
  });
}

/** `--classes 0,3,7` → [0, 3, 7] (range checked against the model later). */
export function parseClasses(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p))))
    throw new UsageError(`--classes must be comma-separated class indices; got "${v}"`);
  const list = parts.map(Number);
  if (new Set(list).size !== list.length) throw new UsageError(`--classes lists a class twice: "${v}"`);
  return list;
}

function dataFormat(path: string): BackdoorReport['data']['format'] {
  if (statSync(path).isDirectory()) return 'image-folder';
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  return 'npz';
}

/** Runs Neural Cleanse and builds the report (no output); exported for the library and tests. */
export async function runBackdoor(
  modelPath: string,
  flags: BackdoorFlags,
  progress?: Progress,
): Promise<{ report: BackdoorReport; result: NeuralCleanseResult; images: BackdoorTriggerImages }> {
  const seed = parseIntFlag(flags.seed, '--seed', 0) ?? 0;
  const steps = parseIntFlag(flags.steps, '--steps', 1);
  const batch = parseIntFlag(flags.batch, '--batch', 1);
  const samples = parseIntFlag(flags.samples, '--samples', 1);
  const limit = parseIntFlag(flags.limit, '--limit', 1);
  const classes = parseClasses(flags.classes);
  const rt = await attackRuntime();
  const { model, data, format } = await loadModelAndData(rt, modelPath, flags, limit);
  try {
    if (!model.capabilities.lossGradient)
      throw new UsageError(
        `Neural Cleanse needs input gradients, which ${modelPath} does not give${'gradientUnavailable' in model && model.gradientUnavailable ? `: ${String(model.gradientUnavailable)}` : ''}`,
      );
    const lib = await import('../defenses/backdoor/index.js');
    let result: NeuralCleanseResult;
    try {
      result = await lib.neuralCleanse(model, data, {
        seed,
        checkAsr: flags.checkAsr,
        ...(classes === undefined ? {} : { classes }),
        ...(steps === undefined ? {} : { steps }),
        ...(batch === undefined ? {} : { batch }),
        ...(samples === undefined ? {} : { samples }),
        onProgress: (p) => progress?.update(p.classIndex, p.classes, `class ${p.target}, step ${p.step}`),
      });
    } catch (e) {
      if (e instanceof lib.BackdoorError) throw new UsageError(e.message);
      throw e;
    } finally {
      progress?.done();
    }
    const p = model.profile;
    const report: BackdoorReport = {
      tool: { name: 'modelguard', version: VERSION },
      model: {
        path: modelPath,
        sha256: sha256File(modelPath),
        format,
        classes: p.numClasses,
        inputShape: [...p.inputShape],
      },
      data: { path: flags.data ?? '', format: dataFormat(flags.data ?? ''), samples: data.y.length },
      settings: { ...result.settings, samples: result.samples, checkAsr: flags.checkAsr },
      geometry: result.geometry,
      classes: result.classes.map((c) => ({
        class: c.class,
        maskL1: round(c.maskL1),
        anomalyIndex: round(c.anomalyIndex),
        flagged: c.flagged,
        success: round(c.success),
        reached: c.reached,
        steps: c.steps,
        earlyStopped: c.earlyStopped,
        ...(c.asr === undefined ? {} : { asr: round(c.asr) }),
      })),
      flagged: result.flagged,
      median: round(result.median),
      mad: round(result.mad),
      threshold: result.threshold,
      warnings: result.warnings,
      seconds: round(result.seconds),
    };
    const images: BackdoorTriggerImages = {
      sampleShape: [...p.inputShape],
      layout: result.geometry.layout,
      clipMin: p.clipMin,
      clipMax: p.clipMax,
      triggers: result.classes.map((c) => ({ class: c.class, ...c.trigger })),
    };
    return { report, result, images };
  } finally {
    await model.dispose();
  }
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

export async function renderBackdoor(
  report: BackdoorReport,
  images: BackdoorTriggerImages | null,
  format: BackdoorFormat,
): Promise<string> {
  const lib = await import('../report/backdoor/index.js');
  if (format === 'json') return lib.renderBackdoorJson(report);
  if (format === 'html') return lib.renderBackdoorHtml(report, images);
  return lib.renderBackdoorText(report);
}

/** `modelguard backdoor MODEL --data CLEAN`: 0 nothing flagged, 1 a class flagged, 2 error. */
export async function backdoorCommand(modelPath: string, flags: BackdoorFlags): Promise<number> {
  const progress = new Progress(process.stderr, flags.progress && process.stderr.isTTY === true);
  const { report, images } = await runBackdoor(modelPath, flags, progress);
  const text = await renderBackdoor(report, images, flags.format);
  await writeReport(
    text,
    flags.output,
    () =>
      `${report.flagged.length ? `flagged class ${report.flagged.join(', ')}` : 'nothing flagged'} (${report.classes.length} classes, ${report.seconds.toFixed(1)} s)`,
  );
  return report.flagged.length > 0 ? EXIT.findings : EXIT.ok;
}
