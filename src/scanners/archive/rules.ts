import { defineRules } from '../../core/rule.js';
import { CWE, THREAT_IDS } from '../../core/taxonomy.js';

/** Rules of the container handlers: zip, tar, 7z and the compression wrappers. */
export const ARCHIVE_RULES = defineRules({
  'archive/malformed': {
    title: 'Archive or compressed stream is malformed',
    description:
      'The container could not be read as its format requires (bad end record, central directory outside the file, bad tar checksum, corrupt compressed data, data past the end). Loaders disagree on such files, and whatever the scanner could not read was not inspected.',
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: 'Do not load the file. Obtain a clean copy from the publisher and compare its hash.',
  },
  'archive/zip-bomb': {
    title: 'Decompression bomb',
    description:
      'A member or stream inflates past limits.maxInflatedBytes, past limits.maxCompressionRatio, or overlaps other entries (overlapping-entry zip bomb). Decoding stopped at the limit; only the head was analysed.',
    severity: 'high',
    cwe: [CWE.decompressionBomb, CWE.resourceConsumption],
    ...THREAT_IDS.exhaustion,
    remediation: 'Treat the file as hostile. If the size is legitimate, raise the limits and scan again.',
  },
  'archive/too-many-entries': {
    title: 'Archive holds more entries than the limit',
    description:
      'The archive declares or holds more entries than limits.maxEntries; the rest were not read. Millions of records are a way to exhaust scanners and to hide a payload past the point they stop.',
    severity: 'high',
    cwe: [CWE.resourceConsumption, CWE.unboundedAllocation],
    ...THREAT_IDS.exhaustion,
    remediation:
      'Treat the file as hostile unless you expect that many entries; raise maxEntries to scan it fully.',
  },
  'archive/too-deep': {
    title: 'Archives nested deeper than the limit',
    description:
      'Archives are nested (zip in tar in gzip …) deeper than limits.maxDepth; the innermost levels were not opened. Deep nesting hides payloads below the depth scanners inspect (T43).',
    severity: 'high',
    cwe: [CWE.uncontrolledRecursion, CWE.decompressionBomb],
    ...THREAT_IDS.exhaustion,
    remediation:
      'Unpack the archive by hand and scan its contents, or raise maxDepth if the nesting is legitimate.',
  },
  'archive/unsupported': {
    title: 'Archive content could not be inspected',
    description:
      'An encrypted member, an unknown compression method or an archive 7-Zip cannot open: its content was not analysed, so it is not known to be safe (fail closed). Encrypted members of model archives have no legitimate use.',
    severity: 'high',
    cwe: [CWE.protectionFailure],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Do not load the file. Ask the publisher for an unencrypted archive with standard compression, then scan it.',
  },
  'archive/name-mismatch': {
    title: 'Zip local header name differs from the central directory',
    description:
      "The local file header names a member differently from the central directory (T37, CVE-2025-1944). Python's zipfile refuses such entries while PyTorch's reader loads them, so scanners built on zipfile miss the payload that torch.load executes.",
    severity: 'high',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Do not load the file: no legitimate tool writes mismatched names. Re-export the model with a standard writer.',
  },
  'archive/duplicate-name': {
    title: 'Zip or tar holds the same name twice',
    description:
      'Two members share a name (T39). Loaders use the last one (Python zipfile, PyTorch 1.13, tar extraction), while a scanner that stops at the first sees a different file.',
    severity: 'medium',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: 'Check every copy (all were scanned); re-export the archive so each name appears once.',
  },
  'archive/flag-bits': {
    title: 'Zip entry sets encryption/patch flag bits',
    description:
      'General-purpose flag 0x1 (encrypted), 0x20 (patched data) or 0x40 (strong encryption) is set in the central and/or local header (T36, CVE-2025-1945). Readers disagree: Python refuses them, some torch builds load local-only flags, scanners may skip the member.',
    severity: 'medium',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Do not load the file unless you know why the flags are set; re-export the model with a standard writer.',
  },
  'archive/path-traversal': {
    title: 'Archive member escapes the extraction folder',
    description:
      'A member name is absolute or contains `..`, or the member is a link (symlink/hard link). Extracting it writes outside the target folder or through a link (zip slip, tar link attacks).',
    severity: 'high',
    cwe: [CWE.pathTraversal, CWE.linkFollowing],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Never extract the archive with a tool that follows such names; remove the offending members.',
  },
  'archive/prepended-data': {
    title: 'Data before the first zip entry or after the archive',
    description:
      'Bytes precede the first zip entry (or follow the end record) that no entry accounts for: a polyglot (T35), e.g. a pickle at offset 0 with a zip appended. Loaders that read from offset 0 see the hidden data; zip readers do not. The extra bytes were scanned as a member.',
    severity: 'medium',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: 'Strip the extra bytes, or better, obtain a clean copy of the archive.',
  },
});

/** Rules for PyTorch container layouts (informational: they say which loader path applies). */
export const PYTORCH_CONTAINER_RULES = defineRules({
  'pytorch/torchscript-code': {
    title: 'TorchScript code members present',
    description:
      'The archive carries TorchScript `code/` members. torch.jit.load compiles them with the TorchScript compiler (not the Python interpreter); they define what the model computes.',
    severity: 'info',
    cwe: [CWE.codeInjection],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Load TorchScript archives only from trusted publishers; review the code/ members when in doubt.',
  },
  'pytorch/legacy-tar': {
    title: 'Legacy tar PyTorch checkpoint',
    description:
      'A PyTorch checkpoint in the legacy tar layout (`sys_info`, `pickle`, `storages`, `tensors`). torch.load unpickles `storages` first, then `tensors` and `pickle` (T42); all three were analysed.',
    severity: 'info',
    cwe: [CWE.deserialization],
    ...THREAT_IDS.supplyChain,
    remediation: 'Prefer safetensors; re-save the model with a current torch and weights_only loading.',
  },
});
