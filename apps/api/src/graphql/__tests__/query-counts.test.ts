import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../test/harness.ts";

// A list answers in a fixed number of SQL statements however many rows it has: nested fields go
// through the request's DataLoaders (loaders.ts), never one query per row. Each query is asked of
// a team with 2 jobs (policies, models) and of a team with 10, and must send about as many
// statements for both (expectFlat).

const uid = () => randomBytes(4).toString("hex");

/** The dashboard's jobs list (apps/web/src/lib/operations.ts, JobsQuery). */
const JOBS_LIST = `query Jobs($status: JobStatus, $first: Int!, $after: String) {
  optimizationJobs(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id status progress stage createdAt startedAt finishedAt triggeredBy queuePosition
      policy { id name }
      model { id name }
      sourceVersion { id number }
      bestVersion { id number }
    } }
  }
}`;

const COST = `costPerMillionUsd uncertainty backend batchSize runs disturbedRounds measuredAt hardwareProfile { id name hourlyPriceUsd }`;

/** The job page's fields (JobQuery) on every job of a list, and the policy page's job list (PolicyJobsQuery). */
const JOBS_WITH_PAGE_FIELDS = `query($first: Int!) {
  optimizationJobs(first: $first) {
    edges { node {
      id status progress stage error attempts triggeredBy cancelRequested result createdAt startedAt finishedAt queuePosition
      policy { id name maxAccuracyDrop }
      model { id name }
      steps { kind params }
      sourceVersion { id number model { name } evaluation { metric value } cost { ${COST} } }
      bestVersion { id number }
      bestEffortVersion { id number }
      frontier { id number evaluation { metric value } cost { ${COST} } }
      candidates {
        id number source recipe stage status statusMessage
        evaluation { metric value }
        cost { latencyP50Ms throughputPerSecond modelSizeBytes ${COST} }
        comparedToParent { parent { id number } hardwareProfile { name } throughputRatio low high significant rounds measuredAt }
      }
    } }
  }
}`;

/** The dashboard's policies list (PoliciesQuery). */
const POLICIES = `query Policies {
  optimizationPolicies {
    id name maxAccuracyDrop trigger autoPromote enabled createdAt
    team { id name }
    model { id name }
    hardwareProfile { id name }
    effectiveHardwareProfile { id name isDefault }
    steps { kind params }
  }
}`;

/** The dashboard's models list (ModelsQuery), with the model page's datasets on every model. */
const MODELS = `query Models($first: Int!) {
  models(first: $first) {
    totalCount
    edges { node {
      id name task description createdAt
      team { id name }
      versions(first: 1) { totalCount }
      productionVersion { id number cost { ${COST} } evaluation { metric value } }
      datasets { id name role rows createdAt artifact { sizeBytes } }
    } }
  }
}`;

