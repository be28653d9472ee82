import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { type Command, Option } from 'commander';
import { type SignOptions, signModel } from '../provenance/oms/index.js';
import type { HashAlgorithm, SerializationMethod, SigningMethod } from '../provenance/types.js';
import { EXIT, UsageError } from './errors.js';
import { withHashProgress } from './hash-progress.js';
import { collect } from './options.js';
import { writeAll } from './register.js';

interface SignFlags {
  method?: SigningMethod;
  privateKey?: string;
  password?: string;
  signingCertificate?: string;
  certificateChain: string[];
  identityToken?: string;
  useStaging?: boolean;
  trustRoot?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  signature?: string;
  serialization: SerializationMethod;
  shardSize?: string;
  hash: HashAlgorithm;
  ignorePaths: string[];
  ignoreGitPaths: boolean;
  allowSymlinks: boolean;
  format: 'text' | 'json';
  progress: boolean;
}

export function registerSign(program: Command, setExit: (code: number) => void): void {
  program
    .command('sign')
    .description(
      'Sign a model folder or file with an OpenSSF Model Signing (OMS v1.0) signature: a Sigstore bundle holding a DSSE-signed in-toto statement of every file digest.',
    )
    .argument('<path>', 'model folder or single model file')
    .addOption(
      new Option(
        '--method <method>',
        'signing method (default: certificate with --signing-certificate, else key)',
      ).choices(['key', 'certificate', 'sigstore']),
    )
    .option('--private-key <file>', 'PEM private key (ECDSA P-256, P-384 or P-521)')
    .option('--password <password>', 'password of an encrypted private key (or env MODELGUARD_KEY_PASSWORD)')
    .option('--signing-certificate <file>', 'certificate method: PEM certificate of the private key')
    .option(
      '--certificate-chain <file>',
      'certificate method: PEM chain to include (repeatable)',
      collect,
      [],
    )
    .option('--identity-token <token>', 'sigstore method: OIDC identity token (or env SIGSTORE_ID_TOKEN)')
    .option('--use-staging', 'sigstore method: use the Sigstore staging instance')
    .option('--trust-root <file>', 'sigstore method: trusted_root.json the new signature must verify against')
    .option('--fulcio-url <url>', 'sigstore method: Fulcio of a private instance')
    .option('--rekor-url <url>', 'sigstore method: Rekor of a private instance')
    .option('--tsa-url <url>', 'sigstore method: RFC 3161 timestamp authority (none by default)')
    .option(
      '--signature <file>',
      'where to write the signature (default: PATH/model.sig, or FILE.sig for a file)',
    )
    .addOption(
      new Option('--serialization <method>', 'one resource per file, or per shard')
        .choices(['files', 'shards'])
        .default('files'),
    )
    .option('--shard-size <bytes>', 'shard size for --serialization shards (default 1000000000)')
    .addOption(
      new Option('--hash <algorithm>', 'digest algorithm').choices(['sha256', 'blake2b']).default('sha256'),
    )
    .option('--ignore-paths <path>', 'file or folder to leave out (repeatable)', collect, [])
    .option('--no-ignore-git-paths', 'also sign .git, .github, .gitattributes and .gitignore')
    .option('--allow-symlinks', 'follow symlinks to files inside the model (refused by default)', false)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (path: string, flags: SignFlags) => {
      setExit(await signCommand(path, flags));
    });
}

/** `modelguard sign PATH`: returns the exit code. */
export async function signCommand(path: string, flags: SignFlags): Promise<number> {
  const opts = signOptions(path, flags);
  const result = await withHashProgress(flags.progress, (onProgress) =>
    signModel(path, { ...opts, onProgress }),
  );
  const m = result.manifest;
  const files = new Set(
    m.resources.map((r) => (m.serialization.method === 'shards' ? r.name.replace(/:\d+:\d+$/, '') : r.name)),
  );
  if (flags.format === 'json') {
    const out = {
      signaturePath: result.path,
      method: opts.method,
      modelName: m.modelName,
      rootDigest: m.rootDigest,
      files: files.size,
      resources: m.resources.length,
      serialization: m.serialization,
      warnings: result.warnings,
    };
    await writeAll(process.stdout, `${JSON.stringify(out, null, 2)}\n`);
  } else {
    const lines = [
      `Signed ${path} → ${result.path}`,
      `  method ${opts.method}, ${files.size} file(s), ${m.resources.length} resource(s) (${m.serialization.method}, ${m.serialization.hash_type})`,
      `  root digest sha256:${m.rootDigest}`,
      ...result.warnings.map((w) => `  warning: ${w}`),
    ];
    await writeAll(process.stdout, `${lines.join('\n')}\n`);
  }
  return EXIT.ok;
}

