import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, createTestDatabase, type Db, type TestDatabase } from "@costgate/db";
import { createFsArtifactStore, type ArtifactStore } from "@costgate/artifacts";
import { collectOrphanedArtifacts } from "./collect-orphans.ts";

let database: TestDatabase;
let db: Db;
let root: string;
let store: ArtifactStore;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { maxConnections: 3 });
  root = await mkdtemp(join(tmpdir(), "costgate-orphans-"));
  store = createFsArtifactStore(root);
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
  await rm(root, { recursive: true, force: true });
});

async function put(sha: string) {
  const staged = await store.stage();
  await writeFile(join(staged, "model.json"), sha);
  await store.publish(sha, staged);
}

it("removes objects no Artifact row references (a writer killed between publish and commit) and keeps the rest", async () => {
  const [kept, orphan] = ["a".repeat(64), "b".repeat(64)];
  await put(kept);
  await put(orphan);
  await db.artifact.create({
    data: { kind: "TFJS_LAYERS_MODEL", sha256: kept, sizeBytes: 64, files: [], createdBy: "system" },
  });

  expect(await collectOrphanedArtifacts({ db, store, logger: pino({ level: "silent" }) })).toBe(1);
  expect(await store.exists(kept)).toBe(true);
  expect(await store.exists(orphan)).toBe(false);
  expect(await collectOrphanedArtifacts({ db, store, logger: pino({ level: "silent" }) })).toBe(0);
});

it("waits for a writer that holds the artifact lock, and keeps the object it commits a row for", async () => {
  const sha = "c".repeat(64);
  let release!: () => void;
  let holding!: () => void;
  const locked = new Promise<void>((r) => (holding = r));
  const writer = db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`artifact:${sha}`}, 0))`;
    await put(sha);
    const released = new Promise<void>((r) => (release = r));
    holding();
    await released;
    await tx.artifact.create({ data: { kind: "DATASET", sha256: sha, sizeBytes: 64, files: [], createdBy: "system" } });
  });
  // The writer holds the lock with the object published and no row yet...
  await locked;
  const sweep = collectOrphanedArtifacts({ db, store, logger: pino({ level: "silent" }) });
  // ...and the sweep is waiting for that lock (seen in pg_locks), not merely started.
  const waiters = async () =>
    (
      await db.$queryRaw<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
    )[0]!.n;
  while ((await waiters()) === 0);
  release();
  await writer;
  await sweep;
  expect(await store.exists(sha)).toBe(true);
});
