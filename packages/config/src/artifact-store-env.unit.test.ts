import { describe, expect, it } from "vitest";
import { parseArtifactStoreEnv } from "./env.ts";

describe("artifact store variables", () => {
  it("default to the filesystem store", () => {
    expect(parseArtifactStoreEnv({})).toMatchObject({ ARTIFACT_STORE: "fs", ARTIFACT_DIR: ".costgate/artifacts" });
  });

  it("with ARTIFACT_STORE=s3 need the bucket, and the process stops naming it", () => {
    expect(() => parseArtifactStoreEnv({ ARTIFACT_STORE: "s3" })).toThrow(/S3_BUCKET: required when ARTIFACT_STORE=s3/);
  });

  it("take static credentials as a pair only", () => {
    expect(() =>
      parseArtifactStoreEnv({ ARTIFACT_STORE: "s3", S3_BUCKET: "costgate", S3_ACCESS_KEY_ID: "id" }),
    ).toThrow(/S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all/);
  });

  it("parse a MinIO setup", () => {
    expect(
      parseArtifactStoreEnv({
        ARTIFACT_STORE: "s3",
        S3_BUCKET: "costgate",
        S3_ENDPOINT: "http://minio:9000",
        S3_FORCE_PATH_STYLE: "true",
        S3_CACHE_MAX_BYTES: "1048576",
      }),
    ).toMatchObject({
      S3_BUCKET: "costgate",
      S3_PREFIX: "costgate/",
      S3_ENDPOINT: "http://minio:9000",
      S3_FORCE_PATH_STYLE: true,
      S3_CACHE_MAX_BYTES: 1048576,
    });
  });

  it("refuse an endpoint that is not a URL and a cache size that is not a positive integer", () => {
    expect(() =>
      parseArtifactStoreEnv({
        ARTIFACT_STORE: "s3",
        S3_BUCKET: "costgate",
        S3_ENDPOINT: "minio",
        S3_CACHE_MAX_BYTES: "-1",
      }),
    ).toThrow(/S3_ENDPOINT: must be a URL[\s\S]*S3_CACHE_MAX_BYTES/);
  });
});