function signOptions(path: string, flags: SignFlags): SignOptions {
  const method: SigningMethod =
    flags.method ??
    (flags.signingCertificate !== undefined
      ? 'certificate'
      : flags.privateKey !== undefined
        ? 'key'
        : usage());
  const base: SignOptions = {
    method,
    serialization: flags.serialization,
    hashType: flags.hash,
    ignorePaths: resolveIgnorePaths(path, flags.ignorePaths),
    ignoreGitPaths: flags.ignoreGitPaths,
    allowSymlinks: flags.allowSymlinks,
    ...(flags.signature === undefined ? {} : { signaturePath: flags.signature }),
  };
  if (flags.shardSize !== undefined) {
    if (flags.serialization !== 'shards') throw new UsageError('--shard-size needs --serialization shards');
    const n = Number(flags.shardSize);
    if (!/^\d+$/.test(flags.shardSize) || !Number.isSafeInteger(n) || n <= 0)
      throw new UsageError(
        `--shard-size must be a positive integer number of bytes, got "${flags.shardSize}"`,
      );
    base.shardSize = n;
  }
  if (method === 'sigstore') {
    if (flags.privateKey !== undefined || flags.signingCertificate !== undefined)
      throw new UsageError('--method sigstore signs without --private-key or --signing-certificate');
    return {
      ...base,
      sigstore: {
        ...(flags.identityToken === undefined ? {} : { identityToken: flags.identityToken }),
        ...(flags.useStaging === true ? { staging: true } : {}),
        ...(flags.trustRoot === undefined ? {} : { trustedRootPath: flags.trustRoot }),
        ...(flags.fulcioUrl === undefined ? {} : { fulcioURL: flags.fulcioUrl }),
        ...(flags.rekorUrl === undefined ? {} : { rekorURL: flags.rekorUrl }),
        ...(flags.tsaUrl === undefined ? {} : { tsaURL: flags.tsaUrl }),
      },
    };
  }
  if (flags.privateKey === undefined) throw new UsageError(`--method ${method} needs --private-key`);
  if (method === 'certificate' && flags.signingCertificate === undefined)
    throw new UsageError('--method certificate needs --signing-certificate');
  if (method === 'key' && (flags.signingCertificate !== undefined || flags.certificateChain.length > 0))
    throw new UsageError('--signing-certificate and --certificate-chain belong to --method certificate');
  const password = flags.password ?? process.env['MODELGUARD_KEY_PASSWORD'];
  return {
    ...base,
    privateKeyPem: readInput(flags.privateKey, '--private-key'),
    ...(password === undefined ? {} : { password }),
    ...(method === 'certificate'
      ? {
          certificatePem: readInput(flags.signingCertificate!, '--signing-certificate'),
          chainPems: flags.certificateChain.map((f) => readInput(f, '--certificate-chain')),
        }
      : {}),
  };
}

function usage(): never {
  throw new UsageError(
    'nothing to sign with: give --private-key (key method), --private-key with --signing-certificate (certificate method), or --method sigstore',
  );
}

/** Reads a key or certificate file given on the command line; a failure is a usage error. */
export function readInput(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/**
 * `--ignore-paths` as the reference CLI reads them — relative to the current directory — when that names
 * something inside the model; otherwise relative to the model root. Absolute paths stay as they are.
 */
export function resolveIgnorePaths(modelPath: string, paths: readonly string[]): string[] {
  const root = resolve(modelPath);
  return paths.map((p) => {
    if (isAbsolute(p)) return p;
    const fromCwd = resolve(p);
    const rel = relative(root, fromCwd);
    const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
    return inside && exists(fromCwd) ? fromCwd : resolve(root, p);
  });
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