const STEPS = [
  { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
  { kind: "QUANTIZE", params: { dtype: "uint8" } },
];

describe("SQL statements per list query", () => {
  let api: TestApi;
  let statements: string[] = [];
  /** An ML engineer's token per team, by the number of jobs the team has. */
  const tokens = new Map<number, string>();

  beforeAll(async () => {
    api = await TestApi.start({}, { onQuery: (e) => statements.push(e.query) });
    for (const n of [2, 10]) {
      const teamId = await api.createTeam();
      for (let i = 0; i < n; i++) await jobWithCandidates(teamId, i);
      tokens.set(n, (await api.userToken("ML_ENGINEER", teamId)).token);
    }
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
  });

  /** Its own policy, model, source version and two measured, evaluated candidates; the first is the best. */
  async function jobWithCandidates(teamId: string, i: number) {
    const [profile, other] = await Promise.all([
      api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } }),
      api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: false } }),
    ]);
    const artifact = () =>
      api.db.artifact.create({
        data: {
          kind: "TFJS_LAYERS_MODEL",
          sha256: randomBytes(32).toString("hex"),
          sizeBytes: 1024,
          files: [],
          metadata: {},
          teamId,
          createdBy: "system",
        },
      });
    const model = await api.db.model.create({ data: { teamId, name: `m${i}-${uid()}`, task: "CLASSIFICATION" } });
    const dataset = await api.db.dataset.create({
      data: { modelId: model.id, name: "eval", role: "EVALUATION", rows: 10, artifactId: (await artifact()).id },
    });
    const policy = await api.db.optimizationPolicy.create({
      data: {
        teamId,
        modelId: model.id,
        name: `p${i}-${uid()}`,
        steps: STEPS,
        maxAccuracyDrop: 0.02,
        // Every other policy on the default profile (effectiveHardwareProfile names it).
        hardwareProfileId: i % 2 ? other.id : null,
      },
    });
    const measured = async (
      data: { number: number; parentId?: string; jobId?: string; stepIndex?: number },
      throughput: number,
    ) => {
      const v = await api.db.modelVersion.create({
        data: {
          modelId: model.id,
          number: data.number,
          source: data.number === 1 ? "UPLOAD" : data.number === 2 ? "PRUNE" : "QUANTIZE",
          status: "READY",
          artifactId: (await artifact()).id,
          createdBy: "system",
          parentId: data.parentId,
          jobId: data.jobId,
          stepIndex: data.stepIndex,
        },
      });
      await api.db.evaluation.create({
        data: { versionId: v.id, datasetId: dataset.id, metric: "accuracy", value: 0.9, samples: 10 },
      });
      const m = await api.db.costMeasurement.create({
        data: {
          versionId: v.id,
          hardwareProfileId: profile.id,
          backend: "tensorflow",
          batchSize: 32,
          latencyP50Ms: 1,
          latencyP95Ms: 2,
          latencyP99Ms: 3,
          throughputPerSecond: throughput,
          peakMemoryBytes: 1,
          modelSizeBytes: 1,
          loadTimeMs: 1,
          macsPerInference: 1,
          costPerMillionUsd: (1000 / throughput).toFixed(6),
          runs: 10,
        },
      });
      if (data.parentId)
        await api.db.costComparison.create({
          data: {
            versionId: v.id,
            parentId: data.parentId,
            hardwareProfileId: profile.id,
            measurementId: m.id,
            throughputRatio: 1.5,
            low: 1.4,
            high: 1.6,
            significant: true,
            rounds: 10,
            parentThroughputPerSecond: 1000,
          },
        });
      return v;
    };
    const source = await measured({ number: 1 }, 1000);
    const job = await api.db.optimizationJob.create({
      data: {
        policyId: policy.id,
        sourceVersionId: source.id,
        steps: STEPS,
        triggeredBy: "manual",
        createdBy: "system",
        // Every other job still waits in the queue (queuePosition reads the line for all of them at once).
        status: i % 2 ? "QUEUED" : "SUCCEEDED",
      },
    });
    const pruned = await measured({ number: 2, parentId: source.id, jobId: job.id, stepIndex: 0 }, 1500);
    const tuned = await measured({ number: 3, parentId: pruned.id, jobId: job.id, stepIndex: 1 }, 1500);
    // The frontier and the best effort as the worker writes them into the result (a best effort
    // beside a best version only to count the statements of both fields).
    await api.db.optimizationJob.update({
      where: { id: job.id },
      data: {
        bestVersionId: pruned.id,
        result: { frontier: [tuned.id, pruned.id], bestEffortVersionId: tuned.id },
      },
    });
  }

  /**
   * A lookup per row would send 8 more statements for 10 rows than for 2. The counts may still
   * differ by one or two: the batches of sibling branches (the source versions' costs and the
   * candidates') share a statement only when the database has answered both branches by then.
   */
  function expectFlat(two: number, ten: number) {
    expect(Math.abs(ten - two), `statements: ${two} for 2 rows, ${ten} for 10`).toBeLessThanOrEqual(2);
  }

  /** The statements one request sends, and its data. */
  async function counted(query: string, variables: Record<string, unknown>, token: string) {
    statements = [];
    const data = await api.ok<Record<string, any>>(query, variables, token);
    return { count: statements.length, data };
  }

  it("lists jobs for the jobs page without a statement per job", async () => {
    const two = await counted(JOBS_LIST, { first: 20 }, tokens.get(2)!);
    const ten = await counted(JOBS_LIST, { first: 20 }, tokens.get(10)!);
    expect(two.data.optimizationJobs.edges).toHaveLength(2);
    expect(ten.data.optimizationJobs.edges).toHaveLength(10);
    for (const { node } of ten.data.optimizationJobs.edges) {
      expect(node.policy.name).toMatch(/^p\d-/);
      expect(node.model.name.slice(1, 2)).toBe(node.policy.name.slice(1, 2));
      expect(node.sourceVersion.number).toBe(1);
      expect(node.bestVersion.number).toBe(2);
      expect(node.queuePosition === null).toBe(node.status !== "QUEUED");
    }
    expectFlat(two.count, ten.count);
  });

  it("lists jobs with the job page's fields without a statement per job", async () => {
    const two = await counted(JOBS_WITH_PAGE_FIELDS, { first: 20 }, tokens.get(2)!);
    const ten = await counted(JOBS_WITH_PAGE_FIELDS, { first: 20 }, tokens.get(10)!);
    expect(ten.data.optimizationJobs.edges).toHaveLength(10);
    for (const { node } of ten.data.optimizationJobs.edges) {
      expect(node.steps.map((s: { kind: string }) => s.kind)).toEqual(["PRUNE", "QUANTIZE"]);
      expect(node.policy.maxAccuracyDrop).toBe(0.02);
      expect(node.sourceVersion.model.name).toBe(node.model.name);
      expect(node.sourceVersion.cost.costPerMillionUsd).toBe("1.00");
      expect(node.candidates.map((c: { number: number }) => c.number)).toEqual([2, 3]);
      expect(node.candidates[0].comparedToParent.parent.number).toBe(1);
      expect(node.candidates[1].comparedToParent.parent.number).toBe(2);
      expect(node.candidates[1].evaluation).toEqual({ metric: "accuracy", value: 0.9 });
      expect(node.frontier.map((v: { number: number }) => v.number)).toEqual([3, 2]);
      expect(node.frontier[0].cost.costPerMillionUsd).toBeDefined();
      expect(node.bestEffortVersion.number).toBe(3);
    }
    expectFlat(two.count, ten.count);
  });

  it("lists policies without a statement per policy", async () => {
    const two = await counted(POLICIES, {}, tokens.get(2)!);
    const ten = await counted(POLICIES, {}, tokens.get(10)!);
    expect(two.data.optimizationPolicies).toHaveLength(2);
    expect(ten.data.optimizationPolicies).toHaveLength(10);
    for (const p of ten.data.optimizationPolicies) {
      expect(p.model.name.slice(1, 2)).toBe(p.name.slice(1, 2));
      expect(p.effectiveHardwareProfile.name).toBe(p.hardwareProfile?.name ?? p.effectiveHardwareProfile.name);
      expect(p.effectiveHardwareProfile.isDefault).toBe(p.hardwareProfile === null);
      expect(p.team.id).toBeTruthy();
    }
    expectFlat(two.count, ten.count);
  });

  it("lists models with their datasets without a statement per model", async () => {
    const two = await counted(MODELS, { first: 20 }, tokens.get(2)!);
    const ten = await counted(MODELS, { first: 20 }, tokens.get(10)!);
    expect(ten.data.models.edges).toHaveLength(10);
    for (const { node } of ten.data.models.edges) {
      expect(node.datasets).toEqual([expect.objectContaining({ name: "eval", role: "EVALUATION", rows: 10 })]);
      expect(node.versions.totalCount).toBe(3);
    }
    expectFlat(two.count, ten.count);
  });
});
