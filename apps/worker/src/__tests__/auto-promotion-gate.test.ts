import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Producer } from "@costgate/queue";
import { TestApi } from "../../test/flow.ts";
import { storeCost } from "@costgate/testkit";
import type { WorkerDeps } from "../deps.ts";
import { finishJob } from "../features/finish-job.ts";

const uid = () => randomBytes(4).toString("hex");

/**
 * Auto-promotion goes through the same cost gate as a person's promotion, and is never
 * overridden: a block leaves the best candidate where it is and says why in the job's stage.
 */
describe("auto-promotion and the cost gate", () => {
  let api: TestApi;
  let producer: Producer;

  beforeAll(async () => {
    api = await TestApi.start();
    producer = new Producer(api.server.redis, api.env.QUEUE_PREFIX);
  });
  afterAll(async () => {
    await producer?.close();
    await api?.stop();
  });

  /**
   * A finished-but-not-ended job: production serves version 1 at $1/1M (10M requests today); the
   * job optimized a newer, larger upload (version 2 at $5/1M) into one candidate within the
   * guardrail at `candidateCost`: cheaper than its source, dearer than production.
   */
  async function jobWithCandidate(
    candidateCost: string,
    budget: { amountUsd: string; action: "BLOCK_PROMOTION" | "NOTIFY" },
  ) {
    const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    const teamId = await api.createTeam();
    const model = await api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
    const artifact = await api.db.artifact.create({
      data: {
        kind: "TFJS_LAYERS_MODEL",
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 10,
        files: [],
        teamId,
        createdBy: "system",
      },
    });
    const dsArtifact = await api.db.artifact.create({
      data: {
        kind: "DATASET",
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 10,
        files: [],
        metadata: { rows: 10 },
        teamId,
        createdBy: "system",
      },
    });
    const dataset = await api.db.dataset.create({
      data: { modelId: model.id, name: "eval", role: "EVALUATION", rows: 10, artifactId: dsArtifact.id },
    });
    const policy = await api.db.optimizationPolicy.create({
      data: {
        teamId,
        name: `p-${uid()}`,
        steps: [{ kind: "QUANTIZE", params: { dtype: "uint8" } }],
        maxAccuracyDrop: 0.05,
        autoPromote: true,
      },
    });
    const version = async (
      number: number,
      cost: string,
      extra: { stage?: "PRODUCTION"; jobId?: string; parentId?: string } = {},
    ) => {
      const v = await api.db.modelVersion.create({
        data: {
          modelId: model.id,
          number,
          source: number === 1 ? "UPLOAD" : "QUANTIZE",
          status: "READY",
          stage: extra.stage ?? "CANDIDATE",
          artifactId: artifact.id,
          createdBy: "system",
          jobId: extra.jobId,
          stepIndex: extra.jobId ? 0 : null,
          parentId: extra.parentId,
        },
      });
      await api.db.evaluation.create({
        data: { versionId: v.id, datasetId: dataset.id, metric: "accuracy", value: 0.9, samples: 10 },
      });
      await storeCost(api.db, v.id, profile.id, cost);
      return v;
    };
    const production = await version(1, "1", { stage: "PRODUCTION" });
    const source = await version(2, "5");
    const job = await api.db.optimizationJob.create({
      data: {
        policyId: policy.id,
        sourceVersionId: source.id,
        steps: [{ kind: "QUANTIZE", params: { dtype: "uint8" } }],
        status: "RUNNING",
        triggeredBy: "manual",
        createdBy: "system",
      },
    });
    const candidate = await version(3, candidateCost, { jobId: job.id, parentId: source.id });
    const now = new Date();
    await api.db.dailySpend.create({
      data: {
        day: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())),
        versionId: production.id,
        modelId: model.id,
        teamId,
        requests: 10_000_000n,
        costUsd: "10",
      },
    });
    await api.db.budget.create({
      data: {
        teamId,
        name: "Team monthly",
        amountUsd: budget.amountUsd,
        period: "MONTHLY",
        alertThresholds: [1],
        action: budget.action,
      },
    });
    const deps = { db: api.db, producer, profile, logger: pino({ level: "silent" }) } as unknown as WorkerDeps;
    return { deps, job, production, candidate };
  }

  it("leaves a costlier best candidate unpromoted when a BLOCK_PROMOTION budget has too little left, saying why", async () => {
    // $10 spent this month of $12: $2 left; the candidate would add $20 a month.
    const { deps, job, production, candidate } = await jobWithCandidate("3", {
      amountUsd: "12",
      action: "BLOCK_PROMOTION",
    });
    await finishJob(deps, job.id, {});
    const ended = await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(ended.status).toBe("SUCCEEDED");
    expect(ended.bestVersionId).toBe(candidate.id);
    expect(ended.stage).toMatch(
      /^Done, but auto-promotion of version 3 was refused: Cannot promote version 3 .* \(\+\$20\.00\), more than the \$2\.00 left this period in budget "Team monthly"/,
    );
    const stages = await api.db.modelVersion.findMany({
      where: { id: { in: [production.id, candidate.id] } },
      orderBy: { number: "asc" },
    });
    expect(stages.map((v) => v.stage)).toEqual(["PRODUCTION", "CANDIDATE"]);
  });

  it("promotes it when the budget only notifies, recording the projection", async () => {
    const { deps, job, candidate } = await jobWithCandidate("3", { amountUsd: "12", action: "NOTIFY" });
    await finishJob(deps, job.id, {});
    expect((await api.db.modelVersion.findUniqueOrThrow({ where: { id: candidate.id } })).stage).toBe("PRODUCTION");
    const event = await api.db.auditEvent.findFirstOrThrow({
      where: { entityId: candidate.id, action: "version.promote" },
    });
    expect(event.actor).toBe("system");
    expect(event.after).toMatchObject({
      stage: "PRODUCTION",
      costGate: { deltaMonthlyUsd: "20.00", withinBudget: false, overridden: false },
    });
  });

  it("ends the job only once its best candidate is promoted: whoever reads SUCCEEDED sees it in production", async () => {
    // The dashboard, the API and the job.finished webhook read the job's status: a SUCCEEDED job
    // whose best version is still a candidate (promotion a moment later) is a state nobody should see.
    const { deps, job, candidate } = await jobWithCandidate("3", { amountUsd: "12", action: "NOTIFY" });
    await finishJob(deps, job.id, {});
    const [promoted, succeeded] = await Promise.all([
      api.db.auditEvent.findFirstOrThrow({ where: { entityId: candidate.id, action: "version.promote" } }),
      api.db.auditEvent.findFirstOrThrow({ where: { entityId: job.id, action: "job.succeeded" } }),
    ]);
    // Each written with its transaction's start time: the promotion's began before the job ended.
    expect(promoted.createdAt.getTime()).toBeLessThanOrEqual(succeeded.createdAt.getTime());
  });
});
