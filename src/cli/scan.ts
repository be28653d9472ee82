import { existsSync, writeFileSync } from 'node:fs';
import { renderJson } from '../report/json.js';
import { renderSarif } from '../report/sarif.js';
import { renderText, summaryLines } from '../report/text.js';
import { scanPaths } from '../scanners/engine.js';
import { ALL_RULES } from '../scanners/rules.js';
import { EXIT, UsageError } from './errors.js';
import { buildPolicy, parseFormat, parseLimits, parseThreshold } from './options.js';
import { Progress } from './progress.js';

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

/** Writes and waits until the stream has taken the text, so the caller may exit right after. */
function writeAll(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve())));
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
        : renderText(report, { color, verbose: flags.verbose, showSafe: flags.showSafe });
  if (flags.output !== undefined) {
    writeFileSync(flags.output, text);
    process.stderr.write(`${summaryLines(report, false).join('\n')}\nReport written to ${flags.output}\n`);
  } else {
    await writeAll(process.stdout, text);
  }
  if (report.summary.failed) return EXIT.findings;
  if (report.summary.byVerdict.error > 0) return EXIT.error;
  return EXIT.ok;
}
