import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, ErrorCode, type Principal } from "@costgate/core";
import { createDb, createTestDatabase, type Db, type TestDatabase } from "@costgate/db";
import { createFsArtifactStore, type FsArtifactStore } from "@costgate/artifacts";
import { solidImage, tarOf, zipOf } from "@costgate/testkit";
import { createUploadsRouter } from "./uploads-route.ts";

let testDb: TestDatabase;
let db: Db;
let root: string;
let store: FsArtifactStore;
let server: Server;
let url: string;
let token: string;

const KiB = 1024;
const LIMITS = {
  maxFiles: 4,
  maxFileBytes: 64 * 1024 * KiB,
  maxTotalBytes: 128 * 1024 * KiB,
  maxArchiveFiles: 12,
  maxExpandedBytes: 3 * 1024 * KiB,
  maxArchiveFileBytes: 2 * 1024 * KiB,
  maxCompressionRatio: 100,
  maxImagePixels: 1_000_000,
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDb(testDb.url, { maxConnections: 5 });
  root = await mkdtemp(join(tmpdir(), "costgate-image-uploads-"));
  store = createFsArtifactStore(root);
  const team = await db.team.create({ data: { name: "Vision", slug: "vision" } });
  const user = await db.user.create({
    data: { email: "ml@example.com", name: "ML", passwordHash: "x", role: "ML_ENGINEER", teamId: team.id },
  });
  token = user.id;
  const app = express();
  app.use(
    createUploadsRouter({
      db,
      store,
      limits: LIMITS,
      logger: { info() {}, warn() {}, error() {} },
      async authenticate(req): Promise<Principal> {
        const u = await db.user.findUnique({ where: { id: (req.headers.authorization ?? "").slice(7) } });
        if (!u) throw new AppError(ErrorCode.UNAUTHENTICATED, "no");
        return { kind: "user", id: u.id, role: u.role, teamId: u.teamId, actor: `user:${u.id}` };
      },
    }),
  );
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await db?.$disconnect();
  await testDb?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

async function upload(bytes: Buffer, filename: string) {
  const form = new FormData();
  form.append("kind", "dataset");
  form.append("file", new Blob([bytes]), filename);
  const res = await fetch(`${url}/uploads`, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/** A refused upload: 400 with the message, and no object, no staging folder, no artifact row left. */
async function expectRefused(bytes: Buffer, filename: string, message: string | RegExp) {
  const objects = await listTree(join(root, "objects"));
  const rows = await db.artifact.count();
  const res = await upload(bytes, filename);
  expect(res.body).toEqual({
    error: { code: "BAD_USER_INPUT", message: typeof message === "string" ? message : expect.stringMatching(message) },
  });
  expect(res.status).toBe(400);
  expect(await listTree(join(root, "objects"))).toEqual(objects);
  expect(await readdir(join(root, "staging")).catch(() => [])).toEqual([]);
  expect(await db.artifact.count()).toBe(rows);
}

const small = { width: 20, height: 16 };
let red: Buffer;
let green: Buffer;
let blueJpeg: Buffer;
let whiteWebp: Buffer;
beforeAll(async () => {
  [red, green, blueJpeg, whiteWebp] = await Promise.all([
    solidImage([255, 0, 0], small),
    solidImage([0, 255, 0], small),
    solidImage([0, 0, 255], { width: 32, height: 24 }, "jpeg"),
    solidImage([255, 255, 255], small, "webp"),
  ]);
});

describe("POST /uploads: image archives accepted", () => {
  it("label folders in a zip, wrapped in one folder: metadata with layout, labels and counts, sizes", async () => {
    const zip = await zipOf({
      "shapes/": { directory: true },
      "shapes/red/a.png": red,
      "shapes/red/b.png": red,
      "shapes/green/c.png": green,
      "shapes/blue/d.jpg": blueJpeg,
      "__MACOSX/shapes/._a.png": Buffer.from("litter"),
    });
    const res = await upload(zip, "shapes.zip");
    expect(res.status).toBe(201);
    const artifact = await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } });
    expect(artifact.kind).toBe("DATASET");
    expect(artifact.files).toEqual([expect.objectContaining({ path: "images.zip", sizeBytes: zip.length })]);
    expect(artifact.metadata).toEqual({
      format: "images",
      archive: "zip",
      layout: "label-folders",
      images: 4,
      labels: [
        { name: "blue", count: 1 },
        { name: "green", count: 1 },
        { name: "red", count: 2 },
      ],
      width: { min: 20, median: 20, max: 32 },
      height: { min: 16, median: 16, max: 24 },
      types: { png: 3, jpeg: 1 },
      originalFilename: "shapes.zip",
    });
  });

  it("a zip of stored (uncompressed) entries, as zip tools write PNGs", async () => {
    const res = await upload(await zipOf({ "red/a.png": red, "green/b.png": green }, { store: true }), "stored.zip");
    expect(res.status).toBe(201);
    const meta = (await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } })).metadata;
    expect(meta).toMatchObject({ layout: "label-folders", images: 2 });
  });

  it("a tar.gz with labels.csv, and an unlabeled tar", async () => {
    const tgz = await tarOf(
      { "a.png": red, "b.webp": whiteWebp, "labels.csv": Buffer.from("file,label\na.png,0\nb.webp,1\n") },
      { gzip: true },
    );
    const res = await upload(tgz, "data.tar.gz");
    expect(res.status).toBe(201);
    const meta = (await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } })).metadata;
    expect(meta).toMatchObject({ archive: "tar.gz", layout: "labels-csv", images: 2, types: { png: 1, webp: 1 } });
    const flat = await upload(await tarOf({ "a.png": red, "b.png": green }), "inputs.tar");
    expect(flat.status).toBe(201);
    const flatMeta = (await db.artifact.findUniqueOrThrow({ where: { id: flat.body.artifactId } })).metadata;
    expect(flatMeta).toMatchObject({ archive: "tar", layout: "unlabeled", images: 2, labels: null });
  });
});

