// What the API benchmarks start from: their settings, and data made straight in the database.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "@costgate/db";
import { storeCost } from "@costgate/testkit";

/** The API's variables for a benchmark: production mode, its own queue prefix and artifact folder, fresh secrets. */
export function benchEnv(databaseUrl: string, logLevel = "silent") {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: logLevel,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: `costgate-bench-${randomBytes(4).toString("hex")}`,
    ARTIFACT_DIR: mkdtempSync(join(tmpdir(), "costgate-bench-")),
    COSTGATE_SESSION_SECRET: randomBytes(32).toString("hex"),
    COSTGATE_SECRET_KEY: randomBytes(32).toString("hex"),
  };
}

/** A team with `n` models, each with one READY version measured on the default profile. */
export async function teamWithModels(db: Db, slug: string, n: number) {
  const profile = await db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
  const team = await db.team.create({ data: { name: slug, slug } });
  const artifact = await db.artifact.create({
    data: {
      kind: "TFJS_LAYERS_MODEL",
      sha256: randomBytes(32).toString("hex"),
      sizeBytes: 10,
      files: [],
      teamId: team.id,
      createdBy: "bench",
    },
  });
  const versions = [];
  for (let i = 0; i < n; i++) {
    const model = await db.model.create({ data: { teamId: team.id, name: `model-${i}`, task: "CLASSIFICATION" } });
    const version = await db.modelVersion.create({
      data: {
        modelId: model.id,
        number: 1,
        source: "UPLOAD",
        status: "READY",
        stage: "PRODUCTION",
        artifactId: artifact.id,
        createdBy: "bench",
      },
    });
    const costPerMillionUsd = ["0.024792", "0.113207", "1.279444"][i % 3]!;
    await storeCost(db, version.id, profile.id, costPerMillionUsd);
    versions.push({ id: version.id, modelId: model.id, costPerMillionUsd });
  }
  return { teamId: team.id, versions };
}
