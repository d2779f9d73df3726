import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactDigest, modelFileOrder, sha256File } from "./index.ts";

const hex = (...parts: (string | Buffer)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "costgate-digest-"));
  await writeFile(join(dir, "model.json"), '{"a":1}');
  await writeFile(join(dir, "group1-shard1of2.bin"), Buffer.from([1, 2, 3]));
  await writeFile(join(dir, "group1-shard2of2.bin"), Buffer.alloc(200_000, 7));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("digest rule", () => {
  it("sha256File hashes a file's bytes", async () => {
    expect(await sha256File(join(dir, "model.json"))).toBe(hex('{"a":1}'));
  });

  it("artifactDigest hashes the files concatenated in the order given, and sums their sizes", async () => {
    const files = ["model.json", "group1-shard1of2.bin", "group1-shard2of2.bin"];
    const d = await artifactDigest(dir, files);
    expect(d.sha256).toBe(hex('{"a":1}', Buffer.from([1, 2, 3]), Buffer.alloc(200_000, 7)));
    expect(d.sizeBytes).toBe(7 + 3 + 200_000);
    expect(d.files).toEqual([
      { path: "model.json", sizeBytes: 7, sha256: hex('{"a":1}') },
      { path: "group1-shard1of2.bin", sizeBytes: 3, sha256: hex(Buffer.from([1, 2, 3])) },
      { path: "group1-shard2of2.bin", sizeBytes: 200_000, sha256: hex(Buffer.alloc(200_000, 7)) },
    ]);
  });

  it("order matters", async () => {
    const a = await artifactDigest(dir, ["model.json", "group1-shard1of2.bin"]);
    const b = await artifactDigest(dir, ["group1-shard1of2.bin", "model.json"]);
    expect(a.sha256).not.toBe(b.sha256);
  });

  it("modelFileOrder is model.json then the manifest's paths in order, without a leading ./", () => {
    expect(
      modelFileOrder({
        weightsManifest: [{ paths: ["./group1-shard1of2.bin", "group1-shard2of2.bin"] }, { paths: ["group2-shard1of1.bin"] }],
      }),
    ).toEqual(["model.json", "group1-shard1of2.bin", "group1-shard2of2.bin", "group2-shard1of1.bin"]);
  });
});
