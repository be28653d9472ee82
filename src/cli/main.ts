import { Command, CommanderError, Option } from 'commander';
import { errorMessage } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { VERSION } from '../scanners/version.js';
import { EXIT, UsageError } from './errors.js';
import { OUTPUT_FORMATS } from './options.js';
import { type ScanFlags, scanCommand } from './scan.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('modelguard')
    .description('Find and fix the security flaws of open-source AI/ML models.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

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
  return program;
}

/** Runs the CLI with process-style argv; returns the exit code. The only place that prints errors. */
export async function run(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is a usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`modelguard: ${e.message}\n`);
      return EXIT.error;
    }
    process.stderr.write(`modelguard: internal error: ${errorMessage(e)}\n`);
    return EXIT.error;
  }
}
