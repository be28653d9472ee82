/**
 * T33–T46: container and format confusion (../shared/threats/model-files.md section C.3), plus benign
 * controls built the same way. Zip and tar bytes come from test/support's writers; 7z from
 * sevenz-stored.ts; nothing is ever loaded.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { buildTar } from '../support/tar-writer.js';
import { buildZip, type ZipEntrySpec } from '../support/zip-writer.js';
import { float32Npy, npyHeader, objectNpy } from './npy-kit.js';
import {
  asm,
  type Build,
  concat,
  framed,
  hexBytes,
  seededBytes,
  systemP0,
  systemP2,
  systemP4,
} from './pickle-kit.js';
import { frameDivergence, hiddenSystem } from './samples-vm.js';
import { storedSevenZip } from './sevenz-stored.js';
import { legacyTorch, stateDictPickle, torchZipMembers, WEIGHT_NUMEL, weightBytes } from './torch-kit.js';
import { type CorpusSample, directorySample, fileSample } from './types.js';

// ---- building blocks -------------------------------------------------------------------------------

/** Protocol-4 posix.system pickle, as pickle.dumps writes it. */
const p4Payload = (): Uint8Array => framed(4, (a) => systemP4(a).stop());
/** Protocol-0 posix.system pickle. */
const p0Payload = (): Uint8Array => asm((a) => systemP0(a).stop());

/** A torch.save state dict whose data.pkl also holds `'extra': posix.system(CMD)` (zip flavour). */
const maliciousDataPkl = (): Uint8Array =>
  stateDictPickle({ legacy: false, extra: (a) => systemP2(a.binunicode('extra'), 20) });
const benignDataPkl = (): Uint8Array => stateDictPickle({ legacy: false });

/** torch.save's zip: `<root>/data.pkl`, `<root>/data/0`, `<root>/version`; `patch` edits the data.pkl entry. */
function torchZip(root: string, dataPkl: Uint8Array, patch: Partial<ZipEntrySpec> = {}): Uint8Array {
  const entries: ZipEntrySpec[] = torchZipMembers(root, dataPkl).map((m) => ({ name: m.name, data: m.data }));
  const first = entries[0] as ZipEntrySpec;
  entries[0] = { ...first, ...patch };
  return buildZip(entries);
}

const maliciousTorchZip = (): Uint8Array => torchZip('pytorch_model', maliciousDataPkl());
const benignTorchZip = (): Uint8Array => torchZip('pytorch_model', benignDataPkl());

/** Legacy torch stream with the payload in the data pickle (like make_framework_malicious.py's). */
const maliciousLegacy = (): Uint8Array =>
  legacyTorch({ data: stateDictPickle({ legacy: true, extra: (a) => systemP2(a.binunicode('extra'), 20) }) });

/** One object-array .npy whose second element calls posix.system. */
const maliciousNpy = (): Uint8Array =>
  objectNpy([
    (a) => {
      a.binfloat(1.5);
    },
    (a) => {
      systemP2(a, 40);
    },
  ]);

/** The PyTorch v0.1.1 tar layout torch's _legacy_load reads (see make_benign_fixtures.py torch_legacy_tar). */
function legacyTar(opts: { storagesPayload?: Build; dataPayload?: Build; pax?: boolean }): Uint8Array {
  const p2 = (build: Build): Uint8Array => asm((a) => build(a.proto(2)));
  const sysInfo = p2((a) => {
    a.emptyDict().binunicode('protocol_version').binint2(1001).setitem();
    a.binunicode('little_endian').bool(true).setitem().stop();
  });
  let storages: Uint8Array;
  let tensors: Uint8Array;
  if (opts.storagesPayload) {
    const payload = opts.storagesPayload;
    storages = concat(
      p2((a) => {
        payload(a);
        a.stop();
      }),
      p2((a) => a.emptyList().stop()),
    );
    tensors = p2((a) => a.binint1(0).stop());
  } else {
    const numel = Buffer.alloc(8);
    numel.writeBigInt64LE(BigInt(WEIGHT_NUMEL));
    const dims = Buffer.alloc(4 + 4 + 16 + 16 + 8);
    dims.writeInt32LE(2, 0);
    dims.writeBigInt64LE(2n, 8);
    dims.writeBigInt64LE(3n, 16);
    dims.writeBigInt64LE(3n, 24);
    dims.writeBigInt64LE(1n, 32);
    dims.writeBigInt64LE(0n, 40);
    storages = concat(
      p2((a) => a.binint1(1).stop()),
      p2((a) => a.binint1(1).binunicode('cpu').global('torch', 'FloatStorage').tuple3().stop()),
      Uint8Array.from(numel),
      weightBytes(),
      p2((a) => a.emptyList().stop()),
    );
    tensors = concat(
      p2((a) => a.binint1(1).stop()),
      p2((a) => a.binint1(2).binint1(1).global('torch', 'FloatTensor').tuple3().stop()),
      Uint8Array.from(dims),
    );
  }
  const data = p2((a) => {
    a.emptyDict().mark().binunicode('epoch').binint1(1);
    if (!opts.storagesPayload) a.binunicode('weight').binunicode('2').binpersid();
    if (opts.dataPayload) opts.dataPayload(a.binunicode('hook'));
    a.setitems().stop();
  });
  const pax = opts.pax ? { pax: { mtime: '0', uname: 'modelguard' } } : {};
  return buildTar([
    { name: 'sys_info', data: sysInfo, ...pax },
    { name: 'pickle', data },
    { name: 'storages', data: storages },
    { name: 'tensors', data: tensors },
  ]);
}

