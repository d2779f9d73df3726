import { mkdtemp, mkdir, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArtifactNotFoundError, createFsArtifactStore, type FsArtifactStore } from "./index.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

let root: string;
let store: FsArtifactStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "costgate-artifacts-"));
  store = createFsArtifactStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function stageWith(files: Record<string, string>): Promise<string> {
  const dir = await store.stage();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe("fs artifact store", () => {
  it("stages under <root>/staging and publishes to <root>/objects/<sha[0:2]>/<sha>", async () => {
    const staged = await stageWith({ "model.json": "{}", "weights/a.bin": "abc" });
    expect(staged.startsWith(join(root, "staging") + "/")).toBe(true);
    const key = sha("{}abc");

    await store.publish(key, staged);

    const dir = await store.get(key);
    expect(dir).toBe(join(root, "objects", key.slice(0, 2), key));
    expect(await readFile(join(dir, "model.json"), "utf8")).toBe("{}");
    expect(await readFile(join(dir, "weights/a.bin"), "utf8")).toBe("abc");
    expect(await store.exists(key)).toBe(true);
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });

  it("keeps the first copy when the address exists and discards the staged one", async () => {
    const key = sha("same");
    await store.publish(key, await stageWith({ "data.csv": "first" }));
    const second = await stageWith({ "data.csv": "second" });

    await store.publish(key, second);

    expect(await readFile(join(await store.get(key), "data.csv"), "utf8")).toBe("first");
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });

  it("lets concurrent publishes of one sha all succeed, leaving one object and no staging", async () => {
    const key = sha("race");
    const staged = await Promise.all(Array.from({ length: 12 }, () => stageWith({ "data.csv": "race" })));

    await Promise.all(staged.map((dir) => store.publish(key, dir)));

    expect(await readdir(join(root, "objects", key.slice(0, 2)))).toEqual([key]);
    expect(await readFile(join(await store.get(key), "data.csv"), "utf8")).toBe("race");
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });

  it("deletes an object, and deleting a missing one is not an error", async () => {
    const key = sha("gone");
    await store.publish(key, await stageWith({ "data.csv": "gone" }));

    await store.delete(key);
    await store.delete(key);

    expect(await store.exists(key)).toBe(false);
    await expect(store.get(key)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });

  it("discards a staging folder", async () => {
    const staged = await stageWith({ "x.bin": "x" });
    await store.discard(staged);
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });

  it("refuses anything but 64 lowercase hex characters as a sha256", async () => {
    for (const bad of ["../../etc", "a".repeat(63), "A".repeat(64), `${"a".repeat(62)}/.`, `${"a".repeat(64)}\0`]) {
      await expect(store.exists(bad)).rejects.toThrow(/not a sha256/);
      await expect(store.get(bad)).rejects.toThrow(/not a sha256/);
      await expect(store.delete(bad)).rejects.toThrow(/not a sha256/);
      await expect(store.publish(bad, await store.stage())).rejects.toThrow(/not a sha256/);
    }
  });

  it("refuses to publish or discard a folder it did not hand out", async () => {
    const outside = await mkdtemp(join(tmpdir(), "costgate-outside-"));
    try {
      await expect(store.discard(outside)).rejects.toThrow(/not a staging folder/);
      await expect(store.discard(join(root, "staging", "..", "objects"))).rejects.toThrow(/not a staging folder/);
      await expect(store.publish(sha("x"), outside)).rejects.toThrow(/not a staging folder/);
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("sweeps staging folders left behind by a crash", async () => {
    const old = await stageWith({ "a.bin": "a" });
    const fresh = await stageWith({ "b.bin": "b" });
    const longAgo = new Date(Date.now() - 3 * 3600_000);
    await utimes(old, longAgo, longAgo);

    expect(await store.sweepStaging(3600_000)).toBe(1);
    expect(await readdir(join(root, "staging"))).toEqual([fresh.split("/").pop()]);
  });
});

describe("list", () => {
  it("yields every published object's sha256 and nothing staged or deleted", async () => {
    const root = await mkdtemp(join(tmpdir(), "costgate-store-list-"));
    try {
      const store = createFsArtifactStore(root);
      const shas = ["a".repeat(64), "ab" + "c".repeat(62), "0".repeat(64)];
      for (const sha of shas) {
        const staged = await store.stage();
        await writeFile(join(staged, "f"), sha);
        await store.publish(sha, staged);
      }
      await store.stage(); // staged but never published
      await store.delete(shas[0]!);
      const listed: string[] = [];
      for await (const sha of store.list()) listed.push(sha);
      expect(listed.sort()).toEqual([shas[2], shas[1]].sort());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
