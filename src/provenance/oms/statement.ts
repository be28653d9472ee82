/**
 * The signed in-toto Statement v1 with the OMS predicate: built from a manifest when signing, and read
 * back (after the signature is verified) into the manifest to check the model against.
 *
 * Lenient reading (research note §1.9): resources in any order (the root digest is recomputed in the
 * given order), `shard_size` written as a float (`8.0`, `1e9`), shard `algorithm` with or without
 * `-sharded-<size>`, any non-empty subject name, the legacy `Digests/v0.1` predicate. Strict otherwise:
 * types, hex digests of the right length, no duplicate or malformed resource names, shards that tile each
 * file, no unknown `serialization` fields, root digest equal to the subject's.
 */

import { rootDigest } from '../hashing/index.js';
import type { HashAlgorithm, Manifest, Resource, Serialization, SerializationMethod } from '../types.js';
import { LEGACY_PREDICATE_TYPE, OMS_LIMITS, PREDICATE_TYPE, STATEMENT_TYPE } from './constants.js';
import { BundleFormatError } from './errors.js';

/** The statement `sign` writes (Python writes the same fields, 2-space indented). */
export function buildStatement(manifest: Manifest): Record<string, unknown> {
  const s = manifest.serialization;
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: manifest.modelName, digest: { sha256: manifest.rootDigest } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      resources: manifest.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
      serialization: {
        method: s.method,
        hash_type: s.hash_type,
        allow_symlinks: s.allow_symlinks,
        ...(s.shard_size === undefined ? {} : { shard_size: s.shard_size }),
        ...(s.ignore_paths === undefined ? {} : { ignore_paths: [...s.ignore_paths] }),
      },
    },
  };
}

export function encodeStatement(statement: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(statement, null, 2), 'utf8');
}

/** A signed manifest as read from a verified payload. */
export interface SignedManifest extends Manifest {
  /** The legacy v0.2 predicate (no serialization recorded: files/SHA-256 assumed). */
  readonly legacy: boolean;
  readonly warnings: readonly string[];
}

const DIGEST_HEX: Record<HashAlgorithm, number> = { sha256: 64, blake2b: 128 };
const SERIALIZATION_KEYS = new Set(['method', 'hash_type', 'allow_symlinks', 'shard_size', 'ignore_paths']);

