import { type Command, Option } from 'commander';
import { type VerifyOptions, verifyModel } from '../provenance/oms/index.js';
import type { VerifyResult } from '../provenance/types.js';
import { EXIT, UsageError } from './errors.js';
import { withHashProgress } from './hash-progress.js';
import { collect } from './options.js';
import { writeAll } from './register.js';
import { readInput, resolveIgnorePaths } from './sign.js';

interface VerifyFlags {
  signature?: string;
  publicKey?: string;
  certificateChain: string[];
  identity?: string;
  issuer?: string;
  identityProvider?: string;
  trustRoot?: string;
  useStaging?: boolean;
  ignorePaths: string[];
  ignoreGitPaths: boolean;
  ignoreUnsignedFiles: boolean;
  allowSymlinks: boolean;
  format: 'text' | 'json';
  progress: boolean;
}

export function registerVerify(program: Command, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description(
      'Verify an OpenSSF Model Signing signature (key, certificate or keyless Sigstore, offline) and check every file of the model against it. Exit 0 verified, 1 not verified, 2 usage or tool error.',
    )
    .argument('<path>', 'model folder or single model file')
    .option(
      '--signature <file>',
      'signature file (default: PATH/model.sig; for a file FILE.sig, else model.sig beside it)',
    )
    .option('--public-key <file>', 'key method: PEM public key')
    .option(
      '--certificate-chain <file>',
      'certificate method: PEM file of trusted certificates (repeatable)',
      collect,
      [],
    )
    .option('--identity <identity>', 'sigstore method: signer identity (certificate SAN), matched exactly')
    .option('--issuer <url>', 'sigstore method: OIDC issuer, matched exactly')
    .addOption(new Option('--identity-provider <url>', 'alias of --issuer (reference CLI name)').hideHelp())
    .option(
      '--trust-root <file>',
      'sigstore method: trusted_root.json instead of the shipped public-good root',
    )
    .option('--use-staging', 'sigstore method: the Sigstore staging instance (needs --trust-root)')
    .option('--ignore-paths <path>', 'file or folder to leave out (repeatable)', collect, [])
    .option('--no-ignore-git-paths', 'do not ignore .git, .github, .gitattributes and .gitignore')
    .option('--ignore-unsigned-files', 'tolerate files the signature does not cover', false)
    .option('--allow-symlinks', 'follow symlinks to files inside the model', false)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (path: string, flags: VerifyFlags) => {
      setExit(await verifyCommand(path, flags));
    });
}

/** `modelguard verify PATH`: returns the exit code. */
export async function verifyCommand(path: string, flags: VerifyFlags): Promise<number> {
  const opts = verifyOptions(path, flags);
  const result = await withHashProgress(flags.progress, (onProgress) =>
    verifyModel(path, { ...opts, onProgress }),
  );
  const text =
    flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderVerifyText(path, result);
  await writeAll(process.stdout, text);
  return result.verified ? EXIT.ok : EXIT.findings;
}

function verifyOptions(path: string, flags: VerifyFlags): VerifyOptions {
  if (
    flags.issuer !== undefined &&
    flags.identityProvider !== undefined &&
    flags.issuer !== flags.identityProvider
  )
    throw new UsageError('--issuer and --identity-provider name the same thing; give one');
  const issuer = flags.issuer ?? flags.identityProvider;
  const methods = [
    flags.publicKey !== undefined && '--public-key',
    flags.certificateChain.length > 0 && '--certificate-chain',
    (flags.identity !== undefined || issuer !== undefined) && '--identity/--issuer',
  ].filter((m): m is string => m !== false);
  if (methods.length === 0)
    throw new UsageError(
      'give --public-key, --certificate-chain, or --identity with --issuer to verify with',
    );
  if (methods.length > 1) throw new UsageError(`give one verification method, not ${methods.join(' and ')}`);
  if ((flags.identity === undefined) !== (issuer === undefined))
    throw new UsageError('--identity and --issuer go together (keyless Sigstore signatures)');
  if ((flags.trustRoot !== undefined || flags.useStaging === true) && flags.identity === undefined)
    throw new UsageError('--trust-root and --use-staging apply to --identity/--issuer verification');
  return {
    ...(flags.signature === undefined ? {} : { signaturePath: flags.signature }),
    ...(flags.publicKey === undefined ? {} : { publicKeyPem: readInput(flags.publicKey, '--public-key') }),
    ...(flags.certificateChain.length === 0
      ? {}
      : { chainPems: flags.certificateChain.map((f) => readInput(f, '--certificate-chain')) }),
    ...(flags.identity === undefined || issuer === undefined
      ? {}
      : {
          sigstore: {
            identity: flags.identity,
            issuer,
            ...(flags.trustRoot === undefined ? {} : { trustedRootPath: flags.trustRoot }),
            ...(flags.useStaging === true ? { staging: true } : {}),
          },
        }),
    ignorePaths: resolveIgnorePaths(path, flags.ignorePaths),
    ignoreGitPaths: flags.ignoreGitPaths,
    ignoreUnsignedFiles: flags.ignoreUnsignedFiles,
    allowSymlinks: flags.allowSymlinks,
  };
}

/**
 * Names in messages come from the signature file and the model folder: control characters and bidi
 * overrides are shown escaped, so a hostile name cannot rewrite the terminal or reorder what it shows.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const printable = (s: string): string =>
  s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Verdict first, then each problem, then warnings. */
export function renderVerifyText(path: string, r: VerifyResult): string {
  const lines: string[] = [];
  if (r.verified) {
    lines.push(`VERIFIED ${path}: ${r.checkedResources} resource(s) match the signature`);
  } else {
    lines.push(`NOT VERIFIED ${path}: ${r.problems.length} problem(s)`);
  }
  lines.push(`  signature ${r.signaturePath}${r.method === null ? '' : ` (${r.method} method)`}`);
  if (r.signer !== undefined) lines.push(`  signed by ${r.signer}`);
  for (const p of r.problems) lines.push(`  ${p.kind.padEnd(9)} ${p.message}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return `${lines.map(printable).join('\n')}\n`;
}