/** `depth` zips nested in one another, the innermost holding `inner` as `name`. */
function nestedZips(depth: number, name: string, inner: Uint8Array): Uint8Array {
  let bytes = buildZip([{ name, data: inner }]);
  for (let level = depth - 1; level >= 1; level--)
    bytes = buildZip([{ name: `level${level + 1}.zip`, data: bytes }]);
  return bytes;
}

/** A 1x1 transparent PNG (what picklescan issue #18 saw named `.pt`). */
const PNG_1X1 =
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082';

const ZIP_PAYLOAD_NOTE = 'data.pkl calls posix.system (payload visible once the member is read).';

// ---- samples ---------------------------------------------------------------------------------------

const T33_T35: CorpusSample[] = [
  fileSample({
    id: 'T33-plain-pickle-pytorch-model-bin',
    technique: 'T33',
    fileName: 'pytorch_model.bin',
    description:
      "A plain protocol-2 pickle named pytorch_model.bin: torch.load falls back to legacy loading and unpickles it (its first pickle is the payload). Scanners that insist on torch's magic number skip it (CVE-2025-10155).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => asm((a) => systemP2(a.proto(2)).stop()),
  }),
  fileSample({
    id: 'T33-plain-pickle-ckpt',
    technique: 'T33',
    fileName: 'model.ckpt',
    description: 'A protocol-4 pickle named like a Lightning checkpoint.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: p4Payload,
  }),
  fileSample({
    id: 'T34-zip-member-txt',
    technique: 'T34',
    fileName: 'bundle.zip',
    description:
      'A generic zip whose member notes.txt is a pickle calling posix.system (CVE-2025-1889): members must be sniffed by content, not extension.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        { name: 'README.md', data: '# model bundle\n' },
        { name: 'notes.txt', data: p4Payload() },
      ]),
  }),
  fileSample({
    id: 'T35-pickle-zip-polyglot',
    technique: 'T35',
    fileName: 'model.pkl',
    description:
      'A posix.system pickle at offset 0 with a valid zip (readme.txt) appended: pickle.load reads from offset 0 and stops at STOP; zipfile.is_zipfile finds the end record, so picklescan scanned only the zip ("Scanned files: 0").',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => buildZip([{ name: 'readme.txt', data: 'nothing to see\n' }], { prepend: p4Payload() }),
  }),
  fileSample({
    id: 'T35-pickle-torchzip-polyglot-bin',
    technique: 'T35',
    fileName: 'pytorch_model.bin',
    description:
      "A posix.system pickle followed by a complete benign torch zip. torch.load checks for 'PK' at offset 0, finds none and legacy-loads: the first pickle (the payload) runs.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip(
        torchZipMembers('pytorch_model', benignDataPkl()).map((m) => ({ name: m.name, data: m.data })),
        { prepend: asm((a) => systemP2(a.proto(2)).stop()) },
      ),
  }),
];

const FLAG_BITS = [
  [0x1, 'encrypted'],
  [0x20, 'compressed patched data'],
  [0x40, 'strong encryption'],
] as const;

