import { utf8Of } from '../../core/bytes.js';
import { errorMessage, ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import { type ByteSource, SliceSource } from '../../core/source.js';
import {
  type ExecutableKind,
  executableKind,
  GGUF_LIMITS,
  GGUF_TYPE,
  type GgufFactKind,
  type GgufLimits,
  isChatTemplateKey,
  isGguf,
  parseGguf,
} from '../../formats/gguf/index.js';
import { entryHead } from '../../formats/zip/entry.js';
import { openEntry, readZipDirectory, type ZipEntry } from '../../formats/zip/index.js';
import { tensorHeadNeedsScan } from '../archive/member-sniff.js';
import {
  CHAT_TEMPLATE_LIMITS,
  CHAT_TEMPLATE_RULES,
  type ChatTemplateLimits,
  reportChatTemplate,
} from '../chat-template/index.js';
import { CappedReporter } from '../safetensors/capped-reporter.js';
import type { FormatHandler, ScanContext } from '../types.js';
import { GGUF_RULES as R } from './rules.js';

const RULE_OF: Record<GgufFactKind, (typeof R)[keyof typeof R]> = {
  malformed: R['gguf/malformed'],
  'unsupported-version': R['gguf/unsupported-version'],
  'count-overflow': R['gguf/count-overflow'],
  'limit-exceeded': R['gguf/limit-exceeded'],
  'duplicate-key': R['gguf/duplicate-key'],
  'duplicate-tensor': R['gguf/duplicate-tensor'],
  'type-confusion': R['gguf/type-confusion'],
  'tokenizer-mismatch': R['gguf/tokenizer-mismatch'],
  'bad-tensor-shape': R['gguf/bad-tensor-shape'],
  'shape-overflow': R['gguf/shape-overflow'],
  'invalid-tensor-type': R['gguf/invalid-tensor-type'],
  'bad-tensor-name': R['gguf/bad-tensor-name'],
  'bad-alignment': R['gguf/bad-alignment'],
  'offset-out-of-range': R['gguf/offset-out-of-range'],
  misaligned: R['gguf/misaligned'],
  overlap: R['gguf/overlap'],
  'tensor-layout': R['gguf/tensor-layout'],
  'trailing-data': R['gguf/trailing-data'],
  'nested-array': R['gguf/nested-array'],
};

const EXECUTABLE_NAME: Record<ExecutableKind, string> = {
  ape: 'an Actually Portable Executable (APE shell-script/MZ polyglot, the llamafile format)',
  elf: 'an ELF executable',
  pe: 'a Windows PE executable',
  'mach-o': 'a Mach-O executable',
};

/** Member name of the bytes after a GGUF's data. */
export function trailingMemberName(offset: number): string {
  return `<gguf-trailing@${offset}>`;
}

export interface GgufHandlerLimits {
  gguf: GgufLimits;
  template: ChatTemplateLimits;
}

/** Reads a chat template lazily: at most maxTemplateChars bytes of it, whatever its declared length. */
async function scanTemplate(
  source: ByteSource,
  ctx: ScanContext,
  key: string,
  at: number,
  length: number,
  limits: ChatTemplateLimits,
): Promise<void> {
  const take = Math.min(length, limits.maxTemplateChars);
  const text = utf8Of(source.read(at, take));
  const where = `GGUF key '${key}'`;
  if (length > take)
    ctx.report(CHAT_TEMPLATE_RULES['chat-template/too-large'], {
      message: `${where}: chat template of ${fmtInt(length)} bytes is longer than maxTemplateChars (${fmtInt(limits.maxTemplateChars)}); only the first ${fmtInt(take)} bytes were analysed`,
      offset: at,
    });
  await reportChatTemplate(ctx, text, where, at, limits);
}

async function scanGguf(source: ByteSource, ctx: ScanContext, limits: GgufHandlerLimits): Promise<void> {
  const file = parseGguf(source, limits.gguf);
  const out = new CappedReporter(ctx, 'GGUF file');
  for (const f of file.facts) {
    out.report(RULE_OF[f.kind], {
      message: `gguf: ${f.detail}`,
      ...(f.offset === undefined ? {} : { offset: f.offset }),
      ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
      ...(f.severity === undefined ? {} : { severity: f.severity }),
    });
  }
  if (file.droppedFacts > 0)
    ctx.report(R['gguf/malformed'], {
      message: `gguf: ${fmtInt(file.droppedFacts)} more problems were not recorded (maxFacts ${fmtInt(limits.gguf.maxFacts)})`,
    });
  out.flush();
  // Every copy of every chat template (duplicates included: readers disagree on which one counts).
  for (const kv of file.kvs) {
    if (!isChatTemplateKey(kv.key) || kv.type !== GGUF_TYPE.STRING || kv.length === undefined) continue;
    await scanTemplate(source, ctx, kv.key, kv.valueAt, kv.length, limits.template);
  }
  if (file.trailing !== undefined && file.trailing.length > 0)
    await ctx.scanMember(
      trailingMemberName(file.trailing.offset),
      new SliceSource(source, file.trailing.offset, file.trailing.length),
    );
}

/** Zip members of a llamafile worth scanning: GGUF weights, and anything that looks loadable. */
function interesting(source: ByteSource, e: ZipEntry): boolean {
  if (e.name.endsWith('/') || e.dataOffset === undefined) return false;
  const head = entryHead(source, e, 16);
  return isGguf(head) || e.name.toLowerCase().endsWith('.gguf') || tensorHeadNeedsScan(head);
}

/**
 * A model file that is a program (T65): report it, then find the weights a llamafile keeps in its
 * appended zip (stored, aligned .gguf members) and scan them as members.
 */
async function scanExecutable(source: ByteSource, ctx: ScanContext, kind: ExecutableKind): Promise<void> {
  ctx.noteFormat(kind === 'ape' ? 'llamafile' : kind);
  let members: ZipEntry[] = [];
  let zipNote = 'no appended zip';
  try {
    const dir = readZipDirectory(source, ctx.limits);
    members = dir.entries.filter((e) => interesting(source, e));
    zipNote = `appended zip of ${fmtInt(dir.entries.length)} entries`;
  } catch (e) {
    if (!(e instanceof ModelguardError)) throw e;
    zipNote = `no readable appended zip (${errorMessage(e)})`;
  }
  const ggufs = members.filter(
    (e) => isGguf(entryHead(source, e, 4)) || e.name.toLowerCase().endsWith('.gguf'),
  );
  ctx.report(R['gguf/executable'], {
    message: `the file is ${EXECUTABLE_NAME[kind]}: loading this “model” means running a program; ${zipNote}${
      ggufs.length > 0
        ? `, embedded weights: ${ggufs
            .slice(0, 5)
            .map((e) => e.name)
            .join(', ')}${ggufs.length > 5 ? ', …' : ''}`
        : ''
    }`,
    offset: 0,
    evidence: JSON.stringify(utf8Of(source.read(0, Math.min(source.size, 48)))),
  });
  for (const e of members) {
    const opened = openEntry(source, e, ctx.limits);
    if (!opened.ok) {
      ctx.report(R['gguf/malformed'], {
        message: `llamafile member '${e.name}': ${opened.message}`,
        offset: e.localHeaderOffset,
      });
      continue;
    }
    if (opened.inflated > 0 && !ctx.chargeInflated(opened.inflated)) break;
    await ctx.scanMember(e.name, opened.source, 'gguf');
  }
}

/**
 * GGUF handler (T62–T65): the header is parsed with every count and length bounded by the file and
 * named limits (tensor data is never read, so a multi-gigabyte model costs its metadata); chat
 * templates are analysed for Jinja sandbox escapes and hidden instructions; llamafile executables,
 * which the engine routes here by their APE header, are reported and their embedded GGUF scanned.
 */
export function createGgufHandler(
  limits: GgufHandlerLimits = { gguf: GGUF_LIMITS, template: CHAT_TEMPLATE_LIMITS },
): FormatHandler {
  return {
    format: 'gguf',
    async scan(source, ctx) {
      const head = source.read(0, Math.min(source.size, 16));
      if (!isGguf(head)) {
        const kind = executableKind(head);
        if (kind !== undefined) {
          await scanExecutable(source, ctx, kind);
          return;
        }
      }
      await scanGguf(source, ctx, limits);
    },
  };
}

export const ggufHandler: FormatHandler = createGgufHandler();
