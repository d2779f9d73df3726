import type { ArtifactStore } from "./artifact-store.ts";
import { createFsArtifactStore } from "./fs-artifact-store.ts";
import { createS3ArtifactStore } from "./s3-artifact-store.ts";

/** The artifact-store part of an app's parsed env (packages/config's sharedEnv). */
export interface ArtifactStoreEnv {
  ARTIFACT_STORE: "fs" | "s3";
  ARTIFACT_DIR: string;
  S3_BUCKET?: string | undefined;
  S3_PREFIX: string;
  S3_ENDPOINT?: string | undefined;
  S3_REGION: string;
  S3_FORCE_PATH_STYLE: boolean;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_CACHE_MAX_BYTES: number;
}

/** The store an app's env names: the filesystem one at ARTIFACT_DIR, or S3 with ARTIFACT_DIR as its local folder. */
export function createArtifactStore(env: ArtifactStoreEnv): ArtifactStore {
  if (env.ARTIFACT_STORE === "fs") return createFsArtifactStore(env.ARTIFACT_DIR);
  if (!env.S3_BUCKET) throw new Error("ARTIFACT_STORE=s3 needs S3_BUCKET");
  return createS3ArtifactStore({
    bucket: env.S3_BUCKET,
    prefix: env.S3_PREFIX,
    ...(env.S3_ENDPOINT && { endpoint: env.S3_ENDPOINT }),
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    ...(env.S3_ACCESS_KEY_ID &&
      env.S3_SECRET_ACCESS_KEY && {
        credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
      }),
    localDir: env.ARTIFACT_DIR,
    cacheMaxBytes: env.S3_CACHE_MAX_BYTES,
  });
}