const T36_T40: CorpusSample[] = [
  ...FLAG_BITS.flatMap(([bit, meaning]) => [
    fileSample({
      id: `T36-flag-0x${bit.toString(16)}-central-local`,
      technique: 'T36',
      fileName: 'pytorch_model.bin',
      description: `Torch zip whose data.pkl has general-purpose flag 0x${bit.toString(16)} (${meaning}) in the local and central headers, data stored in clear. Python zipfile and torch 1.13 refuse it, but other readers may not, and the ${ZIP_PAYLOAD_NOTE} A scanner must not go silent (CVE-2025-1945).`,
      expect: 'unsafe',
      mustMention: 'posix.system',
      build: () => torchZip('pytorch_model', maliciousDataPkl(), { flags: bit }),
    }),
    fileSample({
      id: `T36-flag-0x${bit.toString(16)}-local-only`,
      technique: 'T36',
      fileName: 'pytorch_model.bin',
      description: `Flag 0x${bit.toString(16)} (${meaning}) only in the local header of data.pkl: torch 1.13 and Python 3.11 load it normally; ${ZIP_PAYLOAD_NOTE}`,
      expect: 'unsafe',
      mustMention: 'posix.system',
      build: () => torchZip('pytorch_model', maliciousDataPkl(), { localFlags: bit }),
    }),
  ]),
  fileSample({
    id: 'T36-control-benign-torch-zip',
    technique: 'T36',
    fileName: 'pytorch_model.bin',
    description:
      'Control: a benign torch zip with the flags torch itself writes (0x808: data descriptor + UTF-8); nothing at medium or above.',
    expect: 'safe',
    build: () =>
      buildZip(
        torchZipMembers('pytorch_model', benignDataPkl()).map((m) => ({
          name: m.name,
          data: m.data,
          flags: 0x800,
          dataDescriptor: true,
        })),
      ),
  }),
  fileSample({
    id: 'T37-local-central-name-mismatch',
    technique: 'T37',
    fileName: 'pytorch_model.bin',
    description:
      "Central directory says pytorch_model/data.pkl, the local header says pytorch_model/datap.kl (same length). torch (miniz, central directory) loads and executes; Python zipfile raises 'File name in directory … and header … differ' (CVE-2025-1944).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => torchZip('pytorch_model', maliciousDataPkl(), { localName: 'pytorch_model/datap.kl' }),
  }),
  fileSample({
    id: 'T38-bad-crc',
    technique: 'T38',
    fileName: 'pytorch_model.bin',
    description:
      "data.pkl's CRC-32 is 0xdeadbeef in both headers: torch does not check CRCs (pytorch/pytorch#28858) and executes; Python zipfile raises 'Bad CRC-32' (CVE-2025-10156).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => torchZip('pytorch_model', maliciousDataPkl(), { crc: 0xdeadbeef }),
  }),
  fileSample({
    id: 'T39-duplicate-malicious-first',
    technique: 'T39',
    fileName: 'pytorch_model.bin',
    description:
      'Two entries named pytorch_model/data.pkl: the malicious one first, a benign one last. Python and torch 1.13 resolve to the last, other readers (or versions) to the first; every entry must be scanned.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        { name: 'pytorch_model/data.pkl', data: maliciousDataPkl() },
        ...torchZipMembers('pytorch_model', benignDataPkl()).map((m) => ({ name: m.name, data: m.data })),
      ]),
  }),
  fileSample({
    id: 'T39-duplicate-malicious-last',
    technique: 'T39',
    fileName: 'pytorch_model.bin',
    description:
      'Two entries named pytorch_model/data.pkl: benign first, malicious last (the one torch 1.13 loads).',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        ...torchZipMembers('pytorch_model', benignDataPkl()).map((m) => ({ name: m.name, data: m.data })),
        { name: 'pytorch_model/data.pkl', data: maliciousDataPkl() },
      ]),
  }),
  fileSample({
    id: 'T40-7z-torch-layout',
    technique: 'T40',
    fileName: 'pytorch_model.bin',
    description:
      "nullifAI shape: torch's archive layout (archive/data.pkl, archive/data/0, archive/version) packed as a 7z (Copy coder) instead of a zip; archive/data.pkl calls posix.system.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => storedSevenZip(torchZipMembers('archive', maliciousDataPkl())),
  }),
  fileSample({
    id: 'T40-7z-legacy-bin',
    technique: 'T40',
    fileName: 'model.7z',
    description:
      "A 7z holding pytorch_model.bin, a legacy torch stream whose data pickle calls posix.system (picklescan's 7z path only extracts .pkl-like names).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => storedSevenZip([{ name: 'pytorch_model.bin', data: maliciousLegacy() }]),
  }),
];