describe("POST /uploads: image archives refused, leaving nothing behind", () => {
  it("a truncated PNG", async () => {
    await expectRefused(
      await zipOf({ "red/a.png": red, "red/b.png": red.subarray(0, red.length - 20) }),
      "x.zip",
      /^red\/b\.png is a truncated or corrupt PNG image \(/,
    );
  });
  it("a truncated JPEG (libjpeg would fill the rest grey and only warn)", async () => {
    // Cut inside the entropy-coded scan (the header still reads), and cut just before the EOI marker.
    for (const keep of [Math.floor(blueJpeg.length * 0.8), blueJpeg.length - 2]) {
      await expectRefused(
        await zipOf({ "blue/a.jpg": blueJpeg, "blue/b.jpg": blueJpeg.subarray(0, keep) }),
        "x.zip",
        // libvips' reason when it gives one (its message buffer is one for the process: overlapping
        // decodes can lose it), never its "Unknown error".
        /^blue\/b\.jpg is a truncated or corrupt JPEG image( \(.*premature end of JPEG.*\))?$/,
      );
    }
  });
  it("a text file, saying what it is", async () => {
    await expectRefused(
      await zipOf({ "red/a.png": red, "red/notes.txt": Buffer.from("hello") }),
      "x.zip",
      "red/notes.txt is not an image (JPEG, PNG or WebP): it is text",
    );
  });
  it("a path leaving the archive, and an absolute one", async () => {
    await expectRefused(
      await tarOf({ "red/a.png": red, "../evil.png": red }),
      "x.tar",
      'archive entry "../evil.png" is not allowed: it contains ".." (no path may lead outside the archive)',
    );
    // zip writers refuse absolute names: write "_abs.png" and make it "/abs.png" in the bytes.
    const zip = await zipOf({ "_abs.png": red });
    const absolute = Buffer.from(zip.toString("latin1").replaceAll("_abs.png", "/abs.png"), "latin1");
    await expectRefused(absolute, "x.zip", /"\/abs\.png" is not allowed: it is an absolute path/);
  });
  it("a symbolic link in a tar and in a zip, a hard link in a tar", async () => {
    await expectRefused(
      await tarOf({ "red/a.png": red, "red/b.png": { symlink: "/etc/passwd" } }),
      "x.tar",
      "red/b.png is a symbolic link; an image archive may hold only files and folders",
    );
    await expectRefused(
      await zipOf({ "red/a.png": red, "red/b.png": { symlink: "a.png" } }),
      "x.zip",
      /red\/b\.png is a symbolic link/,
    );
    await expectRefused(
      await tarOf({ "red/a.png": red, "red/c.png": { hardlink: "red/a.png" } }),
      "x.tar",
      /red\/c\.png is a hard link/,
    );
  });
  it("an archive inside the archive, by name or by its bytes", async () => {
    const inner = await zipOf({ "a.png": red });
    await expectRefused(
      await zipOf({ "red/a.png": red, "red/more.zip": inner }),
      "x.zip",
      /^red\/more\.zip is an archive inside the archive/,
    );
    await expectRefused(
      await zipOf({ "red/a.png": red, "red/more.png": inner }),
      "x.zip",
      /^red\/more\.png is an archive inside the archive/,
    );
  });
  it("a zip bomb: a highly compressible entry, and a tar.gz that expands too far", async () => {
    const zeros = Buffer.alloc(1536 * KiB);
    await expectRefused(
      await zipOf({ "red/a.png": red, "red/b.png": zeros }),
      "x.zip",
      /^red\/b\.png expands \d+ times .*looks like a zip bomb/,
    );
    await expectRefused(
      await tarOf({ "red/a.png": red, "red/b.png": zeros }, { gzip: true }),
      "x.tar.gz",
      /^the archive expands \d+ times .*zip bomb/,
    );
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`red/${i}.png`, Buffer.alloc(900 * KiB, i)]));
    await expectRefused(
      await zipOf(many, { store: true }),
      "x.zip",
      "the archive expands to more than 3145728 bytes, the limit for an image dataset",
    );
  });
  it("a zip whose entries lie about their size: the inflated bytes are counted", async () => {
    const zip = await zipOf({ "red/a.png": red, "red/b.png": Buffer.alloc(200 * KiB, 7) });
    // Rewrite b.png's declared uncompressed size (local header and central directory) to 10 bytes.
    const forged = Buffer.from(zip);
    for (const sig of [0x04034b50, 0x02014b50]) {
      const offset = sig === 0x04034b50 ? 22 : 24;
      for (let i = 0; i + 4 < forged.length; i++) {
        if (forged.readUInt32LE(i) !== sig) continue;
        const nameLength = forged.readUInt16LE(i + (sig === 0x04034b50 ? 26 : 28));
        const nameAt = i + (sig === 0x04034b50 ? 30 : 46);
        if (forged.toString("utf8", nameAt, nameAt + nameLength) === "red/b.png") forged.writeUInt32LE(10, i + offset);
      }
    }
    await expectRefused(forged, "x.zip", /^the zip archive is corrupt or truncated \(.*(too many bytes|size)/i);
  });
  it("too many files", async () => {
    const files = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`red/${i}.png`, red]));
    await expectRefused(
      await zipOf(files),
      "x.zip",
      "the archive holds more than 12 files, the most an image dataset may have",
    );
  });
  it("an empty class folder", async () => {
    await expectRefused(
      await zipOf({ "red/a.png": red, "green/": { directory: true } }),
      "x.zip",
      "class folder green/ is empty; every label folder needs at least one image",
    );
  });
  it("mixed layouts: loose images beside label folders, labels.csv beside folders", async () => {
    await expectRefused(
      await zipOf({ "red/a.png": red, "b.png": green }),
      "x.zip",
      /^the archive mixes two layouts: images at the top level \(b\.png\)/,
    );
    await expectRefused(
      await zipOf({ "labels.csv": Buffer.from("file,label\na.png,0\n"), "a.png": red, "red/b.png": red }),
      "x.zip",
      /^the archive mixes two layouts: a labels\.csv and folders \(red\/\)/,
    );
  });
  it("labels.csv naming a missing file, missing a file, naming one twice; a PNG named labels.csv", async () => {
    const csv = (text: string) => Buffer.from(text);
    await expectRefused(
      await zipOf({ "a.png": red, "labels.csv": csv("file,label\na.png,0\nb.png,1\n") }),
      "x.zip",
      "labels.csv line 3 names b.png, which is not an image of the archive (images sit beside labels.csv)",
    );
    await expectRefused(
      await zipOf({ "a.png": red, "b.png": green, "labels.csv": csv("file,label\na.png,0\n") }),
      "x.zip",
      "b.png is in the archive but not in labels.csv: every image needs a row file,label",
    );
    await expectRefused(
      await zipOf({ "a.png": red, "labels.csv": csv("file,label\na.png,0\na.png,1\n") }),
      "x.zip",
      "labels.csv line 3: a.png is listed twice (first on line 2)",
    );
    await expectRefused(
      await zipOf({ "a.png": red, "labels.csv": red }),
      "x.zip",
      /^labels\.csv is a PNG image, not a CSV/,
    );
  });
  it("duplicate names", async () => {
    const twice = await zipOf([
      ["red/a.png", red],
      ["red/a.png", green],
    ]);
    await expectRefused(twice, "x.zip", "red/a.png is in the archive twice; every name must be unique");
  });
  it("an image of absurd dimensions, before it is decoded", async () => {
    const huge = await solidImage([1, 2, 3], { width: 2000, height: 1000 });
    await expectRefused(
      await zipOf({ "red/a.png": red, "red/huge.png": huge }),
      "x.zip",
      /^red\/huge\.png is 2000x1000 pixels, over the limit of 1000000 pixels/,
    );
  });
  it("a truncated zip", async () => {
    const zip = await zipOf({ "red/a.png": red, "red/b.png": green });
    await expectRefused(zip.subarray(0, zip.length - 30), "x.zip", /^the zip archive is corrupt or truncated/);
  });
  it("a PNG, a JPEG or a zip where a CSV is expected says what it is, not a CSV header error", async () => {
    await expectRefused(red, "train.csv", /^train\.csv is a PNG image, not a CSV: /);
    await expectRefused(blueJpeg, "train.csv", /^train\.csv is a JPEG image, not a CSV: /);
    await expectRefused(await zipOf({ "a.png": red }), "train.csv", /^train\.csv is a zip archive, not a CSV: /);
    await expectRefused(
      red,
      "cat.png",
      /^cat\.png is a PNG image, not a CSV or an image archive: .*\(put the images in an archive\)$/,
    );
  });
  it("a PDF, a JSON file or a web page where a CSV is expected says what it is", async () => {
    await expectRefused(
      Buffer.from("%PDF-1.7\n%\xe2\xe3\n1 0 obj\n"),
      "train.csv",
      /^train\.csv is a PDF document, not a CSV: /,
    );
    await expectRefused(Buffer.from('  [{"x": 1, "label": 0}]\n'), "train.csv", /^train\.csv is JSON, not a CSV: /);
    await expectRefused(
      Buffer.from('\ufeff{"rows": []}'),
      "rows.json",
      /^rows\.json is JSON, not a CSV or an image archive: /,
    );
    await expectRefused(
      Buffer.from("<!DOCTYPE html>\n<html><body>Sign in</body></html>"),
      "train.csv",
      /^train\.csv is an HTML page, not a CSV: /,
    );
  });
});
