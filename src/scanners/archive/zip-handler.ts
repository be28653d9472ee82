import { errorMessage, ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import { type ByteSource, SliceSource } from '../../core/source.js';
import { readZipDirectory } from '../../formats/zip/directory.js';
import { entryHead, openEntry } from '../../formats/zip/entry.js';
import {
  ZIP_FLAG,
  type ZipAnomaly,
  type ZipDirectory,
  type ZipEntry,
  type ZipEntryFact,
} from '../../formats/zip/types.js';
import { isCodeCarrier, scanCodeCarrier } from '../configs/members.js';
import { scanKerasArchiveConfig } from '../keras/config-scan.js';
import type { FormatHandler, ScanContext } from '../types.js';
import { BoundedReporter } from './bounded-report.js';
import { TENSOR_SNIFF_BYTES, tensorHeadNeedsScan } from './member-sniff.js';
import { PYTORCH_CONTAINER_RULES as P, ARCHIVE_RULES as R } from './rules.js';
import { isTensorStorage, memberHint, type ZipLayout, zipLayout } from './zip-layout.js';

function reportAnomaly(out: BoundedReporter, a: ZipAnomaly): void {
  const offset = a.offset === undefined ? {} : { offset: a.offset };
  switch (a.kind) {
    case 'prepended-data':
      out.report(R['archive/prepended-data'], {
        message: `zip: ${a.detail}; scanned as member '<prepended>'`,
        ...offset,
      });
      return;
    case 'trailing-data':
      out.report(R['archive/prepended-data'], {
        message: `zip: ${a.detail}; scanned as member '<trailing>'`,
        ...offset,
      });
      return;
    case 'too-many-entries':
      out.report(R['archive/too-many-entries'], { message: `zip: ${a.detail}`, ...offset });
      return;
    default:
      out.report(R['archive/malformed'], { message: `zip: ${a.detail}`, ...offset });
  }
}

function reportFact(
  out: BoundedReporter,
  e: ZipEntry,
  f: ZipEntryFact,
  lastByName: ReadonlyMap<string, ZipEntry>,
): void {
  const at = { offset: e.localHeaderOffset };
  switch (f.kind) {
    case 'flag-bits': {
      out.report(R['archive/flag-bits'], { message: `zip entry '${e.name}': ${f.detail}`, ...at });
      if (e.flags & (ZIP_FLAG.encrypted | ZIP_FLAG.strongEncryption)) {
        out.report(R['archive/unsupported'], {
          message: `zip entry '${e.name}' is marked encrypted in the central directory: loaders refuse it and its content cannot be verified (raw bytes were scanned as-is)`,
          ...at,
        });
      }
      return;
    }
    case 'name-mismatch':
      out.report(R['archive/name-mismatch'], { message: `zip entry ${e.index}: ${f.detail}`, ...at });
      return;
    case 'duplicate-name':
      // One finding per name, on its last copy (the one loaders use).
      if (lastByName.get(e.name) === e)
        out.report(R['archive/duplicate-name'], { message: `zip: ${f.detail}`, ...at });
      return;
    case 'unsupported-method':
      out.report(R['archive/unsupported'], {
        message: `zip entry '${e.name}': ${f.detail} cannot be decoded; its content was not inspected`,
        ...at,
      });
      return;
    case 'bad-local-header':
      out.report(R['archive/malformed'], { message: `zip entry '${e.name}': ${f.detail}`, ...at });
      return;
    case 'overlap':
    case 'declared-ratio':
      out.report(R['archive/zip-bomb'], { message: `zip entry '${e.name}': ${f.detail}`, ...at });
      return;
    case 'path-traversal':
      out.report(R['archive/path-traversal'], { message: `zip entry: ${f.detail}`, ...at });
      return;
    case 'symlink':
      out.report(R['archive/path-traversal'], {
        message: `zip entry: ${f.detail}`,
        ...at,
        severity: 'medium',
      });
      return;
  }
}

function noteLayout(ctx: ScanContext, out: BoundedReporter, layout: ZipLayout): void {
  if (layout.kind === 'npz') ctx.noteFormat('npz');
  if (layout.kind === 'keras') ctx.noteFormat('keras');
  if (layout.kind !== 'pytorch') return;
  ctx.noteFormat('pytorch-zip');
  if (layout.codeMembers.length > 0) {
    ctx.noteFormat('torchscript');
    const shown = layout.codeMembers.slice(0, 5).join(', ');
    out.report(P['pytorch/torchscript-code'], {
      message: `${fmtInt(layout.codeMembers.length)} TorchScript code members (${shown}${layout.codeMembers.length > 5 ? ', …' : ''})`,
    });
  }
}

/** Scans one entry: tensor storage is only sniffed; everything else is opened (bounded) and handed back. */
async function scanEntry(
  source: ByteSource,
  e: ZipEntry,
  layout: ZipLayout,
  ctx: ScanContext,
  out: BoundedReporter,
  state: { inflating: boolean },
): Promise<void> {
  if (e.name.endsWith('/') && e.uncompressedSize === 0) return;
  if (e.dataOffset === undefined || (e.method !== 0 && e.method !== 8)) return; // reported as facts
  if (isTensorStorage(e.name, layout) && !tensorHeadNeedsScan(entryHead(source, e, TENSOR_SNIFF_BYTES)))
    return;
  if (e.method === 8 && !state.inflating) return;
  const opened = openEntry(source, e, ctx.limits);
  const hint = memberHint(e.name, layout);
  if (opened.ok) {
    if (opened.inflated > 0 && !ctx.chargeInflated(opened.inflated)) state.inflating = false;
    await ctx.scanMember(e.name, opened.source, hint);
    // TorchServe .mar handlers and manifests, zipped MLflow models, Hydra YAML: analysed by name as well.
    if ((layout.kind === 'generic' || layout.kind === 'keras') && isCodeCarrier(e.name))
      await scanCodeCarrier(e.name, opened.source, ctx);
    // Keras 3 config.json: the model's architecture, analysed by the Keras config scanner.
    if (layout.kind === 'keras' && e.name === 'config.json') await scanKerasArchiveConfig(opened.source, ctx);
    return;
  }
  const at = { offset: e.localHeaderOffset };
  if (opened.reason === 'bomb' || opened.reason === 'total-limit')
    out.report(R['archive/zip-bomb'], {
      message: `zip: ${opened.message}; only the head was analysed`,
      ...at,
    });
  else out.report(R['archive/malformed'], { message: `zip: ${opened.message}`, ...at });
  if (opened.partial !== undefined) {
    if (!ctx.chargeInflated(opened.partial.size)) state.inflating = false;
    await ctx.scanMember(e.name, opened.partial, hint);
  }
}

async function scanDirectory(
  source: ByteSource,
  dir: ZipDirectory,
  ctx: ScanContext,
  out: BoundedReporter,
): Promise<void> {
  for (const a of dir.anomalies) reportAnomaly(out, a);
  const layout = zipLayout(dir.entries);
  noteLayout(ctx, out, layout);
  // The last entry of each name (the one loaders use), found once: a per-fact search is quadratic in a
  // hostile archive of thousands of duplicates.
  const lastByName = new Map<string, ZipEntry>();
  for (const e of dir.entries) lastByName.set(e.name, e);
  for (const e of dir.entries) for (const f of e.facts) reportFact(out, e, f, lastByName);
  for (const a of dir.anomalies) {
    if (a.kind === 'prepended-data' && a.length !== undefined && a.length > 0) {
      await ctx.scanMember('<prepended>', new SliceSource(source, 0, a.length));
    } else if (a.kind === 'trailing-data' && a.offset !== undefined && a.offset < source.size) {
      await ctx.scanMember('<trailing>', new SliceSource(source, a.offset, source.size - a.offset));
    }
  }
  const state = { inflating: true };
  for (const e of dir.entries) await scanEntry(source, e, layout, ctx, out, state);
}

/**
 * Zip handler (PyTorch checkpoints, npz, generic zips): reads the directory like torch's miniz reader,
 * reports every divergence, and hands each member that is not raw tensor storage back to the engine.
 */
export const zipHandler: FormatHandler = {
  format: 'zip',
  async scan(source, ctx) {
    const out = new BoundedReporter(ctx);
    let dir: ZipDirectory;
    try {
      dir = readZipDirectory(source, ctx.limits);
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      ctx.report(R['archive/malformed'], {
        message: `zip: ${errorMessage(e)}`,
        ...(e.offset === undefined ? {} : { offset: e.offset }),
      });
      return;
    }
    try {
      await scanDirectory(source, dir, ctx, out);
    } finally {
      out.flush();
    }
  },
};
