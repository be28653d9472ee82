import type { ZipEntry } from '../../formats/zip/types.js';
import type { FormatId } from '../types.js';

/** What kind of zip this is, by its member names (content still decides how each member is scanned). */
export interface ZipLayout {
  kind: 'pytorch' | 'npz' | 'keras' | 'generic';
  /** PyTorch archive folder, with its trailing slash (`archive/`). */
  prefix: string;
  /** TorchScript `code/` members. */
  codeMembers: string[];
}

const MARKERS = ['version', '.data/version', 'byteorder'];
/** Keras 3 `.keras` (saving_lib): `config.json` next to `metadata.json` or the weights file. */
const KERAS_MARKERS = ['metadata.json', 'model.weights.h5', 'model.weights.npz'];

/** PyTorch zips (`<prefix>/data.pkl` + `<prefix>/version` or `byteorder`), `.npz` (all `.npy`), or generic. */
export function zipLayout(entries: readonly ZipEntry[]): ZipLayout {
  const names = new Set(entries.map((e) => e.name));
  for (const name of names) {
    if (!name.endsWith('/data.pkl')) continue; // cheap test before the regex (20k-member checkpoints)
    const m = /^([^/]+\/)data\.pkl$/.exec(name);
    if (m && MARKERS.some((k) => names.has(`${m[1]}${k}`))) {
      const prefix = m[1] as string;
      const codeMembers = [...names].filter((n) => n.startsWith(`${prefix}code/`) && !n.endsWith('/'));
      return { kind: 'pytorch', prefix, codeMembers };
    }
  }
  if (names.has('config.json') && KERAS_MARKERS.some((k) => names.has(k)))
    return { kind: 'keras', prefix: '', codeMembers: [] };
  const files = entries.filter((e) => !e.name.endsWith('/'));
  if (files.length > 0 && files.every((e) => e.name.endsWith('.npy')))
    return { kind: 'npz', prefix: '', codeMembers: [] };
  return { kind: 'generic', prefix: '', codeMembers: [] };
}

/** True for raw tensor storage (`<prefix>/data/<n>`): never unpickled, only sniffed. */
export function isTensorStorage(name: string, layout: ZipLayout): boolean {
  return (
    layout.kind === 'pytorch' &&
    name.startsWith(`${layout.prefix}data/`) &&
    /^\d+$/.test(name.slice(layout.prefix.length + 5))
  );
}

/** What the loader expects a member to be, if anything. */
export function memberHint(name: string, layout: ZipLayout): FormatId | undefined {
  if (
    layout.kind === 'pytorch' &&
    (name === `${layout.prefix}data.pkl` || name === `${layout.prefix}constants.pkl`)
  )
    return 'pickle';
  if (layout.kind === 'npz' && name.endsWith('.npy')) return 'numpy';
  return undefined;
}