/** Parses the (already signature-checked) payload bytes; throws BundleFormatError naming what differs. */
export function parseStatement(payload: Uint8Array): SignedManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (e) {
    throw new BundleFormatError(`the signed payload is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const st = object(json, 'the signed statement');
  if (st['_type'] !== STATEMENT_TYPE)
    throw new BundleFormatError(`statement _type is ${show(st['_type'])}, expected "${STATEMENT_TYPE}"`);
  const type = st['predicateType'];
  if (type === LEGACY_PREDICATE_TYPE) return parseLegacy(st);
  if (type !== PREDICATE_TYPE)
    throw new BundleFormatError(`predicateType is ${show(type)}, expected "${PREDICATE_TYPE}"`);

  const subjects = st['subject'];
  if (!Array.isArray(subjects) || subjects.length !== 1)
    throw new BundleFormatError(
      `statement has ${Array.isArray(subjects) ? subjects.length : 'no'} subject(s), expected exactly one`,
    );
  const subject = object(subjects[0], 'subject[0]');
  const modelName = subject['name'];
  if (typeof modelName !== 'string' || modelName === '')
    throw new BundleFormatError('subject[0].name is missing or empty');
  const expectedRoot = object(subject['digest'], 'subject[0].digest')['sha256'];
  if (typeof expectedRoot !== 'string' || !/^[0-9a-f]{64}$/i.test(expectedRoot))
    throw new BundleFormatError('subject[0].digest.sha256 is missing or not a hex SHA-256');

  const predicate = object(st['predicate'], 'predicate');
  const serialization = readSerialization(predicate['serialization']);
  const warnings: string[] = [];
  const resources = readResources(predicate['resources'], serialization, warnings);
  const computed = rootDigest(resources);
  if (computed !== expectedRoot.toLowerCase())
    throw new BundleFormatError(
      `the signed resources hash to root digest ${computed}, but the subject says ${expectedRoot.toLowerCase()} (manifest is inconsistent)`,
    );
  return { modelName, serialization, resources, rootDigest: computed, legacy: false, warnings };
}

function readSerialization(value: unknown): Serialization {
  const s = object(value, 'predicate.serialization');
  const unknown = Object.keys(s).filter((k) => !SERIALIZATION_KEYS.has(k));
  if (unknown.length > 0)
    throw new BundleFormatError(`predicate.serialization has unknown field(s): ${unknown.join(', ')}`);
  const method = s['method'];
  if (method !== 'files' && method !== 'shards')
    throw new BundleFormatError(`serialization.method is ${show(method)}, expected "files" or "shards"`);
  const hashType = s['hash_type'];
  if (hashType === 'blake3')
    throw new BundleFormatError(
      'serialization.hash_type blake3 is not supported (node:crypto has no BLAKE3)',
    );
  if (hashType !== 'sha256' && hashType !== 'blake2b')
    throw new BundleFormatError(
      `serialization.hash_type is ${show(hashType)}, expected "sha256" or "blake2b"`,
    );
  const allow = s['allow_symlinks'];
  if (typeof allow !== 'boolean')
    throw new BundleFormatError(`serialization.allow_symlinks is ${show(allow)}, expected true or false`);
  const ignore = s['ignore_paths'];
  if (
    ignore !== undefined &&
    (!Array.isArray(ignore) || ignore.some((p) => typeof p !== 'string' || p === ''))
  )
    throw new BundleFormatError('serialization.ignore_paths is not a list of non-empty strings');
  const size = s['shard_size'];
  if (method === 'files' && size !== undefined)
    throw new BundleFormatError('serialization.shard_size is set but method is "files"');
  // JSON numbers: `8.0` and `1e9` parse as integers already; anything fractional is refused.
  if (method === 'shards' && (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0))
    throw new BundleFormatError(`serialization.shard_size is ${show(size)}, expected a positive integer`);
  return {
    method: method as SerializationMethod,
    hash_type: hashType,
    allow_symlinks: allow,
    ...(method === 'shards' ? { shard_size: size as number } : {}),
    ...(ignore === undefined ? {} : { ignore_paths: ignore as string[] }),
  };
}

function readResources(value: unknown, ser: Serialization, warnings: string[]): Resource[] {
  if (!Array.isArray(value)) throw new BundleFormatError('predicate.resources is not a list');
  if (value.length > OMS_LIMITS.maxResources)
    throw new BundleFormatError(
      `predicate.resources has more than maxResources (${OMS_LIMITS.maxResources}) entries`,
    );
  const plain = ser.hash_type;
  const sharded = `${plain}-sharded-${ser.shard_size}`;
  const names = new Set<string>();
  const shards = new Map<string, Array<[number, number]>>();
  let plainShardAlgorithm = false;
  const out: Resource[] = value.map((v, i) => {
    const r = object(v, `predicate.resources[${i}]`);
    const { name, algorithm, digest } = r;
    if (typeof name !== 'string' || name === '')
      throw new BundleFormatError(`predicate.resources[${i}].name is missing or empty`);
    if (names.has(name)) throw new BundleFormatError(`resource "${name}" appears twice in the manifest`);
    names.add(name);
    const accepted = ser.method === 'shards' ? [sharded, plain] : [plain];
    if (typeof algorithm !== 'string' || !accepted.includes(algorithm))
      throw new BundleFormatError(
        `resource "${name}": algorithm is ${show(algorithm)}, expected "${accepted.join('" or "')}" (serialization ${ser.method}/${plain})`,
      );
    if (ser.method === 'shards' && algorithm === plain) plainShardAlgorithm = true;
    if (typeof digest !== 'string' || !/^[0-9a-f]+$/i.test(digest) || digest.length !== DIGEST_HEX[plain])
      throw new BundleFormatError(
        `resource "${name}": digest is not ${DIGEST_HEX[plain]} hex digits (${plain})`,
      );
    if (ser.method === 'shards') {
      const shard = parseShardName(name);
      const list = shards.get(shard.path) ?? [];
      list.push([shard.start, shard.end]);
      shards.set(shard.path, list);
    } else {
      checkPath(name);
    }
    return { name, algorithm, digest: digest.toLowerCase() };
  });
  if (ser.method === 'shards') checkTiling(shards, ser.shard_size!);
  if (plainShardAlgorithm)
    warnings.push(
      `shard resources use the algorithm "${plain}" (OMS spec form) rather than "${sharded}" (Python/Go form)`,
    );
  return out;
}

/** `path:start:end`: the last two `:`-separated fields are the byte range (paths may contain `:`). */
export function parseShardName(name: string): { path: string; start: number; end: number } {
  const m = /^(.+):(0|[1-9][0-9]*):(0|[1-9][0-9]*)$/.exec(name);
  if (m === null) throw new BundleFormatError(`shard resource "${name}" is not "path:start:end"`);
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start)
    throw new BundleFormatError(`shard resource "${name}" has an empty or reversed byte range`);
  const path = m[1]!;
  checkPath(path);
  return { path, start, end };
}

/** Each file's shards must be consecutive `shardSize` ranges from 0, the last one shorter or equal. */
function checkTiling(shards: Map<string, Array<[number, number]>>, size: number): void {
  for (const [path, ranges] of shards) {
    ranges.sort((a, b) => a[0] - b[0]);
    let pos = 0;
    for (const [i, [start, end]] of ranges.entries()) {
      const last = i === ranges.length - 1;
      if (start !== pos || end - start > size || (!last && end - start !== size))
        throw new BundleFormatError(
          `the signed shards of "${path}" do not tile the file in ${size}-byte pieces (at ${path}:${start}:${end})`,
        );
      pos = end;
    }
  }
}

/** OMS §6.1.2 path rules, plus the Python single-file name ".". */
function checkPath(name: string): void {
  if (name === '.') return;
  const bad =
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.includes('//') ||
    name.split('/').some((part) => part === '.' || part === '..') ||
    name.includes('\0') ||
    name.includes('\\');
  if (bad)
    throw new BundleFormatError(`resource name "${name}" is not a relative POSIX path inside the model`);
}

/** model_signing v0.2: one subject per file `{name, digest:{sha256}}`, no serialization. */
function parseLegacy(st: Record<string, unknown>): SignedManifest {
  const subjects = st['subject'];
  if (!Array.isArray(subjects)) throw new BundleFormatError('legacy statement has no subject list');
  const names = new Set<string>();
  const resources: Resource[] = subjects.map((v, i) => {
    const s = object(v, `subject[${i}]`);
    const name = s['name'];
    const digest = object(s['digest'], `subject[${i}].digest`)['sha256'];
    if (typeof name !== 'string' || name === '') throw new BundleFormatError(`subject[${i}].name is missing`);
    if (names.has(name)) throw new BundleFormatError(`resource "${name}" appears twice in the manifest`);
    names.add(name);
    checkPath(name);
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/i.test(digest))
      throw new BundleFormatError(`subject[${i}].digest.sha256 is not a hex SHA-256`);
    return { name, algorithm: 'sha256', digest: digest.toLowerCase() };
  });
  return {
    modelName: 'compat-undefined-not-present',
    serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
    resources,
    rootDigest: rootDigest(resources),
    legacy: true,
    warnings: [
      `legacy predicate ${LEGACY_PREDICATE_TYPE} (model_signing v0.2): no serialization recorded, files/SHA-256 assumed`,
    ],
  };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BundleFormatError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function show(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v);
}
