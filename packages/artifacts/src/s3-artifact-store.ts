import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { ArtifactNotFoundError, assertSha256, isSha256, type ArtifactStore } from "./artifact-store.ts";
import { createFsArtifactStore } from "./fs-artifact-store.ts";
import { createLocalCache } from "./local-cache.ts";

export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Key prefix of every object of this store ("" or ending in "/"; one is added if missing). */
  prefix?: string;
  /** Endpoint of an S3-compatible server (MinIO...); unset: AWS S3. */
  endpoint?: string;
  region?: string;
  /** Path-style URLs (endpoint/bucket/key), as MinIO and most self-hosted servers need. */
  forcePathStyle?: boolean;
  /** Unset: the SDK's default chain (AWS_* variables, shared config, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Local folder: staging in `<localDir>/staging`, the read cache in `<localDir>/cache`. */
  localDir: string;
  /** Bytes the local read cache may hold (least recently used evicted first). */
  cacheMaxBytes: number;
  /** Cache entries used less than this long ago are kept even over cacheMaxBytes (default 10 minutes). */
  cacheInUseMs?: number;
  /** Multipart part size (bytes, ≥ 5 MiB); files up to one part are sent with one PUT. */
  partSizeBytes?: number;
}

export interface S3ArtifactStore extends ArtifactStore {
  readonly bucket: string;
  readonly prefix: string;
  /** The S3 client, for tests and tools (closed by `close`). */
  readonly client: S3Client;
  close(): void;
}

/** What `publish` writes last: the artifact's files, so a reader needs no listing. */
interface Manifest {
  files: { path: string; sizeBytes: number }[];
}

