import { mkdtemp, mkdir, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArtifactNotFoundError, type ArtifactStore } from "./index.ts";

export const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** One store under test: fresh for each test, with its local staging folder. */
export interface StoreUnderTest {
  store: ArtifactStore;
  stagingDir: string;
  /** Another process's view of the same store (another machine: its own local folders). */
  second(): Promise<ArtifactStore>;
  cleanup(): Promise<void>;
}

/** The behaviour every ArtifactStore implementation shares; run once per implementation. */
export function artifactStoreSuite(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name}: the artifact store contract`, () => {
    let t: StoreUnderTest;
    let store: ArtifactStore;
    const staging = async () => readdir(t.stagingDir).catch(() => []);

    beforeEach(async () => {
      t = await open();
      store = t.store;
    });
    afterEach(async () => {
      await t.cleanup();
    });

    async function stageWith(files: Record<string, string>, into: ArtifactStore = store): Promise<string> {
      const dir = await into.stage();
      for (const [name, text] of Object.entries(files)) {
        await mkdir(join(dir, name, ".."), { recursive: true });
        await writeFile(join(dir, name), text);
      }
      return dir;
    }

    it("publishes a staged folder under its sha256 and gets back a local folder with the same files", async () => {
      const staged = await stageWith({ "model.json": "{}", "weights/a.bin": "abc" });
      const key = sha("{}abc");
      expect(await store.exists(key)).toBe(false);

      await store.publish(key, staged);

      const dir = await store.get(key);
      expect(await readFile(join(dir, "model.json"), "utf8")).toBe("{}");
      expect(await readFile(join(dir, "weights/a.bin"), "utf8")).toBe("abc");
      expect(await store.exists(key)).toBe(true);
      expect(await staging()).toEqual([]);
    });

    it("shows nothing prepared until it is published", async () => {
      const key = sha("{}abc");
      const staged = await stageWith({ "model.json": "{}", "weights/a.bin": "abc" });

      await store.prepare(key, staged);
      expect(await store.exists(key)).toBe(false);
      const listed: string[] = [];
      for await (const s of store.list()) listed.push(s);
      expect(listed).toEqual([]);

      await store.publish(key, staged);
      expect(await readFile(join(await (await t.second()).get(key), "weights/a.bin"), "utf8")).toBe("abc");
      expect(await staging()).toEqual([]);
    });

    it("lets another process read what one published", async () => {
      const key = sha("shared");
      await store.publish(key, await stageWith({ "data.csv": "x,label\n1,0\n" }));
      const other = await t.second();

      expect(await other.exists(key)).toBe(true);
      expect(await readFile(join(await other.get(key), "data.csv"), "utf8")).toBe("x,label\n1,0\n");
    });

    it("keeps the first copy when the address exists and discards the staged one", async () => {
      const key = sha("same");
      await store.publish(key, await stageWith({ "data.csv": "first" }));
      const second = await stageWith({ "data.csv": "second" });

      await store.publish(key, second);

      expect(await readFile(join(await store.get(key), "data.csv"), "utf8")).toBe("first");
      expect(await staging()).toEqual([]);
    });

    it("lets concurrent publishes of one sha all succeed, leaving one object and no staging", async () => {
      const key = sha("race");
      const staged = await Promise.all(Array.from({ length: 12 }, () => stageWith({ "data.csv": "race" })));

      await Promise.all(staged.map((dir) => store.publish(key, dir)));

      const listed: string[] = [];
      for await (const s of store.list()) listed.push(s);
      expect(listed).toEqual([key]);
      expect(await readFile(join(await store.get(key), "data.csv"), "utf8")).toBe("race");
      expect(await staging()).toEqual([]);
    });

    it("deletes an object, and deleting a missing one is not an error", async () => {
      const key = sha("gone");
      await store.publish(key, await stageWith({ "data.csv": "gone" }));
      await store.get(key);

      await store.delete(key);
      await store.delete(key);

      expect(await store.exists(key)).toBe(false);
      await expect(store.get(key)).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await expect((await t.second()).get(key)).rejects.toBeInstanceOf(ArtifactNotFoundError);
      expect(await staging()).toEqual([]);
    });

    it("says which artifact is missing", async () => {
      await expect(store.get(sha("never"))).rejects.toThrow(`artifact ${sha("never")} is not in the artifact store`);
    });

    it("discards a staging folder", async () => {
      const staged = await stageWith({ "x.bin": "x" });
      await store.discard(staged);
      expect(await staging()).toEqual([]);
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
        await expect(store.discard(join(t.stagingDir, "..", "objects"))).rejects.toThrow(/not a staging folder/);
        await expect(store.publish(sha("x"), outside)).rejects.toThrow(/not a staging folder/);
        await expect(store.prepare(sha("x"), outside)).rejects.toThrow(/not a staging folder/);
        expect(await readdir(outside)).toEqual([]);
        expect(await store.exists(sha("x"))).toBe(false);
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
      expect(await staging()).toEqual([fresh.split("/").pop()]);
    });

    it("lists every published object's sha256 and nothing staged or deleted", async () => {
      const shas = ["a".repeat(64), "ab" + "c".repeat(62), "0".repeat(64)];
      for (const s of shas) {
        const staged = await store.stage();
        await writeFile(join(staged, "f"), s);
        await store.publish(s, staged);
      }
      await store.stage(); // staged but never published
      await store.delete(shas[0]!);
      const listed: string[] = [];
      for await (const s of store.list()) listed.push(s);
      expect(listed.sort()).toEqual([shas[2], shas[1]].sort());
    });

    it("is ready when usable", async () => {
      await expect(store.check()).resolves.toBeUndefined();
    });
  });
}
