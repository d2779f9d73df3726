/**
 * Where artifacts live. Every artifact is a folder of files addressed by the sha256 of its
 * contents (see digest.ts for the rule). Objects are immutable once published: a new model
 * version is a new artifact.
 */
export interface ArtifactStore {
  /** A fresh private folder on the local disk to stage files into (fs store: on its filesystem, so publish is a rename). */
  stage(): Promise<string>;
  /**
   * Does the slow part of publishing a staged folder ahead, outside any lock or transaction
   * (S3: uploads its files, invisible until publish; fs: flushes them to disk). Optional:
   * publish does whatever prepare did not. Bytes prepared but never published are removed by
   * sweepStaging once stale.
   */
  prepare(sha256: string, stagedDir: string): Promise<void>;
  /** Moves a staged folder into place under its content address (sha256) atomically; if that address exists already the staged copy is discarded. */
  publish(sha256: string, stagedDir: string): Promise<void>;
  /** A local folder holding the artifact's files (for the fs store: the folder itself). Throws ArtifactNotFoundError. */
  get(sha256: string): Promise<string>;
  exists(sha256: string): Promise<boolean>;
  /** Removes an artifact; deleting one that is not there is not an error. */
  delete(sha256: string): Promise<void>;
  /** Removes a staging folder (after a failure). */
  discard(stagedDir: string): Promise<void>;
  /** Every published object's sha256 (for garbage collection of objects no row references). */
  list(): AsyncIterable<string>;
  /** Removes staging folders older than maxAgeMs (left by crashed writers); returns how many. */
  sweepStaging(maxAgeMs: number): Promise<number>;
  /** Whether the store can be used, writing nothing (readiness): throws saying what is wrong. */
  check(): Promise<void>;
}

export class ArtifactNotFoundError extends Error {
  readonly sha256: string;
  constructor(sha256: string) {
    super(`artifact ${sha256} is not in the artifact store`);
    this.name = "ArtifactNotFoundError";
    this.sha256 = sha256;
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const isSha256 = (value: unknown): value is string => typeof value === "string" && SHA256_HEX.test(value);

/** Throws unless `sha256` is 64 lowercase hex characters (the only form used as a path). */
export function assertSha256(sha256: unknown): asserts sha256 is string {
  if (!isSha256(sha256)) {
    throw new TypeError(`not a sha256 (64 lowercase hex characters): ${JSON.stringify(String(sha256).slice(0, 80))}`);
  }
}

/**
 * Text of the Postgres advisory lock every writer holds, transaction-scoped, while it publishes
 * an object and writes (or finds) its Artifact row:
 *   SELECT pg_advisory_xact_lock(hashtextextended(<artifactLockKey(sha256)>, 0))
 * Under it, "no Artifact row has this sha256" means no writer needs the object, so a writer
 * whose row insert failed may delete the object it published.
 */
export const artifactLockKey = (sha256: string): string => `artifact:${sha256}`;
