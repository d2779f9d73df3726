import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ArtifactNotFoundError, createS3ArtifactStore, type S3ArtifactStore, type S3ArtifactStoreOptions } from "./index.ts";
import { artifactStoreSuite, sha } from "./artifact-store.suite.ts";
import { startTestS3Server, type TestS3Server } from "./s3-test-server.ts";

const BUCKET = "costgate-test";
let server: TestS3Server;
beforeAll(async () => {
  server = await startTestS3Server([BUCKET]);
});
afterAll(async () => {
  await server.close();
});

const opened: { store: S3ArtifactStore; dir: string }[] = [];
async function openStore(overrides: Partial<S3ArtifactStoreOptions> = {}): Promise<S3ArtifactStore> {
  const dir = await mkdtemp(join(tmpdir(), "costgate-s3-local-"));
  const store = createS3ArtifactStore({
    bucket: BUCKET,
    prefix: "p",
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: server.credentials,
    localDir: dir,
    cacheMaxBytes: 1024 * 1024 * 1024,
    ...overrides,
  });
  opened.push({ store, dir });
  return store;
}
afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

artifactStoreSuite("S3 store (s3rver)", async () => {
  const prefix = `suite-${randomBytes(6).toString("hex")}`;
  const store = await openStore({ prefix });
  return {
    store,
    stagingDir: join((opened.at(-1) as { dir: string }).dir, "staging"),
    second: () => openStore({ prefix }),
    cleanup: async () => undefined,
  };
});

describe("S3 store", () => {
  let prefix: string;
  let store: S3ArtifactStore;
  beforeEach(async () => {
    prefix = `s3-${randomBytes(6).toString("hex")}`;
    store = await openStore({ prefix });
  });

  const keysUnder = async (p: string) => {
    const res = await store.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: p }));
    return (res.Contents ?? []).map((o) => o.Key!).sort();
  };

  it("keeps files under <prefix>/objects/<sha[0:2]>/<sha>/ and the manifest under <prefix>/manifests/", async () => {
    const staged = await store.stage();
    await writeFile(join(staged, "model.json"), "{}");
    const key = sha("{}");
    await store.publish(key, staged);

    expect(await keysUnder(`${prefix}/`)).toEqual([
      `${prefix}/manifests/${key.slice(0, 2)}/${key}.json`,
      `${prefix}/objects/${key.slice(0, 2)}/${key}/model.json`,
    ]);
  });

  it("streams a file larger than a part as a multipart upload and reads back the same bytes", async () => {
    const bytes = randomBytes(11 * 1024 * 1024 + 17);
    const key = createHash("sha256").update(bytes).digest("hex");
    const staged = await store.stage();
    await writeFile(join(staged, "group1-shard1of1.bin"), bytes);

    await store.publish(key, staged);

    const copy = await readFile(join(await (await openStore({ prefix })).get(key), "group1-shard1of1.bin"));
    expect(copy.length).toBe(bytes.length);
    expect(copy.equals(bytes)).toBe(true);
  });

  it("shows no artifact whose upload was cut before its manifest, and sweeps its files once stale", async () => {
    const key = sha("half");
    await store.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/objects/${key.slice(0, 2)}/${key}/model.json`, Body: "{" }),
    );
    const whole = sha("whole");
    const staged = await store.stage();
    await writeFile(join(staged, "data.csv"), "whole");
    await store.publish(whole, staged);

    expect(await store.exists(key)).toBe(false);
    await expect(store.get(key)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    const listed: string[] = [];
    for await (const s of store.list()) listed.push(s);
    expect(listed).toEqual([whole]);

    expect(await store.sweepStaging(3600_000)).toBe(0); // not stale yet: a publish may be under way
    expect(await store.sweepStaging(0)).toBe(1);
    expect(await keysUnder(`${prefix}/objects/`)).toEqual([`${prefix}/objects/${whole.slice(0, 2)}/${whole}/data.csv`]);
  });

  it("publishes whole files although a delete removed the prepared ones meanwhile", async () => {
    const key = sha("prepared");
    const staged = await store.stage();
    await writeFile(join(staged, "data.csv"), "prepared");
    await store.prepare(key, staged);
    expect(await keysUnder(`${prefix}/objects/`)).toEqual([`${prefix}/objects/${key.slice(0, 2)}/${key}/data.csv`]);

    await store.delete(key); // a collector of the unreferenced object of an earlier upload
    await store.publish(key, staged);

    expect(await readFile(join(await (await openStore({ prefix })).get(key), "data.csv"), "utf8")).toBe("prepared");
  });

  it("keeps the local read cache within its size, least recently used out first", async () => {
    const small = await openStore({ prefix, cacheMaxBytes: 10, cacheInUseMs: 0 });
    const shas: string[] = [];
    for (const text of ["aaaaaa", "bbbbbb", "cccccc"]) {
      const staged = await store.stage();
      await writeFile(join(staged, "data.csv"), text);
      await store.publish(sha(text), staged);
      shas.push(sha(text));
    }
    const cacheDir = join((opened.at(-1) as { dir: string }).dir, "cache");
    const [a, b, c] = shas as [string, string, string];
    await small.get(a);
    const aDir = await small.get(a); // cached: same folder
    const old = new Date(Date.now() - 60_000);
    await utimes(aDir, old, old);
    await small.get(b); // 12 bytes > 10: a (least recently used) goes

    expect(await readdir(cacheDir)).toEqual([b]);
    await small.get(c);
    expect(await readdir(cacheDir)).toEqual([c]);
    expect(await readFile(join(await small.get(a), "data.csv"), "utf8")).toBe("aaaaaa"); // fetched again
  });

  it("does not evict a folder it handed out moments ago", async () => {
    const small = await openStore({ prefix, cacheMaxBytes: 1 });
    const staged = await store.stage();
    await writeFile(join(staged, "data.csv"), "in use");
    await store.publish(sha("in use"), staged);
    const dir = await small.get(sha("in use"));
    const other = await store.stage();
    await writeFile(join(other, "data.csv"), "other");
    await store.publish(sha("other"), other);
    await small.get(sha("other"));

    expect(await readFile(join(dir, "data.csv"), "utf8")).toBe("in use");
  });

  it("keeps stores of different prefixes apart in one bucket", async () => {
    const staged = await store.stage();
    await writeFile(join(staged, "data.csv"), "mine");
    await store.publish(sha("mine"), staged);
    const other = await openStore({ prefix: `${prefix}-other` });

    expect(await other.exists(sha("mine"))).toBe(false);
    const listed: string[] = [];
    for await (const s of other.list()) listed.push(s);
    expect(listed).toEqual([]);
  });

  it("is not ready when the bucket does not exist, and says so", async () => {
    const missing = await openStore({ bucket: "no-such-bucket" });
    await expect(missing.check()).rejects.toThrow(/s3:\/\/no-such-bucket\/p\/ at http:\/\/127\.0\.0\.1:\d+: the bucket does not exist/);
  });
});
