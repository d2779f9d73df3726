import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, createTestDatabase, type Db, type TestDatabase } from "@costgate/db";
import { createFsArtifactStore, type ArtifactStore } from "@costgate/artifacts";
import { claimArtifact } from "@costgate/services";
import { collectUnreferencedArtifacts } from "./collect-unreferenced.ts";

const HOUR = 3600_000;
const GRACE_MS = 24 * HOUR;
let database: TestDatabase;
let db: Db;
let root: string;
let store: ArtifactStore;
let teamId: string;
let otherTeamId: string;
let modelId: string;
const logger = pino({ level: "silent" });

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { maxConnections: 4 });
  root = await mkdtemp(join(tmpdir(), "costgate-unreferenced-"));
  store = createFsArtifactStore(root);
  teamId = (await db.team.create({ data: { name: "Vision", slug: "vision" } })).id;
  otherTeamId = (await db.team.create({ data: { name: "Ads", slug: "ads" } })).id;
  modelId = (await db.model.create({ data: { teamId, name: "resnet", task: "CLASSIFICATION" } })).id;
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
  await rm(root, { recursive: true, force: true });
});

/** An uploaded artifact (object and row) whose last upload or registration was `ageMs` ago. */
async function uploaded(sha: string, ageMs: number, team = teamId, kind: "DATASET" | "TFJS_LAYERS_MODEL" = "DATASET") {
  if (!(await store.exists(sha))) {
    const staged = await store.stage();
    await writeFile(join(staged, "data.csv"), sha);
    await store.publish(sha, staged);
  }
  const at = new Date(Date.now() - ageMs);
  return db.artifact.create({
    data: {
      kind,
      sha256: sha,
      sizeBytes: 64,
      files: [],
      teamId: team,
      createdBy: "user:u1",
      createdAt: at,
      lastUsedAt: at,
    },
  });
}

it("removes uploads no version or dataset took within the grace period, and keeps everything else", async () => {
  const stale = await uploaded("1".repeat(64), 30 * HOUR);
  const fresh = await uploaded("2".repeat(64), 2 * HOUR);
  const dataset = await uploaded("3".repeat(64), 30 * HOUR);
  await db.dataset.create({ data: { modelId, name: "eval", role: "EVALUATION", rows: 1, artifactId: dataset.id } });
  const version = await uploaded("4".repeat(64), 30 * HOUR, teamId, "TFJS_LAYERS_MODEL");
  await db.modelVersion.create({
    data: { modelId, number: 1, source: "UPLOAD", artifactId: version.id, createdBy: "user:u1" },
  });
  // Another team's stale row for bytes this team uses: its row goes, the shared object stays.
  const sharedTheirs = await uploaded("3".repeat(64), 30 * HOUR, otherTeamId);

  expect(await collectUnreferencedArtifacts({ db, store, logger }, { graceMs: GRACE_MS })).toBe(2);

  const left = await db.artifact.findMany({ select: { id: true } });
  expect(left.map((a) => a.id).sort()).toEqual([fresh.id, dataset.id, version.id].sort());
  expect(await store.exists(stale.sha256)).toBe(false);
  expect(await store.exists(fresh.sha256)).toBe(true);
  expect(await store.exists(sharedTheirs.sha256)).toBe(true);
  expect(await store.exists(version.sha256)).toBe(true);
  // Each removal is in the audit log of the team that owned it.
  const audit = await db.auditEvent.findMany({ where: { action: "artifact.collect" }, orderBy: { entityId: "asc" } });
  expect(audit.map((a) => [a.entityId, a.teamId]).sort()).toEqual(
    [
      [stale.id, teamId],
      [sharedTheirs.id, otherTeamId],
    ].sort(),
  );
  expect(await collectUnreferencedArtifacts({ db, store, logger }, { graceMs: GRACE_MS })).toBe(0);
});

it("keeps an artifact a registration is taking at that moment", async () => {
  const artifact = await uploaded("5".repeat(64), 30 * HOUR);
  let release!: () => void;
  let claimed!: () => void;
  const holding = new Promise<void>((r) => (claimed = r));
  const registration = db.$transaction(async (tx) => {
    expect(await claimArtifact(tx, artifact)).toBe(true);
    claimed();
    await new Promise<void>((r) => (release = r));
    await tx.dataset.create({ data: { modelId, name: "train", role: "TRAIN", rows: 1, artifactId: artifact.id } });
  });
  await holding;
  const sweep = collectUnreferencedArtifacts({ db, store, logger }, { graceMs: GRACE_MS });
  // The sweep waits for the registration's lock (seen in pg_locks) before it decides.
  const waiting = async () =>
    (
      await db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
    )[0]!.n;
  while ((await waiting()) === 0);
  release();
  await registration;
  expect(await sweep).toBe(0);
  expect(await db.artifact.count({ where: { id: artifact.id } })).toBe(1);
  expect(await store.exists(artifact.sha256)).toBe(true);
});

it("counts the grace period from the last upload of the same content, not the first", async () => {
  const artifact = await uploaded("6".repeat(64), 30 * HOUR);
  // Uploaded again an hour ago (publishArtifact's reuse moves lastUsedAt).
  await db.artifact.update({ where: { id: artifact.id }, data: { lastUsedAt: new Date(Date.now() - HOUR) } });
  expect(await collectUnreferencedArtifacts({ db, store, logger }, { graceMs: GRACE_MS })).toBe(0);
  expect(await store.exists(artifact.sha256)).toBe(true);
});
