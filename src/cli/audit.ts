import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { DEFAULT_LIMITS } from '../core/limits.js';
import {
  AuditOptionsError,
  type AuditReport,
  auditModel,
  type SignatureMaterial,
} from '../provenance/audit.js';
import { renderAuditJson } from '../report/audit/json.js';
import { renderAuditSarif } from '../report/audit/sarif.js';
import { renderAuditText } from '../report/audit/text.js';
import { renderHtml } from '../report/html.js';
import { UsageError } from './errors.js';
import { buildPolicy, collect, parseLimits, parseThreshold } from './options.js';
import { Progress } from './progress.js';
import { writeReport } from './register.js';

export const AUDIT_FORMATS = ['text', 'json', 'sarif', 'html'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];
const BOM_SPECS = ['1.6', '1.5'] as const;

export interface AuditFlags {
  format: AuditFormat;
  output?: string;
  failOn: string;
  policy?: string;
  unknownSeverity?: string;
  limit: string[];
  requireSignature: boolean;
  signature?: string;
  publicKey?: string;
  certificateChain: string[];
  identity?: string;
  issuer?: string;
  trustRoot?: string;
  ignorePaths: string[];
  ignoreUnsignedFiles: boolean;
  bom?: string;
  bomSpecVersion: (typeof BOM_SPECS)[number];
  progress: boolean;
  verbose: boolean;
  color?: boolean;
}

export function registerAudit(program: Command, setExit: (code: number) => void): void {
  program
    .command('audit')
    .description(
      'One report for a downloaded model: scan it, verify its signature (when present or required) and build its ML-BOM. Exit 0 pass, 1 fail, 2 error.',
    )
    .argument('<path>', 'model folder or file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(AUDIT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option(
      '--fail-on <severity>',
      'fail when a scan finding is at or above this severity (critical|high|medium|low|info|never)',
      'high',
    )
    .option('--policy <file>', 'JSON policy file extending the allowlists (see docs/policy.md)')
    .option('--unknown-severity <severity>', 'severity of globals in no allowlist (default medium)')
    .option(
      '--limit <name=value>',
      `override a named scan limit (repeatable): ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
      collect,
      [],
    )
    .option('--require-signature', 'fail when the model has no verified signature', false)
    .option('--signature <file>', 'signature file (default: MODEL/model.sig, or FILE.sig for a file)')
    .option('--public-key <file>', 'verify with this PEM public key')
    .option('--certificate-chain <file>', 'verify with this PEM certificate chain (repeatable)', collect, [])
    .option('--identity <identity>', 'Sigstore: the exact signer identity (with --issuer)')
    .option('--issuer <url>', 'Sigstore: the exact OIDC issuer of the identity')
    .option('--trust-root <file>', 'Sigstore: trusted_root.json instead of the one shipped in the package')
    .option(
      '--ignore-paths <path>',
      'verification leaves out this path of the model (repeatable)',
      collect,
      [],
    )
    .option('--ignore-unsigned-files', 'verification tolerates files the signature does not list', false)
    .option('--bom <file>', 'also write the CycloneDX ML-BOM to this file')
    .addOption(
      new Option('--bom-spec-version <version>', 'CycloneDX version').choices(BOM_SPECS).default('1.6'),
    )
    .option('--no-progress', 'no progress bar on stderr')
    .option('-v, --verbose', 'text output: also show info findings', false)
    .option('--color', 'force colour in text output')
    .option('--no-color', 'no colour in text output')
    .action(async (path: string, flags: AuditFlags) => {
      setExit(await auditCommand(path, flags));
    });
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

/** Verification material from the flags; files are read here so a bad path is a usage error. */
export function signatureMaterial(flags: AuditFlags): SignatureMaterial {
  if ((flags.identity === undefined) !== (flags.issuer === undefined)) {
    throw new UsageError('--identity and --issuer go together');
  }
  if (flags.signature !== undefined && !existsSync(flags.signature)) {
    throw new UsageError(`no such signature file: ${flags.signature}`);
  }
  return {
    ...(flags.signature === undefined ? {} : { path: flags.signature }),
    ...(flags.publicKey === undefined ? {} : { publicKeyPem: readText(flags.publicKey, 'public key') }),
    ...(flags.certificateChain.length === 0
      ? {}
      : { chainPems: flags.certificateChain.map((f) => readText(f, 'certificate chain')) }),
    ...(flags.identity === undefined ? {} : { identity: flags.identity }),
    ...(flags.issuer === undefined ? {} : { issuer: flags.issuer }),
    ...(flags.trustRoot === undefined ? {} : { trustedRootPath: flags.trustRoot }),
    ...(flags.ignorePaths.length === 0 ? {} : { ignorePaths: flags.ignorePaths }),
    ...(flags.ignoreUnsignedFiles ? { ignoreUnsignedFiles: true } : {}),
  };
}

export function renderAudit(
  report: AuditReport,
  format: AuditFormat,
  color: boolean,
  verbose: boolean,
): string {
  switch (format) {
    case 'json':
      return renderAuditJson(report);
    case 'sarif':
      return renderAuditSarif(report, { baseDir: process.cwd() });
    case 'html':
      return renderHtml(report);
    default:
      return renderAuditText(report, { color, verbose });
  }
}

/** `modelguard audit PATH`: returns the exit code (0 pass, 1 fail, 2 error). */
export async function auditCommand(path: string, flags: AuditFlags): Promise<number> {
  const failOn = parseThreshold(flags.failOn, '--fail-on');
  const limits = parseLimits(flags.limit);
  const policy = await buildPolicy(flags.policy, flags.unknownSeverity);
  if (!existsSync(path)) throw new UsageError(`no such file or directory: ${path}`);
  if (flags.trustRoot !== undefined && !existsSync(flags.trustRoot)) {
    throw new UsageError(`no such trust root file: ${flags.trustRoot}`);
  }
  const signature = signatureMaterial(flags);

  const progress = new Progress(process.stderr, flags.progress && process.stderr.isTTY === true);
  let report: AuditReport;
  try {
    report = await auditModel(path, {
      failOn,
      policy,
      limits,
      signature,
      requireSignature: flags.requireSignature,
      bomSpecVersion: flags.bomSpecVersion,
      onProgress: (done, total, p) => {
        if (total > 1) progress.update(done, total, p);
      },
    });
  } catch (e) {
    if (e instanceof AuditOptionsError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }

  if (flags.bom !== undefined) {
    if (report.bom === null)
      process.stderr.write(`modelguard: no BOM written to ${flags.bom}: it could not be built\n`);
    else writeFileSync(flags.bom, `${JSON.stringify(report.bom.document, null, 2)}\n`);
  }
  const toFile = flags.output !== undefined;
  const color = flags.color ?? (!toFile && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  const text = renderAudit(report, flags.format, color, flags.verbose);
  await writeReport(
    text,
    flags.output,
    () => `Audit ${report.verdict.toUpperCase()}: ${report.reasons.join('; ')}`,
  );
  return report.exitCode;
}