const T41_T43: CorpusSample[] = [
  fileSample({
    id: 'T41-gzip-pickle',
    technique: 'T41',
    fileName: 'model.pkl.gz',
    description:
      'gzip of a posix.system pickle: pandas.read_pickle infers gzip from the suffix and unpickles it.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => Uint8Array.from(gzipSync(p4Payload())),
  }),
  fileSample({
    id: 'T41-zlib-joblib',
    technique: 'T41',
    fileName: 'model.joblib',
    description:
      "A bare zlib stream of a posix.system pickle: joblib.dump(compress=3)'s format, read by joblib.load (picklescan: 'opcode b\"x\" unknown', exit 0).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => Uint8Array.from(deflateSync(p4Payload(), { level: 3 })),
  }),
  fileSample({
    id: 'T42-tar-legacy-storages',
    technique: 'T42',
    fileName: 'checkpoint.pt',
    description:
      "PyTorch v0.1.1 tar (sys_info, pickle, storages, tensors); the storages member's first pickle calls posix.system — torch's _legacy_load opens the tar and unpickles 'storages' before anything else.",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => legacyTar({ storagesPayload: (a) => systemP2(a) }),
  }),
  fileSample({
    id: 'T42-tar-legacy-pickle-pax',
    technique: 'T42',
    fileName: 'model.pth',
    description:
      "Same tar layout with a pax header on sys_info, a real tensor, and the payload in the 'pickle' member (the data pickle).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => legacyTar({ dataPayload: (a) => systemP2(a, 30), pax: true }),
  }),
  fileSample({
    id: 'T42-control-benign-tar',
    technique: 'T42',
    fileName: 'model.pth',
    description:
      'Control: the tar layout with one tensor and no payload (torch 1.13 loads this shape; see benign/legacy_tar.pt).',
    expect: 'safe',
    build: () => legacyTar({}),
  }),
  fileSample({
    id: 'T43-zip-in-zip',
    technique: 'T43',
    fileName: 'bundle.zip',
    description:
      'bundle.zip → models/inner.zip → pytorch_model.bin (a torch zip whose data.pkl calls posix.system).',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        {
          name: 'models/inner.zip',
          data: buildZip([{ name: 'pytorch_model.bin', data: maliciousTorchZip() }]),
        },
      ]),
  }),
  fileSample({
    id: 'T43-tar-in-zip',
    technique: 'T43',
    fileName: 'bundle.zip',
    description: 'bundle.zip → checkpoint.tar (the v0.1.1 torch tar with the payload in storages), deflated.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        {
          name: 'checkpoint.tar',
          data: legacyTar({ storagesPayload: (a) => systemP2(a) }),
          method: 'deflate',
        },
      ]),
  }),
  fileSample({
    id: 'T43-npz-in-zip',
    technique: 'T43',
    fileName: 'dataset.zip',
    description: 'dataset.zip → arrays.npz → meta.npy (object array whose element calls posix.system).',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        {
          name: 'arrays.npz',
          data: buildZip([
            { name: 'weights.npy', data: float32Npy([0.5, 0.25]) },
            { name: 'meta.npy', data: maliciousNpy() },
          ]),
        },
      ]),
  }),
  fileSample({
    id: 'T43-zip-depth-10',
    technique: 'T43',
    fileName: 'bundle.zip',
    description:
      'Ten zips nested in one another, a posix.system pickle at the bottom: deeper than the default depth limit (6). The payload cannot be seen; content the scanner could not account for must fail closed (a high finding naming the limit).',
    expect: 'unsafe',
    build: () => nestedZips(10, 'model.pkl', p4Payload()),
  }),
  fileSample({
    id: 'T43-control-zip-depth-3-benign',
    technique: 'T43',
    fileName: 'bundle.zip',
    description: 'Control: three nested zips around a benign torch zip, within the depth limit: safe.',
    expect: 'safe',
    build: () => nestedZips(3, 'pytorch_model.bin', benignTorchZip()),
  }),
];

