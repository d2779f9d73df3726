export { type ArtifactStore, ArtifactNotFoundError, artifactLockKey } from "./artifact-store.ts";
export { createFsArtifactStore, type FsArtifactStore } from "./fs-artifact-store.ts";
export { createArtifactStore } from "./create-artifact-store.ts";
export { createS3ArtifactStore, type S3ArtifactStore, type S3ArtifactStoreOptions } from "./s3-artifact-store.ts";
export {
  artifactDigest,
  sha256File,
  modelFileOrder,
  MODEL_JSON_FILE,
  DATASET_FILE,
  type ArtifactFile,
} from "./digest.ts";
export { exportFilePath } from "./export-files.ts";
