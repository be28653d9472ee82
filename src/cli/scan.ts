import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import { renderSarif } from '../report/sarif.js';
import { renderText, summaryLines } from '../report/text.js';
import { scanPaths } from '../scanners/engine.js';
import { ALL_RULES } from '../scanners/rules.js';
import { EXIT, UsageError } from './errors.js';
import { buildPolicy, collect, OUTPUT_FORMATS, parseFormat, parseLimits, parseThreshold } from './options.js';
import { Progress } from './progress.js';
import { writeReport } from './register.js';

export interface ScanFlags {
  format: string;
  output?: string;
  failOn: string;
  policy?: string;
  unknownSeverity?: string;
  limit: string[];
  hash?: boolean;
  progress: boolean;
  verbose: boolean;
  showSafe: boolean;
  color?: boolean;
}

export function registerScan(program: Command, setExit: (code: number) => void): void {
  program
    .command('scan')
    .description(
      'Statically scan model files, directories (recursively) and archives for code that would run on load. Never executes anything.',
    )
    .argument('<paths...>', 'files or directories to scan')
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding is at or above this severity (critical|high|medium|low|info|never)',
      'high',
    )
    .option('--policy <file>', 'JSON policy file extending the allowlists (see docs/policy.md)')
    .option('--unknown-severity <severity>', 'severity of globals in no allowlist (default medium)')
    .option(
      '--limit <name=value>',
      `override a named limit (repeatable): ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
      collect,
      [],
    )
    .option('--hash', 'compute SHA-256 of every file (default for json and sarif)')
    .option('--no-hash', 'skip SHA-256 hashing')
    .option('--no-progress', 'no progress bar on stderr')
    .option('-v, --verbose', 'text output: also show info findings such as the full call list', false)
    .option('--show-safe', 'text output: list safe files too', false)
    .option('--color', 'force colour in text output')
    .option('--no-color', 'no colour in text output')
    .action(async (paths: string[], flags: ScanFlags) => {
      setExit(await scanCommand(paths, flags));
    });
}

/** `modelguard scan PATH...`: returns the exit code. */
export async function scanCommand(paths: string[], flags: ScanFlags): Promise<number> {
  const format = parseFormat(flags.format);
  const failOn = parseThreshold(flags.failOn, '--fail-on');
  const limits = parseLimits(flags.limit);
  const policy = await buildPolicy(flags.policy, flags.unknownSeverity);
  for (const p of paths) if (!existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);

  const progress = new Progress(process.stderr, flags.progress && process.stderr.isTTY === true);
  // Hashes are computed when the output shows them (JSON, SARIF) unless asked otherwise.
  const hash = flags.hash ?? format !== 'text';
  const report = await scanPaths(paths, {
    failOn,
    policy,
    limits,
    hash,
    onProgress: (done, total, path) => {
      if (total > 1) progress.update(done, total, path);
    },
  });
  progress.done();

  const toFile = flags.output !== undefined;
  const color = flags.color ?? (!toFile && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  const text =
    format === 'json'
      ? renderJson(report)
      : format === 'sarif'
        ? renderSarif(report, ALL_RULES, { baseDir: process.cwd() })
        : format === 'html'
          ? renderHtml(report)
          : renderText(report, { color, verbose: flags.verbose, showSafe: flags.showSafe });
  await writeReport(text, flags.output, () => summaryLines(report, false).join('\n'));
  if (report.summary.failed) return EXIT.findings;
  if (report.summary.byVerdict.error > 0) return EXIT.error;
  return EXIT.ok;
}
