export {
  type ArtifactStore,
  ArtifactNotFoundError,
  assertSha256,
  artifactLockKey,
  isSha256,
} from "./artifact-store.ts";
export { createFsArtifactStore, type FsArtifactStore } from "./fs-artifact-store.ts";
export {
  artifactDigest,
  sha256File,
  modelFileOrder,
  MODEL_JSON_FILE,
  DATASET_FILE,
  type ArtifactDigest,
  type ArtifactFile,
} from "./digest.ts";
