import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, ErrorCode, type Principal, type Role } from "@costgate/core";
import { createDb, createTestDatabase, type Db, type TestDatabase } from "@costgate/db";
import { createFsArtifactStore, type FsArtifactStore } from "@costgate/artifacts";
import { createUploadsRouter, type UploadDeps } from "./uploads-route.ts";
import type { UploadLimits } from "./upload-limits.ts";

const fixtures = join(import.meta.dirname, "../../test/fixtures");
const fixture = (path: string) => readFile(join(fixtures, path));

let testDb: TestDatabase;
let db: Db;
let root: string;
let store: FsArtifactStore;
const servers: Server[] = [];
let baseUrl: string;
let smallLimitsUrl: string;
const tokens = {} as Record<Role | "BROKEN_DB", string>;

/** The Authorization header carries a User id; the principal is that real row's role and team. */
async function authenticate(req: express.Request): Promise<Principal> {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
  if (!m) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <token or API key>");
  const user = await db.user.findUnique({ where: { id: m[1]! } });
  if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, "Bearer token is not valid");
  return { kind: "user", id: user.id, role: user.role, teamId: user.teamId, actor: `user:${user.id}` };
}

async function serve(limits: UploadLimits): Promise<string> {
  const app = express();
  const deps: UploadDeps = { db, store, limits, authenticate, logger: { info() {}, warn() {}, error() {} } };
  app.use(createUploadsRouter(deps));
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDb(testDb.url, { maxConnections: 5 });
  root = await mkdtemp(join(tmpdir(), "costgate-uploads-"));
  store = createFsArtifactStore(root);
  const team = await db.team.create({ data: { name: "Vision", slug: "vision" } });
  for (const role of ["ADMIN", "ML_ENGINEER", "FINANCE", "VIEWER"] as const) {
    const user = await db.user.create({
      data: { email: `${role.toLowerCase()}@example.com`, name: role, passwordHash: "x", role, teamId: team.id },
    });
    tokens[role] = user.id;
  }
  // A user whose audit rows the database refuses: a real failure after the object is published.
  const broken = await db.user.create({
    data: { email: "broken@example.com", name: "Broken", passwordHash: "x", role: "ML_ENGINEER", teamId: team.id },
  });
  tokens.BROKEN_DB = broken.id;
  await db.$executeRawUnsafe(`
    CREATE FUNCTION refuse_broken_audit() RETURNS trigger AS $$
    BEGIN
      IF NEW.actor = 'user:${broken.id}' THEN RAISE EXCEPTION 'audit write refused for the test'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.$executeRawUnsafe(
    `CREATE TRIGGER refuse_broken_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_broken_audit()`,
  );

  baseUrl = await serve({ maxFiles: 64, maxFileBytes: 512 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024 });
  smallLimitsUrl = await serve({ maxFiles: 3, maxFileBytes: 1024, maxTotalBytes: 2048 });
});

afterAll(async () => {
  for (const s of servers) s.close();
  await db?.$disconnect();
  await testDb?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

type Part = [name: string, content: string | Buffer, filename?: string];

async function upload(parts: Part[], opts: { token?: string | null; url?: string } = {}) {
  const form = new FormData();
  for (const [name, content, filename] of parts) {
    if (filename === undefined) form.append(name, content as string);
    else form.append(name, new Blob([content]), filename);
  }
  const token = opts.token === undefined ? tokens.ML_ENGINEER : opts.token;
  const res = await fetch(`${opts.url ?? baseUrl}/uploads`, {
    method: "POST",
    body: form,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function modelParts(variant: string, order?: string[]): Promise<Part[]> {
  const dir = `tiny-mlp/${variant}`;
  const json = JSON.parse((await fixture(`${dir}/model.json`)).toString()) as {
    weightsManifest: { paths: string[] }[];
  };
  const names = order ?? ["model.json", ...json.weightsManifest.flatMap((g) => g.paths)];
  return Promise.all(names.map(async (n) => ["file", await fixture(`${dir}/${n}`), n] as Part));
}

/** The digest rule computed here independently: sha256 over the files' bytes in canonical order. */
async function expectedDigest(dir: string, files: string[]) {
  const h = createHash("sha256");
  let size = 0;
  for (const f of files) {
    const bytes = await fixture(`${dir}/${f}`);
    h.update(bytes);
    size += bytes.length;
  }
  return { sha256: h.digest("hex"), sizeBytes: size };
}

async function listTree(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

/** Runs a refused upload and checks it left nothing: no new object, empty staging, no new row. */
async function expectRefusedLeavingNothing(
  run: () => Promise<{ status: number; body: Record<string, any> }>,
  status: number,
  code: string,
  message: RegExp,
) {
  const objectsBefore = await listTree(join(root, "objects"));
  const artifactsBefore = await db.artifact.count();
  const auditBefore = await db.auditEvent.count();
  const res = await run();
  expect(res.body).toEqual({ error: { code, message: expect.stringMatching(message) } });
  expect(res.status).toBe(status);
  expect(await listTree(join(root, "objects"))).toEqual(objectsBefore);
  expect(await readdir(join(root, "staging")).catch(() => [])).toEqual([]);
  expect(await db.artifact.count()).toBe(artifactsBefore);
  expect(await db.auditEvent.count()).toBe(auditBefore);
}

describe("POST /uploads: accepted", () => {
  it("takes a 150,528-column CSV (a 224x224x3 image a row): the line limit follows the number of columns", async () => {
    const width = 224 * 224 * 3;
    const header = [...Array.from({ length: width }, (_, i) => `x${i}`), "label"].join(",");
    const row = (r: number) => `${Array(width).fill("0.123456").join(",")},${r}`;
    const text = `${header}\n${row(0)}\n${row(1)}\n`;
    expect(header.length).toBeGreaterThan(1024 * 1024); // over the old fixed 1 MiB line limit
    const res = await upload([["file", Buffer.from(text), "images.csv"]]);
    expect(res.status).toBe(201);
    const artifact = await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } });
    expect(artifact.metadata).toMatchObject({ rows: 2, labelColumn: "label" });
    expect((artifact.metadata as { featureColumns: string[] }).featureColumns).toHaveLength(width);
  }, 120_000);

  it("stores a model saved by TensorFlow.js under the sha256 of its files, and reuses it on a second upload", async () => {
    const want = await expectedDigest("tiny-mlp/float32", ["model.json", "group1-shard1of1.bin"]);

    const first = await upload([["kind", "model"], ...(await modelParts("float32"))]);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ artifactId: expect.any(String), kind: "TFJS_LAYERS_MODEL", ...want });

    const row = await db.artifact.findUniqueOrThrow({ where: { id: first.body.artifactId } });
    expect(row).toMatchObject({
      kind: "TFJS_LAYERS_MODEL",
      sha256: want.sha256,
      sizeBytes: want.sizeBytes,
      createdBy: `user:${tokens.ML_ENGINEER}`,
    });
    expect(row.teamId).not.toBeNull();
    expect(row.files).toEqual([
      {
        path: "model.json",
        sizeBytes: 1421,
        sha256: createHash("sha256")
          .update(await fixture("tiny-mlp/float32/model.json"))
          .digest("hex"),
      },
      {
        path: "group1-shard1of1.bin",
        sizeBytes: 268,
        sha256: createHash("sha256")
          .update(await fixture("tiny-mlp/float32/group1-shard1of1.bin"))
          .digest("hex"),
      },
    ]);
    expect(row.metadata).toMatchObject({ format: "layers-model", parameterCount: 67, weightBytes: 268 });
    const dir = await store.get(want.sha256);
    expect(dir).toBe(join(root, "objects", want.sha256.slice(0, 2), want.sha256));
    expect(await readFile(join(dir, "group1-shard1of1.bin"))).toEqual(
      await fixture("tiny-mlp/float32/group1-shard1of1.bin"),
    );
    const audit = await db.auditEvent.findMany({ where: { entityType: "Artifact", entityId: row.id } });
    expect(audit).toMatchObject([
      { actor: `user:${tokens.ML_ENGINEER}`, action: "artifact.upload", after: { sha256: want.sha256, reused: false } },
    ]);

    // Same bytes again, without a kind field (model.json says it is a model): 200, same artifact.
    const second = await upload(await modelParts("float32"), { token: tokens.ADMIN });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await db.artifact.count({ where: { sha256: want.sha256 } })).toBe(1);
    expect(await db.auditEvent.count({ where: { entityId: row.id, action: "artifact.upload" } })).toBe(2);
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });

  it("gives a two-shard model the digest of its files in manifest order, whatever order they were sent in", async () => {
    const files = ["model.json", "group1-shard1of2.bin", "group1-shard2of2.bin"];
    const want = await expectedDigest("tiny-mlp/two-shards", files);
    const res = await upload(await modelParts("two-shards", [...files].reverse()));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(want);
    const row = await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } });
    expect((row.files as { path: string }[]).map((f) => f.path)).toEqual(files);
  });

  it("accepts a uint8-quantized model and records the stored dtypes", async () => {
    const res = await upload([["kind", "model"], ...(await modelParts("uint8"))]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(await expectedDigest("tiny-mlp/uint8", ["model.json", "group1-shard1of1.bin"]));
    const row = await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } });
    expect(row.metadata).toMatchObject({
      weightBytes: 67,
      weights: Array(4).fill(expect.objectContaining({ dtype: "float32", storedDtype: "uint8" })),
    });
  });

  it("stores a dataset CSV as data.csv with its row count; its sha256 is the file's", async () => {
    const csv = await fixture("datasets/tiny.csv");
    const res = await upload([
      ["kind", "dataset"],
      ["file", csv, "tiny.csv"],
    ]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      artifactId: expect.any(String),
      kind: "DATASET",
      sizeBytes: csv.length,
      sha256: createHash("sha256").update(csv).digest("hex"),
    });
    const row = await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } });
    expect(row.metadata).toEqual({
      rows: 30,
      columns: ["f1", "f2", "f3", "f4", "label"],
      featureColumns: ["f1", "f2", "f3", "f4"],
      labelColumn: "label",
      labelValues: ["0", "1", "2"],
      originalFilename: "tiny.csv",
    });
    expect(await readdir(await store.get(res.body.sha256))).toEqual(["data.csv"]);
  });

  it("accepts a CSV whose label column is written Label, as the worker's loader reads it", async () => {
    const res = await upload([["file", "a,b,Label\n1,2,0\n3,4,1\n", "cased.csv"]]);
    expect(res.status).toBe(201);
    const row = await db.artifact.findUniqueOrThrow({ where: { id: res.body.artifactId } });
    expect(row.metadata).toMatchObject({ rows: 2, featureColumns: ["a", "b"], labelColumn: "Label" });
  });

  it("gives another team its own artifact for the same bytes, sharing the one stored object", async () => {
    const csv = Buffer.from("a,b,label\n1,2,0\n3,4,1\n");
    const mine = await upload([["file", csv, "shared.csv"]], { token: tokens.ML_ENGINEER });
    const other = await db.team.create({ data: { name: "Other", slug: "other-team" } });
    const outsider = await db.user.create({
      data: { email: "outsider@example.com", name: "O", passwordHash: "x", role: "ML_ENGINEER", teamId: other.id },
    });
    const theirs = await upload([["file", csv, "shared.csv"]], { token: outsider.id });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.artifactId).not.toBe(mine.body.artifactId);
    expect(theirs.body.sha256).toBe(mine.body.sha256);
    const rows = await db.artifact.findMany({ where: { sha256: mine.body.sha256 }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.teamId)).toEqual([expect.any(String), other.id]);
    expect(await store.exists(mine.body.sha256)).toBe(true);
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });

  it("serialises concurrent uploads of the same content: one creates, the others reuse, one object", async () => {
    const csv = Buffer.from("x,label\n1,0\n2,1\n3,0\n");
    // Two callers, three each: within the per-caller limit of concurrent uploads.
    const callers = [tokens.ADMIN, tokens.ML_ENGINEER];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => upload([["file", csv, "same.csv"]], { token: callers[i % 2] })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.artifactId)).size).toBe(1);
    expect(await db.artifact.count({ where: { sha256: results[0]!.body.sha256 } })).toBe(1);
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });
});

describe("POST /uploads: refused, leaving nothing behind", () => {
  it("a model whose weight file is missing", async () => {
    const parts = (await modelParts("two-shards")).filter(([, , f]) => f !== "group1-shard2of2.bin");
    await expectRefusedLeavingNothing(
      () => upload(parts),
      400,
      "BAD_USER_INPUT",
      /weight file "group1-shard2of2.bin" named by model.json .* is missing from the upload/,
    );
  });

  it("a weight file of the wrong byte length", async () => {
    const parts = await modelParts("float32");
    parts[1] = ["file", (parts[1]![1] as Buffer).subarray(0, 264), "group1-shard1of1.bin"];
    await expectRefusedLeavingNothing(() => upload(parts), 400, "BAD_USER_INPUT", /expected 268, got 264/);
  });

  it("an extra file model.json does not name", async () => {
    const parts = [...(await modelParts("float32")), ["file", "hello", "notes.txt"] as Part];
    await expectRefusedLeavingNothing(
      () => upload(parts),
      400,
      "BAD_USER_INPUT",
      /file "notes.txt" is not named by model.json/,
    );
  });

  it("../ in a file name of the upload", async () => {
    const parts = await modelParts("float32");
    parts[1] = ["file", parts[1]![1], "../group1-shard1of1.bin"];
    await expectRefusedLeavingNothing(
      () => upload(parts),
      400,
      "BAD_USER_INPUT",
      /file "\.\.\/group1-shard1of1\.bin" is not allowed: it contains "\.\."/,
    );
  });

  it("../ in a path model.json names", async () => {
    const json = JSON.parse((await fixture("tiny-mlp/float32/model.json")).toString());
    json.weightsManifest[0].paths = ["../../group1-shard1of1.bin"];
    const parts: Part[] = [
      ["file", JSON.stringify(json), "model.json"],
      ["file", await fixture("tiny-mlp/float32/group1-shard1of1.bin"), "group1-shard1of1.bin"],
    ];
    await expectRefusedLeavingNothing(
      () => upload(parts),
      400,
      "BAD_USER_INPUT",
      /weightsManifest\[0\]\.paths\[0\] "\.\.\/\.\.\/group1-shard1of1\.bin" is not allowed/,
    );
  });

  it("an absolute path", async () => {
    const parts = await modelParts("float32");
    parts[1] = ["file", parts[1]![1], "/tmp/group1-shard1of1.bin"];
    await expectRefusedLeavingNothing(
      () => upload(parts),
      400,
      "BAD_USER_INPUT",
      /"\/tmp\/group1-shard1of1\.bin" is not allowed: it is an absolute path/,
    );
  });

  it("a model.json that is not JSON, saying where", async () => {
    const parts: Part[] = [
      ["kind", "model"],
      ["file", '{"modelTopology": {}, "weightsManifest": [}', "model.json"],
    ];
    await expectRefusedLeavingNothing(
      () => upload(parts),
      400,
      "BAD_USER_INPUT",
      /model.json is not valid JSON at line 1, column 43/,
    );
  });

  it("a graph model", async () => {
    const graph = JSON.stringify({
      format: "graph-model",
      modelTopology: { node: [{ name: "x", op: "Placeholder" }] },
      weightsManifest: [],
    });
    await expectRefusedLeavingNothing(
      () => upload([["file", graph, "model.json"]]),
      400,
      "BAD_USER_INPUT",
      /graph model; Costgate needs a TensorFlow.js LayersModel/,
    );
  });

  it("a model with a quantized bool weight, which the worker's loader refuses too", async () => {
    const json = JSON.stringify({
      format: "layers-model",
      modelTopology: { class_name: "Sequential", config: { layers: [] } },
      weightsManifest: [
        {
          paths: ["w.bin"],
          weights: [{ name: "flags", shape: [4], dtype: "bool", quantization: { dtype: "uint8", scale: 1, min: 0 } }],
        },
      ],
    });
    await expectRefusedLeavingNothing(
      () =>
        upload([
          ["file", json, "model.json"],
          ["file", Buffer.alloc(4), "w.bin"],
        ]),
      400,
      "BAD_USER_INPUT",
      /model.json weightsManifest\[0\]\.weights\[0\] \("flags"\) is a bool weight quantized as uint8/,
    );
  });

  it("a CSV with a text cell", async () => {
    await expectRefusedLeavingNothing(
      () => upload([["file", "a,b,label\n1,2,0\n3,abc,1\n", "d.csv"]]),
      400,
      "BAD_USER_INPUT",
      /CSV line 3, column "b" \(2\): "abc" is not a number/,
    );
  });

  it("a ragged CSV", async () => {
    await expectRefusedLeavingNothing(
      () => upload([["file", "a,b,label\n1,2,0\n3,1\n", "d.csv"]]),
      400,
      "BAD_USER_INPUT",
      /CSV line 3 has 2 cells, but the header has 3 columns/,
    );
  });

  it("a file over the per-file limit", async () => {
    const big = "a,label\n" + "1,0\n".repeat(400); // 1608 bytes > 1 KiB
    await expectRefusedLeavingNothing(
      () => upload([["file", big, "d.csv"]], { url: smallLimitsUrl }),
      413,
      "PAYLOAD_TOO_LARGE",
      /file "d.csv" is over the per-file limit of 1 KiB/,
    );
  });

  it("more files than the limit", async () => {
    const parts: Part[] = ["a", "b", "c", "d"].map((n) => ["file", "x", `${n}.bin`]);
    await expectRefusedLeavingNothing(
      () => upload(parts, { url: smallLimitsUrl }),
      413,
      "PAYLOAD_TOO_LARGE",
      /more than 3 files/,
    );
  });

  it("more bytes in total than the limit", async () => {
    const parts: Part[] = ["a", "b", "c"].map((n) => ["file", Buffer.alloc(1000, 1), `${n}.bin`]);
    await expectRefusedLeavingNothing(
      () => upload(parts, { url: smallLimitsUrl }),
      413,
      "PAYLOAD_TOO_LARGE",
      /over the total limit of 2 KiB/,
    );
  });

  it("no Authorization: 401", async () => {
    await expectRefusedLeavingNothing(
      async () => upload(await modelParts("float32"), { token: null }),
      401,
      "UNAUTHENTICATED",
      /Sign in first/,
    );
  });

  it("a token that is no user: 401", async () => {
    await expectRefusedLeavingNothing(
      async () => upload(await modelParts("float32"), { token: "nobody" }),
      401,
      "UNAUTHENTICATED",
      /not valid/,
    );
  });

  it.each(["VIEWER", "FINANCE"] as const)("%s: 403", async (role) => {
    await expectRefusedLeavingNothing(
      async () => upload(await modelParts("float32"), { token: tokens[role] }),
      403,
      "FORBIDDEN",
      new RegExp(`Role ${role} may not POST /uploads`),
    );
  });

  it("a body that is not multipart: 415", async () => {
    await expectRefusedLeavingNothing(
      async () => {
        const res = await fetch(`${baseUrl}/uploads`, {
          method: "POST",
          body: '{"x":1}',
          headers: { "content-type": "application/json", authorization: `Bearer ${tokens.ADMIN}` },
        });
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      },
      415,
      "BAD_USER_INPUT",
      /takes multipart\/form-data \(got Content-Type application\/json\)/,
    );
  });

  it("an upload with no file", async () => {
    await expectRefusedLeavingNothing(
      () => upload([["kind", "model"]]),
      400,
      "BAD_USER_INPUT",
      /the upload has no file/,
    );
  });

  it("a client that goes away mid-upload", async () => {
    const objectsBefore = await listTree(join(root, "objects"));
    const boundary = "----costgate-test";
    const req = request(`${baseUrl}/uploads`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${tokens.ML_ENGINEER}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": "100000",
      },
    });
    req.on("error", () => {});
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\n\r\na,label\n${"1,0\n".repeat(1000)}`,
    );
    const until = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await check(), what).toBe(true);
    };
    await until("the upload is being staged", async () => (await listTree(join(root, "staging"))).length > 0);
    req.destroy();
    await until("the staging folder is removed", async () => (await readdir(join(root, "staging"))).length === 0);
    expect(await listTree(join(root, "objects"))).toEqual(objectsBefore);
  });

  it("a failure of the database after publishing: 500, and the object is removed again", async () => {
    const csv = Buffer.from("q,label\n42,1\n");
    const sha = createHash("sha256").update(csv).digest("hex");
    await expectRefusedLeavingNothing(
      () => upload([["file", csv, "d.csv"]], { token: tokens.BROKEN_DB }),
      500,
      "INTERNAL_SERVER_ERROR",
      /^Internal server error$/,
    );
    expect(await store.exists(sha)).toBe(false);
  });
});

