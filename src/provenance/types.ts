/**
 * Types shared by the provenance layer (hashing engine, OMS sign/verify, ML-BOM) and by its users
 * (report/, cli/). Field names that appear in the OMS predicate keep the spec's snake_case.
 */

/** Hash algorithms a model can be hashed with (OMS algorithm registry names). */
export type HashAlgorithm = 'sha256' | 'blake2b';

/** OMS serialization methods: one resource per file, or per fixed-size shard of each file. */
export type SerializationMethod = 'files' | 'shards';

/** A regular file of a model, as the hashing engine enumerated it. */
export interface ModelFile {
  /** POSIX path relative to the model root (the OMS resource name); `.` never appears. */
  readonly name: string;
  /** Absolute path on disk (for a symlink: the link, which is opened and followed). */
  readonly path: string;
  readonly size: number;
}

/** One entry of the OMS predicate's `resources`. */
export interface Resource {
  /** File name, or `path:start:end` for a shard. */
  readonly name: string;
  /** `sha256`, `blake2b`, or for shards `sha256-sharded-<size>` as the Python/Go signers write it. */
  readonly algorithm: string;
  /** Lowercase hex. */
  readonly digest: string;
}

/** The OMS predicate's `serialization` object. */
export interface Serialization {
  readonly method: SerializationMethod;
  readonly hash_type: HashAlgorithm;
  readonly allow_symlinks: boolean;
  readonly shard_size?: number;
  readonly ignore_paths?: readonly string[];
}

/** What a model hashes to: the resources in canonical order and their root digest. */
export interface Manifest {
  /** Informational model name (basename of the model path). */
  readonly modelName: string;
  readonly serialization: Serialization;
  readonly resources: readonly Resource[];
  /** SHA-256 hex over the concatenated raw resource digests, in `resources` order. */
  readonly rootDigest: string;
}

/** Why a verification failed; each problem names what differs. */
export interface VerifyProblem {
  readonly kind:
    | 'modified' // a file's (or shard's) digest differs
    | 'missing' // signed but not on disk
    | 'extra' // on disk but not signed
    | 'signature' // the cryptographic signature does not verify
    | 'untrusted' // key, chain or Sigstore material not trusted / identity mismatch
    | 'format'; // the signature file is malformed or uses an unsupported feature
  /** The resource (file, or `path:start:end` shard) concerned, where there is one. */
  readonly resource?: string;
  readonly message: string;
}

export type SigningMethod = 'key' | 'certificate' | 'sigstore';

/** Outcome of `verify`, consumed by the verify command, `audit`, the HTML report and the BOM. */
export interface VerifyResult {
  readonly verified: boolean;
  /** Method the signature file uses (null when it could not be read). */
  readonly method: SigningMethod | null;
  /** Path of the signature file that was checked. */
  readonly signaturePath: string;
  /** Who signed: key hint, certificate subject, or Sigstore identity + issuer. */
  readonly signer?: string;
  /** Number of resources (files or shards) whose digests matched. */
  readonly checkedResources: number;
  readonly problems: readonly VerifyProblem[];
  /** Leniencies applied (legacy predicate, Python-style shard names, …) and other notes. */
  readonly warnings: readonly string[];
}