const T44_T46: CorpusSample[] = [
  directorySample({
    id: 'T44-directory-walk',
    technique: 'T44',
    fileName: 'hub-repo',
    description:
      'A model directory with weights.pkl, arr.npy, checkpoint.pth.tar and an extension-less model, all malicious: picklescan scanned 1 of 4, modelscan 2. Every file must be found by content.',
    expect: 'unsafe',
    mustMention: 'posix.system',
    buildFiles: () => [
      { name: 'weights.pkl', data: p4Payload() },
      { name: 'arr.npy', data: maliciousNpy() },
      { name: 'checkpoint.pth.tar', data: legacyTar({ storagesPayload: (a) => systemP2(a) }) },
      { name: 'model', data: p0Payload() },
      { name: 'nested/config/model.bin', data: maliciousTorchZip() },
    ],
  }),
  fileSample({
    id: 'T45-npy-object-payload',
    technique: 'T45',
    fileName: 'arr.npy',
    description:
      "np.save's exact layout for an object array [1.5, posix.system(CMD)]: np.load(allow_pickle=True) unpickles it (CVE-2019-6446).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: maliciousNpy,
  }),
  fileSample({
    id: 'T45-npy-bare-pickle',
    technique: 'T45',
    fileName: 'features.npy',
    description:
      "An '|O' header followed by a bare posix.system pickle (np.load just calls pickle.load on the rest).",
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () => concat(npyHeader('|O', [1]), p4Payload()),
  }),
  fileSample({
    id: 'T45-npz-object-payload',
    technique: 'T45',
    fileName: 'arrays.npz',
    description: 'An npz (stored zip) with weights.npy (float32) and meta.npy (the malicious object array).',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        { name: 'weights.npy', data: float32Npy([0.5, 0.25, 0.125]) },
        { name: 'meta.npy', data: maliciousNpy() },
      ]),
  }),
  fileSample({
    id: 'T45-npz-deflated-payload',
    technique: 'T45',
    fileName: 'arrays.npz',
    description: 'The same npz with deflated members (np.savez_compressed).',
    expect: 'unsafe',
    mustMention: 'posix.system',
    build: () =>
      buildZip([
        { name: 'weights.npy', data: float32Npy([0.5, 0.25, 0.125]), method: 'deflate' },
        { name: 'meta.npy', data: maliciousNpy(), method: 'deflate' },
      ]),
  }),
  fileSample({
    id: 'T45-control-benign-object-npy',
    technique: 'T45',
    fileName: 'labels.npy',
    description: "Control: np.save's layout for an object array of plain values [1.5, 'cat']: safe.",
    expect: 'safe',
    build: () =>
      objectNpy([
        (a) => {
          a.binfloat(1.5);
        },
        (a) => {
          a.binunicode('cat');
        },
      ]),
  }),
  fileSample({
    id: 'T46-png-named-pt',
    technique: 'T46',
    fileName: 'model.pt',
    description:
      'A 1x1 PNG named model.pt (picklescan issue #18). Review: any verdict, no crash, the artifact names a format.',
    expect: 'review',
    build: () => hexBytes(PNG_1X1),
  }),
  fileSample({
    id: 'T46-random-external-data',
    technique: 'T46',
    fileName: 'model.onnx.data',
    description:
      'ONNX external-data-like blob: 4096 seeded random bytes with no model file next to it (picklescan issue #57 crash). Review.',
    expect: 'review',
    build: () => seededBytes(4096, 0x6d67),
  }),
  fileSample({
    id: 'T46-float32-weights-bin',
    technique: 'T46',
    fileName: 'weights.bin',
    description: 'Raw little-endian float32 weights (what external data really holds). Review.',
    expect: 'review',
    build: () => {
      const b = Buffer.alloc(1024 * 4);
      for (let i = 0; i < 1024; i++) b.writeFloatLE(Math.sin(i) / 10, i * 4);
      return Uint8Array.from(b);
    },
  }),
];

export const CONTAINER_SAMPLES: readonly CorpusSample[] = [
  ...T33_T35,
  ...T36_T40,
  ...T41_T43,
  ...T44_T46,
  fileSample({
    id: 'T18-frame-divergence-torch',
    technique: 'T18',
    fileName: 'pytorch_model.bin',
    description:
      "A torch zip whose data.pkl is the T18 frame-divergence stream: torch.load reads data.pkl through BytesIO with the C unpickler, so the hidden GLOBAL 'posix system' … REDUCE runs.",
    expect: 'unsafe',
    build: () => torchZip('pytorch_model', frameDivergence(hiddenSystem)),
  }),
  fileSample({
    id: 'T12-control-benign-legacy',
    technique: 'T12',
    fileName: 'pytorch_model.bin',
    description: 'Control: the TS-built legacy torch stream without a payload (torch 1.13 loads it): safe.',
    expect: 'safe',
    build: () => legacyTorch(),
  }),
];
