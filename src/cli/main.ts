import { Command, CommanderError } from 'commander';
import { errorMessage } from '../core/errors.js';
import { VERSION } from '../scanners/version.js';
import { registerAttack } from './attack.js';
import { registerAudit } from './audit.js';
import { registerBackdoor } from './backdoor.js';
import { registerBom } from './bom.js';
import { registerData } from './data.js';
import { EXIT, UsageError } from './errors.js';
import { registerGrad } from './grad.js';
import type { Register } from './register.js';
import { registerScan } from './scan.js';
import { registerSign } from './sign.js';
import { registerVerify } from './verify.js';

/** Every command, in the order `--help` lists them; each lives in its own file. */
const COMMANDS: readonly Register[] = [
  registerScan,
  registerSign,
  registerVerify,
  registerBom,
  registerAudit,
  registerAttack,
  registerGrad,
  registerData,
  registerBackdoor,
];

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('modelguard')
    .description('Find and fix the security flaws of open-source AI/ML models.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  for (const register of COMMANDS) register(program, setExit);
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
