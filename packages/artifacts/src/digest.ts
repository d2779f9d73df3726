import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";

/**
 * The digest rule of Costgate artifacts.
 *
 * An artifact's `sha256` is the SHA-256 of its files' bytes concatenated in canonical order:
 * - a TensorFlow.js LayersModel: `model.json` first, then the weight files in the order its
 *   `weightsManifest` names them (group by group, path by path);
 * - a dataset: the one CSV file.
 * Its `sizeBytes` is the sum of the file sizes. So, for a model saved the usual way,
 *   cat model/model.json model/group1-shard1of2.bin model/group1-shard2of2.bin | sha256sum
 * and for a dataset `sha256sum data.csv` print the same sha256 as Costgate. File names are
 * not hashed: a model's weight file names are inside model.json, and a dataset is stored
 * under the fixed name `data.csv` whatever it was called on upload.
 */
export interface ArtifactFile {
  /** Path inside the artifact folder, with forward slashes. */
  path: string;
  sizeBytes: number;
  sha256: string;
}

export interface ArtifactDigest {
  sha256: string;
  sizeBytes: number;
  /** One entry per file, in canonical (storage) order. */
  files: ArtifactFile[];
}

/** The file every model artifact starts with. */
export const MODEL_JSON_FILE = "model.json";
/** The name a dataset's one CSV is stored under. */
export const DATASET_FILE = "data.csv";

/** SHA-256 (lowercase hex) of one file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await feed(path, [hash]);
  return hash.digest("hex");
}

/**
 * Applies the digest rule to `files` (paths relative to `dir`, already in canonical order):
 * each file is read once and feeds both its own hash and the artifact's.
 */
export async function artifactDigest(dir: string, files: readonly string[]): Promise<ArtifactDigest> {
  const whole = createHash("sha256");
  const described: ArtifactFile[] = [];
  let sizeBytes = 0;
  for (const path of files) {
    const own = createHash("sha256");
    const size = await feed(join(dir, path), [whole, own]);
    described.push({ path, sizeBytes: size, sha256: own.digest("hex") });
    sizeBytes += size;
  }
  return { sha256: whole.digest("hex"), sizeBytes, files: described };
}

/**
 * Canonical file order of a model artifact from its parsed model.json: model.json, then every
 * path of every weights-manifest group in order (a leading "./", as tfjs's browser download
 * writes, is dropped). Assumes the manifest was validated; it does not check paths.
 */
export function modelFileOrder(modelJson: { weightsManifest?: ReadonlyArray<{ paths: readonly string[] }> }): string[] {
  const order = [MODEL_JSON_FILE];
  for (const group of modelJson.weightsManifest ?? []) {
    for (const path of group.paths) order.push(path.replace(/^(\.\/)+/, ""));
  }
  return order;
}

async function feed(path: string, hashes: Hash[]): Promise<number> {
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    for (const h of hashes) h.update(bytes);
  }
  return size;
}
