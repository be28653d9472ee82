import { SliceSource } from '../../core/source.js';
import { readTar } from '../../formats/tar/read.js';
import type { TarAnomaly, TarArchive, TarEntry, TarFact } from '../../formats/tar/types.js';
import { isCodeCarrier, scanCodeCarrier } from '../configs/members.js';
import type { FormatHandler, FormatId, ScanContext } from '../types.js';
import { BoundedReporter } from './bounded-report.js';
import { PYTORCH_CONTAINER_RULES as P, ARCHIVE_RULES as R } from './rules.js';

/**
 * Members of a legacy tar checkpoint in the order torch 1.13 `_legacy_load` reads them: `storages`
 * (pickles between raw storage bytes), then `tensors` (pickles between tensor headers), then `pickle`.
 * `sys_info` is not unpickled by that path but is scanned by content like any member.
 */
export const LEGACY_TAR_ORDER = ['storages', 'tensors', 'pickle'] as const;

function reportAnomaly(out: BoundedReporter, a: TarAnomaly): void {
  if (a.kind === 'no-end-marker') return; // tarfile reads archives without the end marker
  if (a.kind === 'too-many-entries')
    out.report(R['archive/too-many-entries'], { message: `tar: ${a.detail}`, offset: a.offset });
  else if (a.kind === 'trailing-data') {
    out.report(R['archive/prepended-data'], {
      message: `tar: ${a.detail}; scanned as member '<trailing>'`,
      offset: a.offset,
    });
  } else out.report(R['archive/malformed'], { message: `tar: ${a.detail}`, offset: a.offset });
}

function reportFact(out: BoundedReporter, e: TarEntry, f: TarFact): void {
  const at = { offset: e.headerOffset };
  switch (f.kind) {
    case 'path-traversal':
      out.report(R['archive/path-traversal'], { message: `tar member: ${f.detail}`, ...at });
      return;
    case 'link':
      out.report(R['archive/path-traversal'], {
        message: `tar member: ${f.detail}`,
        ...at,
        severity: 'medium',
      });
      return;
    case 'special-file':
      out.report(R['archive/malformed'], { message: `tar member: ${f.detail}`, ...at, severity: 'medium' });
      return;
    case 'duplicate-name':
      out.report(R['archive/duplicate-name'], { message: `tar: ${f.detail}`, ...at });
      return;
    case 'sparse':
      out.report(R['archive/unsupported'], {
        message: `tar member: ${f.detail}; its content was not reassembled`,
        ...at,
      });
      return;
  }
}

/** True for the legacy tar layout of `torch.save(..., _use_new_zipfile_serialization=False)` in old torch. */
export function isLegacyTorchTar(tar: TarArchive): boolean {
  const names = new Set(tar.entries.filter((e) => e.kind === 'file').map((e) => e.name));
  return LEGACY_TAR_ORDER.every((n) => names.has(n));
}

async function scanMembers(tar: TarArchive, ctx: ScanContext): Promise<void> {
  const files = tar.entries.filter((e) => e.kind === 'file' && e.typeFlag !== 'S');
  if (!isLegacyTorchTar(tar)) {
    for (const e of files) {
      await ctx.scanMember(e.name, e.source);
      // NeMo .nemo model_config.yaml (_target_), handler .py files: analysed by name as well.
      if (isCodeCarrier(e.name)) await scanCodeCarrier(e.name, e.source, ctx);
    }
    return;
  }
  ctx.noteFormat('pytorch-tar');
  ctx.report(P['pytorch/legacy-tar'], {
    message: 'legacy tar PyTorch checkpoint: storages, tensors and pickle are unpickled by torch.load',
  });
  // The last copy of a name is the one tarfile extracts; scan loader-read members first, with the pickle hint.
  const hint: FormatId = 'pickle';
  const done = new Set<TarEntry>();
  for (const name of LEGACY_TAR_ORDER) {
    const copies = files.filter((e) => e.name === name);
    for (const e of copies) {
      done.add(e);
      await ctx.scanMember(e.name, e.source, hint);
    }
  }
  for (const e of files) if (!done.has(e)) await ctx.scanMember(e.name, e.source);
}

/** Tar handler: generic tars and the legacy PyTorch tar layout (T42). */
export const tarHandler: FormatHandler = {
  format: 'tar',
  async scan(source, ctx) {
    const out = new BoundedReporter(ctx);
    try {
      const tar = readTar(source, ctx.limits);
      for (const a of tar.anomalies) reportAnomaly(out, a);
      for (const e of tar.entries) for (const f of e.facts) reportFact(out, e, f);
      await scanMembers(tar, ctx);
      const trailing = tar.anomalies.find((a) => a.kind === 'trailing-data');
      if (trailing !== undefined)
        await ctx.scanMember(
          '<trailing>',
          new SliceSource(source, trailing.offset, source.size - trailing.offset),
        );
    } finally {
      out.flush();
    }
  },
};
