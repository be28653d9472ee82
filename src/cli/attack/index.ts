import { type Command, Option } from 'commander';
import { renderAttackJson } from '../../report/attack/json.js';
import { renderAttackText } from '../../report/attack/text.js';
import type { AttackExample, AttackReport } from '../../report/attack/types.js';
import { EXIT } from '../errors.js';
import { Progress } from '../progress.js';
import { writeReport } from '../register.js';
import {
  ATTACK_FORMATS,
  type AttackFlags,
  type AttackFormat,
  DEFAULT_BATCH,
  EXECUTION_PROVIDERS,
} from './options.js';
import { runAttack } from './run.js';

export { type AdversarialSet, examplesOf, predictAll, saveAdversarial } from './examples.js';
export {
  ATTACK_CHOICES,
  ATTACK_FORMATS,
  type AttackFlags,
  type AttackFormat,
  AUTOATTACK_STANDARD,
  type BackendOptions,
  BLACK_BOX_FALLBACK,
  DEFAULT_BATCH,
  DEFAULT_EPS,
  EXECUTION_PROVIDERS,
  parseBackendOptions,
  parseEps,
  parseExecutionProviders,
  parseFailUnder,
  parseIntFlag,
} from './options.js';
export { runAttack } from './run.js';
export {
  type AttackRuntime,
  attackRuntime,
  detectFormat,
  type Loaded,
  type LoadedClassifier,
  loadModelAndData,
  setAttackRuntime,
  sha256File,
} from './runtime.js';

/** `--threads` and `--execution-provider`, shared with `modelguard grad`. */
export function backendFlags(command: Command): Command {
  return command
    .option(
      '--threads <n>',
      'CPU threads in all for onnxruntime (ONNX models; default: the cores, at most 8)',
    )
    .option(
      '--execution-provider <list>',
      `onnxruntime execution providers in order of preference, comma-separated (${EXECUTION_PROVIDERS.join(', ')}; default cpu)`,
    );
}

export function registerAttack(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('attack')
    .description(
      'Measure adversarial robustness: attack an ONNX or TF.js classifier on a labelled dataset and report clean and robust accuracy. Exit 0 done, 1 robust accuracy below --fail-under, 2 error.',
    )
    .argument('<model>', 'model.onnx or a TF.js model.json (detected by content)')
    .option('--data <path>', 'labelled data: .npz with x (float32) and y (int), or an image folder per class')
    .addOption(new Option('--attack <name>', 'attack to run (comma-separated for several)').default('pgd'))
    .addOption(
      new Option('--preset <name>', 'AutoAttack standard: apgd-ce, apgd-t, fab-t, square').choices([
        'autoattack',
      ]),
    )
    .addOption(new Option('--norm <norm>', 'threat model').choices(['linf', 'l2']).default('linf'))
    .option('--eps <list>', 'perturbation budget(s), comma-separated (default 8/255 for linf, 0.5 for l2)')
    .option('--steps <n>', 'iterations (PGD/BIM/APGD/FAB; HSJ outer iterations)')
    .option('--step-size <a>', 'PGD/BIM step size (default 2.5·ε/steps)')
    .option('--random-start', 'PGD: start from a random point in the ε-ball (default)')
    .option('--no-random-start', 'PGD: start from the input')
    .option('--restarts <n>', 'random restarts (PGD/APGD)')
    .option('--queries <n>', 'query budget per sample (Square, HSJ)')
    .option('--seed <n>', 'seed of every random choice', '0')
    .option('--limit <n>', 'use only the first N samples')
    .option('--batch-size <n>', `samples per model call (default ${DEFAULT_BATCH})`)
    .option('--profile <file>', 'JSON model profile (input shape, range, preprocessing)');
  backendFlags(command)
    .option('--save-adversarial <file.npz>', 'write x, y, x_adv, fooled, eps as .npz')
    .addOption(new Option('-f, --format <format>', 'output format').choices(ATTACK_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--no-progress', 'no progress bar on stderr')
    .option(
      '--fail-under <acc>',
      'exit 1 when the robust accuracy is below ACC (0–1, or a percentage such as 80%)',
    )
    .option('--color', 'force colour in text output')
    .option('--no-color', 'no colour in text output')
    .action(async (model: string, flags: AttackFlags) => {
      setExit(await attackCommand(model, flags));
    });
}

/** Renders the report; the HTML renderer (and pngjs with it) loads only when asked for. */
export async function renderAttack(
  report: AttackReport,
  examples: readonly AttackExample[],
  format: AttackFormat,
  color: boolean,
): Promise<string> {
  if (format === 'json') return renderAttackJson(report);
  if (format === 'html')
    return (await import('../../report/attack/html.js')).renderAttackHtml(report, examples);
  return renderAttackText(report, { color });
}

/** `modelguard attack MODEL`: returns the exit code (0 done, 1 below --fail-under, 2 error). */
export async function attackCommand(modelPath: string, flags: AttackFlags): Promise<number> {
  const progress = new Progress(process.stderr, flags.progress && process.stderr.isTTY === true);
  const { report, examples } = await runAttack(modelPath, flags, progress);
  const toFile = flags.output !== undefined;
  const color = flags.color ?? (!toFile && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  const text = await renderAttack(report, examples, flags.format, color);
  const below = report.failUnder !== null && report.robustAccuracy < report.failUnder;
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  await writeReport(
    text,
    flags.output,
    () =>
      `Robust accuracy ${pct(report.robustAccuracy)} (clean ${pct(report.cleanAccuracy)})${below ? ` below --fail-under ${pct(report.failUnder as number)}` : ''}`,
  );
  return below ? EXIT.findings : EXIT.ok;
}
