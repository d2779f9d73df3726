// Rows for budget and webhook tests, written directly to the test database: a team's model
// with a READY version (TRAIN and EVALUATION datasets), its spend as daily rollups, budgets,
// and a local HTTP server that receives webhooks.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { Producer, createRedis } from "@costgate/queue";
import type { BudgetAction, Db, VersionStage } from "@costgate/db";
import type { TestApi } from "./flow.ts";
import type { WorkerDeps } from "../src/deps.ts";

const uid = () => randomBytes(4).toString("hex");

const STEPS = [{ kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } }];

/** A model of the team with version 1 READY at `stage`, and the datasets a policy needs. */
export async function readyModel(db: Db, teamId: string, stage: VersionStage = "PRODUCTION") {
  const artifact = (kind: "TFJS_LAYERS_MODEL" | "DATASET") =>
    db.artifact.create({
      data: {
        kind,
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 10,
        files: [],
        metadata: {},
        teamId,
        createdBy: "system",
      },
    });
  const model = await db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
  const version = await db.modelVersion.create({
    data: {
      modelId: model.id,
      number: 1,
      source: "UPLOAD",
      status: "READY",
      stage,
      artifactId: (await artifact("TFJS_LAYERS_MODEL")).id,
      createdBy: "system",
    },
  });
  for (const role of ["TRAIN", "EVALUATION"] as const) {
    await db.dataset.create({
      data: { modelId: model.id, name: role.toLowerCase(), role, rows: 3, artifactId: (await artifact("DATASET")).id },
    });
  }
  return { model, version };
}

/** Spend of a version on one UTC day, as recordUsage's rollup leaves it. */
export const spend = (
  db: Db,
  v: { id: string; modelId: string },
  teamId: string,
  day: string,
  costUsd: string,
  requests = 1000,
) =>
  db.dailySpend.upsert({
    where: { day_versionId: { day: new Date(day), versionId: v.id } },
    create: { day: new Date(day), versionId: v.id, modelId: v.modelId, teamId, requests: BigInt(requests), costUsd },
    update: { costUsd, requests: BigInt(requests) },
  });

/** A day of a version's spend carrying a tag, on the default profile, as ingestion rolls it up into daily_tag_spend. */
export const tagSpend = async (
  db: Db,
  v: { id: string; modelId: string },
  teamId: string,
  day: string,
  tag: { key: string; value: string },
  costUsd: string,
  requests = 1000,
) =>
  db.dailyTagSpend.create({
    data: {
      day: new Date(day),
      versionId: v.id,
      hardwareProfileId: (await db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } })).id,
      tagKey: tag.key,
      tagValue: tag.value,
      modelId: v.modelId,
      teamId,
      requests: BigInt(requests),
      costUsd,
    },
  });

export async function budget(
  db: Db,
  teamId: string,
  fields: {
    amountUsd?: string;
    alertThresholds?: number[];
    action?: BudgetAction;
    policyId?: string;
    modelId?: string;
    tag?: { key: string; value: string };
  } = {},
) {
  return db.budget.create({
    data: {
      teamId,
      name: `b-${uid()}`,
      amountUsd: fields.amountUsd ?? "100",
      period: "MONTHLY",
      alertThresholds: fields.alertThresholds ?? [0.5, 0.8, 1],
      action: fields.action ?? "NOTIFY",
      policyId: fields.policyId ?? null,
      modelId: fields.modelId ?? null,
      tagKey: fields.tag?.key ?? null,
      tagValue: fields.tag?.value ?? null,
    },
  });
}

export const policy = (db: Db, teamId: string, modelId?: string) =>
  db.optimizationPolicy.create({
    data: {
      teamId,
      modelId: modelId ?? null,
      name: `p-${uid()}`,
      steps: STEPS,
      maxAccuracyDrop: 0.02,
      trigger: "BUDGET_AT_RISK",
    },
  });

/**
 * What the budget check needs, without a worker process: the API's database and a producer
 * on its queue prefix (jobs it enqueues wait in Redis; no worker consumes them). close() when done.
 */
export function checkDeps(api: TestApi): Pick<WorkerDeps, "db" | "producer" | "logger"> & { close(): Promise<void> } {
  const redis = createRedis(api.env.REDIS_URL);
  const producer = new Producer(redis, api.env.QUEUE_PREFIX);
  return {
    db: api.db,
    producer,
    logger: pino({ level: "silent" }),
    async close() {
      await producer.close();
      await redis.quit();
    },
  };
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1, port 0. `answer` picks each response's status (by the
 * number of requests received so far, from 1), or a status and how long to hold the answer
 * back; every request is kept with its raw body.
 */
export async function receiver(
  answer: (n: number, req: Received) => number | { status: number; holdMs: number } = () => 200,
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(r);
      const a = answer(received.length, r);
      const { status, holdMs } = typeof a === "number" ? { status: a, holdMs: 0 } : a;
      const reply = () => {
        if (res.destroyed) return;
        res.statusCode = status;
        res.end("ok");
      };
      if (holdMs) setTimeout(reply, holdMs).unref();
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
