import { existsSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { scanPaths } from '../scanners/engine.js';
import { EXIT, UsageError } from './errors.js';
import { collect, parseLimits } from './options.js';
import { writeAll } from './register.js';

export const BOM_SPEC_VERSIONS = ['1.6', '1.5'] as const;

export interface BomFlags {
  specVersion: string;
  output?: string;
  scan: boolean;
  signature?: string;
  limit: string[];
}

/** `modelguard bom PATH`: a CycloneDX ML-BOM of a model folder or file. */
export function registerBom(program: Command, setExit: (code: number) => void): void {
  program
    .command('bom')
    .description(
      'Write a CycloneDX ML-BOM (JSON) of a model folder or file: files and their SHA-256, formats, model card, datasets, frameworks, signature status and scan findings.',
    )
    .argument('<path>', 'model folder or file')
    .addOption(
      new Option('--spec-version <version>', 'CycloneDX specification version')
        .choices(BOM_SPEC_VERSIONS)
        .default('1.6'),
    )
    .option('-o, --output <file>', 'write the BOM to a file instead of stdout')
    .option('--no-scan', 'do not scan: no vulnerabilities, formats from the first bytes of each file only')
    .option(
      '--signature <file>',
      'signature file to report (default: model.sig in the folder, FILE.sig beside a file)',
    )
    .option(
      '--limit <name=value>',
      'override a named scan limit (repeatable; see modelguard scan --help)',
      collect,
      [],
    )
    .action(async (path: string, flags: BomFlags) => {
      setExit(await bomCommand(path, flags));
    });
}

export async function bomCommand(path: string, flags: BomFlags): Promise<number> {
  if (!(BOM_SPEC_VERSIONS as readonly string[]).includes(flags.specVersion)) {
    throw new UsageError(`--spec-version must be 1.6 or 1.5; got "${flags.specVersion}"`);
  }
  const specVersion = flags.specVersion as (typeof BOM_SPEC_VERSIONS)[number];
  if (!existsSync(path)) throw new UsageError(`no such file or directory: ${path}`);
  if (flags.signature !== undefined && !existsSync(flags.signature)) {
    throw new UsageError(`no such signature file: ${flags.signature}`);
  }
  const limits = parseLimits(flags.limit);
  // Digests are computed by the BOM builder's parallel hashing, not by the scan.
  const scanReport = flags.scan
    ? await scanPaths([path], { failOn: 'never', limits, hash: false })
    : undefined;
  const { buildBom, BomError } = await import('../provenance/bom/index.js');
  let doc: object;
  try {
    doc = await buildBom(path, {
      specVersion,
      ...(scanReport === undefined ? {} : { scanReport }),
      ...(flags.signature === undefined ? {} : { signaturePath: flags.signature }),
    });
  } catch (e) {
    if (e instanceof BomError) throw new UsageError(e.message);
    throw e;
  }
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (flags.output !== undefined) {
    writeFileSync(flags.output, text);
    process.stderr.write(`BOM written to ${flags.output}\n`);
  } else {
    await writeAll(process.stdout, text);
  }
  return EXIT.ok;
}