const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * The artifact store on an S3-compatible bucket:
 *   <prefix>objects/<sha[0:2]>/<sha>/<files>     the artifact's files
 *   <prefix>manifests/<sha[0:2]>/<sha>.json      written last: the artifact exists once it does
 * S3 has no rename, so publishing is atomic by its manifest rather than by moving a folder:
 * files are uploaded (streamed, multipart above one part) under their content address, which
 * only ever receives these same bytes, and the manifest listing them is PUT after the last one
 * succeeded. `exists`, `get` and `list` go by manifests only, so a reader never sees an
 * artifact whose upload is in progress or was cut by a crash; `delete` removes the manifest
 * first. `prepare` uploads the files ahead, so that `publish` (run by writers under the
 * artifact's Postgres lock, inside a transaction) only checks them with HEAD requests, uploads
 * what a delete removed meanwhile, and writes the manifest. Files a crashed publisher left
 * without a manifest are removed by `sweepStaging` once
 * older than its maxAge. Staging stays on the local disk; `get` streams the files into a
 * bounded local cache folder and returns it, as the filesystem store returns its own.
 */
export function createS3ArtifactStore(options: S3ArtifactStoreOptions): S3ArtifactStore {
  const bucket = options.bucket;
  const prefix = options.prefix && !options.prefix.endsWith("/") ? `${options.prefix}/` : (options.prefix ?? "");
  const localDir = resolve(options.localDir);
  const partSize = Math.max(MIN_PART_BYTES, options.partSizeBytes ?? 8 * 1024 * 1024);
  const config: S3ClientConfig = {
    region: options.region ?? "us-east-1",
    forcePathStyle: options.forcePathStyle ?? false,
    // Checksums only where S3 requires them: self-hosted servers do not all know the newer ones.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  const client = new S3Client(config);

  const staging = createFsArtifactStore(localDir);
  const cache = createLocalCache({
    dir: join(localDir, "cache"),
    maxBytes: options.cacheMaxBytes,
    ...(options.cacheInUseMs !== undefined && { inUseMs: options.cacheInUseMs }),
  });
  const filesPrefix = `${prefix}objects/`;
  const manifestsPrefix = `${prefix}manifests/`;
  const fileKey = (sha256: string, path: string) => `${filesPrefix}${sha256.slice(0, 2)}/${sha256}/${path}`;
  const manifestKey = (sha256: string) => `${manifestsPrefix}${sha256.slice(0, 2)}/${sha256}.json`;
  const where = `s3://${bucket}/${prefix}${options.endpoint ? ` at ${options.endpoint}` : ""}`;

  async function readManifest(sha256: string): Promise<Manifest | undefined> {
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(sha256) }));
      return JSON.parse(await res.Body!.transformToString("utf8")) as Manifest;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async function* keys(keyPrefix: string): AsyncIterable<{ key: string; lastModified: Date | undefined }> {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ...(token && { ContinuationToken: token }) }),
      );
      for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, lastModified: o.LastModified };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async function deleteKeys(all: string[]): Promise<void> {
    for (let i = 0; i < all.length; i += 1000) {
      const batch = all.slice(i, i + 1000);
      const res = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = (res.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      if (failed.length > 0) {
        throw new Error(`could not delete ${failed.length} objects in ${where}: ${failed[0]!.Key}: ${failed[0]!.Message}`);
      }
    }
  }

  async function uploadFile(key: string, path: string): Promise<void> {
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: createReadStream(path) },
      partSize,
      queueSize: 4,
    });
    await upload.done();
  }

  async function download(sha256: string, manifest: Manifest, into: string): Promise<void> {
    for (const file of manifest.files) {
      const dest = join(into, file.path);
      await mkdir(dirname(dest), { recursive: true });
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: fileKey(sha256, file.path) }));
      await pipeline(res.Body as Readable, createWriteStream(dest));
      const got = res.ContentLength;
      if (got !== undefined && got !== file.sizeBytes) {
        throw new Error(`artifact ${sha256}: ${file.path} is ${got} bytes in ${where}, its manifest says ${file.sizeBytes}`);
      }
    }
  }

  /** The staged folder, resolved, if it is one this store handed out; throws otherwise. */
  function checkStaged(stagedDir: string): string {
    const staged = resolve(stagedDir);
    if (dirname(staged) !== join(localDir, "staging") || !basename(staged).startsWith("stage-")) {
      throw new Error(`not a staging folder of the artifact store at ${localDir}: ${stagedDir}`);
    }
    return staged;
  }

  /** Bytes of an object, or undefined when there is none. */
  async function sizeOf(key: string): Promise<number | undefined> {
    try {
      return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  const inflight = new Map<string, Promise<string>>();

  const store: S3ArtifactStore = {
    bucket,
    prefix,
    client,
    close: () => client.destroy(),

    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const why =
          status === 404
            ? "the bucket does not exist"
            : status === 403
              ? "access denied (check the credentials)"
              : (e as Error).message || (e as Error).name;
        throw new Error(`artifact store ${where}: ${why}`, { cause: e });
      }
    },

    stage: () => staging.stage(),
    discard: (stagedDir) => staging.discard(stagedDir),

    async prepare(sha256, stagedDir) {
      assertSha256(sha256);
      const staged = checkStaged(stagedDir);
      for (const path of await listFiles(staged)) await uploadFile(fileKey(sha256, path), join(staged, path));
    },

    async publish(sha256, stagedDir) {
      assertSha256(sha256);
      const staged = checkStaged(stagedDir);
      try {
        if (await store.exists(sha256)) return;
        const manifest: Manifest = { files: [] };
        for (const path of await listFiles(staged)) {
          const { size } = await stat(join(staged, path));
          // Uploaded by prepare (and still there: a delete may have run since): not again.
          if ((await sizeOf(fileKey(sha256, path))) !== size) await uploadFile(fileKey(sha256, path), join(staged, path));
          manifest.files.push({ path, sizeBytes: size });
        }
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: manifestKey(sha256),
            Body: JSON.stringify(manifest),
            ContentType: "application/json",
          }),
        );
      } finally {
        await staging.discard(staged);
      }
    },

    async get(sha256) {
      assertSha256(sha256);
      const cached = await cache.lookup(sha256);
      if (cached) return cached;
      let pending = inflight.get(sha256);
      if (!pending) {
        pending = (async () => {
          const manifest = await readManifest(sha256);
          if (!manifest) throw new ArtifactNotFoundError(sha256);
          return cache.fill(sha256, (tmp) => download(sha256, manifest, tmp));
        })().finally(() => inflight.delete(sha256));
        inflight.set(sha256, pending);
      }
      return pending;
    },

    async exists(sha256) {
      assertSha256(sha256);
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: manifestKey(sha256) }));
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    },

    async delete(sha256) {
      assertSha256(sha256);
      // The manifest first: from then on readers see no artifact, never a part of one.
      await deleteKeys([manifestKey(sha256)]);
      const files: string[] = [];
      for await (const { key } of keys(`${filesPrefix}${sha256.slice(0, 2)}/${sha256}/`)) files.push(key);
      await deleteKeys(files);
      await cache.remove(sha256);
    },

    async *list() {
      for await (const { key } of keys(manifestsPrefix)) {
        const name = key.slice(manifestsPrefix.length);
        const sha256 = name.slice(3, -".json".length);
        if (name.endsWith(".json") && isSha256(sha256) && name.startsWith(`${sha256.slice(0, 2)}/`)) yield sha256;
      }
    },

    async sweepStaging(maxAgeMs) {
      let removed = (await staging.sweepStaging(maxAgeMs)) + (await cache.sweep(maxAgeMs));
      // Files of publishes cut before their manifest: invisible to readers, removed once stale.
      const cutoff = Date.now() - maxAgeMs;
      const stale = new Map<string, string[]>();
      for await (const { key, lastModified } of keys(filesPrefix)) {
        const sha256 = key.slice(filesPrefix.length + 3).split("/", 1)[0]!;
        if (!isSha256(sha256) || !lastModified || lastModified.getTime() >= cutoff) continue;
        stale.set(sha256, [...(stale.get(sha256) ?? []), key]);
      }
      for (const [sha256, files] of stale) {
        if (await store.exists(sha256)) continue;
        await deleteKeys(files);
        removed++;
      }
      return removed;
    },
  };
  return store;
}

/** Files below `dir`, relative with forward slashes, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string) => {
    for (const e of await readdir(sub, { withFileTypes: true })) {
      const path = join(sub, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) out.push(relative(dir, path).split(sep).join("/"));
    }
  };
  await walk(dir);
  return out.sort();
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === "NoSuchKey" || err.name === "NotFound" || err.$metadata?.httpStatusCode === 404;
}