describe("POST /uploads: the team's storage quota", () => {
  // Each CSV below is 40 bytes; the quota holds two of them.
  const csv = (n: number) => Buffer.from(`x,label\n${String(n).padStart(29, "0")},1\n`);
  let quotaUrl: string;
  let member: string;

  beforeAll(async () => {
    quotaUrl = await serve({ maxFiles: 64, maxFileBytes: 1024 * 1024, maxTotalBytes: 1024 * 1024, teamQuotaBytes: 80 });
    const team = await db.team.create({ data: { name: "Quota", slug: "quota-team" } });
    member = (
      await db.user.create({
        data: { email: "quota@example.com", name: "Q", passwordHash: "x", role: "ML_ENGINEER", teamId: team.id },
      })
    ).id;
  });

  it("refuses new content over the quota with what is used and what may be done, leaving nothing behind", async () => {
    expect(csv(1).length).toBe(40);
    const first = await upload([["file", csv(1), "a.csv"]], { token: member, url: quotaUrl });
    const second = await upload([["file", csv(2), "b.csv"]], { token: member, url: quotaUrl });
    expect([first.status, second.status]).toEqual([201, 201]);
    await expectRefusedLeavingNothing(
      () => upload([["file", csv(3), "c.csv"]], { token: member, url: quotaUrl }),
      413,
      "PAYLOAD_TOO_LARGE",
      /would take your team over its storage quota: 80 bytes of 80 bytes is used.*UPLOAD_TEAM_QUOTA_BYTES/,
    );
    // Content the team holds already takes no more space: uploading it again is allowed, and
    // restarts the grace period before an unregistered upload is collected.
    const before = await db.artifact.findUniqueOrThrow({ where: { id: second.body.artifactId } });
    const again = await upload([["file", csv(2), "b-again.csv"]], { token: member, url: quotaUrl });
    expect(again.status).toBe(200);
    expect(again.body.artifactId).toBe(second.body.artifactId);
    const after = await db.artifact.findUniqueOrThrow({ where: { id: second.body.artifactId } });
    expect(after.lastUsedAt.getTime()).toBeGreaterThan(before.lastUsedAt.getTime());
  });

  it("counts parallel uploads of one team together: only what fits is stored", async () => {
    const team = await db.team.create({ data: { name: "Quota 2", slug: "quota-two" } });
    const users = await Promise.all(
      [0, 1, 2].map((i) =>
        db.user.create({
          data: {
            email: `quota-two-${i}@example.com`,
            name: "Q",
            passwordHash: "x",
            role: "ML_ENGINEER",
            teamId: team.id,
          },
        }),
      ),
    );
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        upload([["file", csv(100 + i), `p${i}.csv`]], { token: users[i % 3]!.id, url: quotaUrl }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 413, 413, 413, 413]);
    const rows = await db.artifact.findMany({ where: { teamId: team.id } });
    expect(rows.map((r) => r.sizeBytes)).toEqual([40, 40]);
    for (const [i, r] of results.entries()) {
      if (r.status !== 413) continue;
      expect(r.body.error.message).toMatch(/storage quota: 80 bytes of 80 bytes is used/);
      const sha = createHash("sha256")
        .update(csv(100 + i))
        .digest("hex");
      expect(await store.exists(sha)).toBe(false);
    }
    expect(await readdir(join(root, "staging"))).toEqual([]);
  });
});
