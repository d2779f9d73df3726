import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFsArtifactStore, type FsArtifactStore } from "./index.ts";
import { artifactStoreSuite, sha } from "./artifact-store.suite.ts";

artifactStoreSuite("filesystem store", async () => {
  const root = await mkdtemp(join(tmpdir(), "costgate-artifacts-"));
  return {
    store: createFsArtifactStore(root),
    stagingDir: join(root, "staging"),
    second: async () => createFsArtifactStore(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe("filesystem store layout", () => {
  let root: string;
  let store: FsArtifactStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "costgate-artifacts-"));
    store = createFsArtifactStore(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("stages under <root>/staging and publishes to <root>/objects/<sha[0:2]>/<sha>", async () => {
    const staged = await store.stage();
    expect(staged.startsWith(join(root, "staging") + "/")).toBe(true);
    await writeFile(join(staged, "data.csv"), "abc");
    const key = sha("abc");

    await store.publish(key, staged);

    expect(await store.get(key)).toBe(join(root, "objects", key.slice(0, 2), key));
    expect(await readdir(join(root, "objects", key.slice(0, 2)))).toEqual([key]);
    expect(await readFile(join(root, "objects", key.slice(0, 2), key, "data.csv"), "utf8")).toBe("abc");
  });

  it("is not ready when its folder is missing", async () => {
    await expect(createFsArtifactStore(join(root, "missing")).check()).rejects.toThrow(/does not exist/);
  });
});
