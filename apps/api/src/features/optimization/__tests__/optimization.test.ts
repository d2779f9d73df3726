import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactKind, JobStatus, VersionStatus } from "@costgate/db";
import { TestApi } from "../../../../test/harness.ts";

const uid = () => randomBytes(4).toString("hex");
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

const POLICY_FIELDS = `id name team { id } model { id } steps { kind params } maxAccuracyDrop hardwareProfile { id name } trigger autoPromote enabled createdAt updatedAt`;
const CREATE_POLICY = `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ ${POLICY_FIELDS} } }`;
const UPDATE_POLICY = `mutation($id:ID!,$i:UpdateOptimizationPolicyInput!){ updateOptimizationPolicy(id:$id, input:$i){ ${POLICY_FIELDS} } }`;
const POLICIES = `query($t:ID){ optimizationPolicies(teamId:$t){ id name team { id } } }`;
const JOB_FIELDS = `id status progress stage error attempts triggeredBy cancelRequested createdAt startedAt finishedAt result
  policy { id } sourceVersion { id } model { id } steps { kind params } candidates { id number source } bestVersion { id }`;
const RUN = `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ ${JOB_FIELDS} } }`;
const CANCEL = `mutation($id:ID!){ cancelOptimizationJob(id:$id){ ${JOB_FIELDS} } }`;
const JOB = `query($id:ID!){ optimizationJob(id:$id){ ${JOB_FIELDS} } }`;
const JOBS = `query($s:JobStatus,$m:ID,$p:ID,$f:Int,$a:String){ optimizationJobs(status:$s, modelId:$m, policyId:$p, first:$f, after:$a){ totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } } } }`;

const PRUNE = { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } };
const FINE_TUNE = { kind: "FINE_TUNE", params: { epochs: 2, learningRate: 0.05, batchSize: 32, momentum: 0.9 } };
const QUANTIZE = { kind: "QUANTIZE", params: { dtype: "uint8" } };
const THREE_STEPS = [PRUNE, FINE_TUNE, QUANTIZE];

type Job = {
  id: string;
  status: JobStatus;
  progress: number;
  stage: string | null;
  cancelRequested: boolean;
  finishedAt: string | null;
  triggeredBy: string;
  attempts: number;
  result: unknown;
  policy: { id: string };
  sourceVersion: { id: string };
  model: { id: string };
  steps: { kind: string; params: unknown }[];
  candidates: { id: string; number: number; source: string }[];
  bestVersion: { id: string } | null;
};

describe("optimization policies and jobs", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let engineerA: string;
  let viewerA: string;
  let engineerB: string;
  let redis: Redis;
  let optimizeQueue: Queue;

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    teamB = await api.createTeam();
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
    viewerA = (await api.userToken("VIEWER", teamA)).token;
    engineerB = (await api.userToken("ML_ENGINEER", teamB)).token;
    redis = new Redis(api.env.REDIS_URL, { maxRetriesPerRequest: null });
    optimizeQueue = new Queue("optimize", { connection: redis, prefix: api.env.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await optimizeQueue?.obliterate({ force: true }).catch(() => {});
    await optimizeQueue?.close();
    await redis?.quit();
    await api?.stop();
  });

  const artifact = (kind: ArtifactKind, teamId: string) =>
    api.db.artifact.create({
      data: {
        kind,
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 1024,
        files: [],
        metadata: kind === "DATASET" ? { rows: 10 } : { parameterCount: 10, weights: [] },
        teamId,
        createdBy: "system",
      },
    });

  /** A model with a version as the worker leaves it after evaluation, and the datasets asked for. */
  async function modelWithVersion(
    teamId: string,
    opts: { train?: boolean; evaluation?: boolean; status?: VersionStatus } = {},
  ) {
    const model = await api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
    const version = await api.db.modelVersion.create({
      data: {
        modelId: model.id,
        number: 1,
        source: "UPLOAD",
        status: opts.status ?? "READY",
        artifactId: (await artifact("TFJS_LAYERS_MODEL", teamId)).id,
        createdBy: "system",
      },
    });
    if (opts.train ?? true)
      await api.db.dataset.create({
        data: {
          modelId: model.id,
          name: "train",
          role: "TRAIN",
          rows: 10,
          artifactId: (await artifact("DATASET", teamId)).id,
        },
      });
    if (opts.evaluation ?? true)
      await api.db.dataset.create({
        data: {
          modelId: model.id,
          name: "eval",
          role: "EVALUATION",
          rows: 10,
          artifactId: (await artifact("DATASET", teamId)).id,
        },
      });
    return { model, version };
  }

  const createPolicy = async (teamId: string, over: Record<string, unknown> = {}, token = api.adminToken) =>
    (
      await api.ok<{ createOptimizationPolicy: { id: string; name: string } }>(
        CREATE_POLICY,
        { i: { teamId, name: `p-${uid()}`, steps: THREE_STEPS, maxAccuracyDrop: 0.02, ...over } },
        token,
      )
    ).createOptimizationPolicy;

  const queuedCount = async () => {
    const counts = await optimizeQueue.getJobCounts(
      "waiting",
      "active",
      "delayed",
      "prioritized",
      "completed",
      "failed",
    );
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };

  describe("createOptimizationPolicy", () => {
    it("creates a policy with its steps as given, defaults for trigger and autoPromote, and an audit event", async () => {
      const { model } = await modelWithVersion(teamA);
      const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: false } });
      const name = `three-step-${uid()}`;
      const r = await api.ok<{ createOptimizationPolicy: any }>(
        CREATE_POLICY,
        {
          i: {
            teamId: teamA,
            modelId: model.id,
            name: `  ${name} `,
            steps: THREE_STEPS,
            maxAccuracyDrop: 0.01,
            hardwareProfileId: profile.id,
          },
        },
        engineerA,
      );
      const p = r.createOptimizationPolicy;
      expect(p).toMatchObject({
        name,
        team: { id: teamA },
        model: { id: model.id },
        steps: THREE_STEPS,
        maxAccuracyDrop: 0.01,
        hardwareProfile: { id: profile.id },
        trigger: "MANUAL",
        autoPromote: false,
        enabled: true,
      });
      const audit = await api.db.auditEvent.findFirstOrThrow({
        where: { entityType: "OptimizationPolicy", entityId: p.id },
      });
      expect(audit).toMatchObject({ action: "policy.create", teamId: teamA, actor: expect.stringMatching(/^user:/) });
    });

    it("accepts a team-wide policy with NEW_VERSION trigger and autoPromote, bounds of maxAccuracyDrop included", async () => {
      const p = await api.ok<{ createOptimizationPolicy: any }>(
        CREATE_POLICY,
        {
          i: {
            teamId: teamA,
            name: `nv-${uid()}`,
            steps: [QUANTIZE],
            maxAccuracyDrop: 0,
            trigger: "NEW_VERSION",
            autoPromote: true,
          },
        },
        engineerA,
      );
      expect(p.createOptimizationPolicy).toMatchObject({
        model: null,
        hardwareProfile: null,
        trigger: "NEW_VERSION",
        autoPromote: true,
        maxAccuracyDrop: 0,
      });
      await createPolicy(teamA, { maxAccuracyDrop: 1 }, engineerA);
    });

    const step = (kind: string, params: Record<string, unknown>) => ({ kind, params });
    it.each([
      [
        "sparsity 0",
        [step("PRUNE", { method: "magnitude", sparsity: 0 })],
        ["steps[1]", "PRUNE", "sparsity", "greater than 0"],
      ],
      [
        "sparsity 1 in step 2",
        [QUANTIZE, step("PRUNE", { method: "structured", sparsity: 1 })],
        ["steps[2]", "sparsity", "less than 1"],
      ],
      [
        "an unknown prune method",
        [step("PRUNE", { method: "random", sparsity: 0.5 })],
        ["steps[1]", "method", "structured"],
      ],
      ["a missing sparsity", [step("PRUNE", { method: "structured" })], ["steps[1]", "sparsity"]],
      [
        "epochs 0",
        [PRUNE, step("FINE_TUNE", { epochs: 0, learningRate: 0.01, batchSize: 32 })],
        ["steps[2]", "FINE_TUNE", "epochs", "at least 1"],
      ],
      [
        "epochs 1.5",
        [step("FINE_TUNE", { epochs: 1.5, learningRate: 0.01, batchSize: 32 })],
        ["steps[1]", "epochs", "whole number"],
      ],
      [
        "learningRate -1",
        [step("FINE_TUNE", { epochs: 1, learningRate: -1, batchSize: 32 })],
        ["steps[1]", "learningRate", "greater than 0"],
      ],
      [
        "dtype int4",
        [PRUNE, FINE_TUNE, step("QUANTIZE", { dtype: "int4" })],
        ["steps[3]", "QUANTIZE", "dtype", "uint8"],
      ],
      [
        "DISTILL temperature 0",
        [PRUNE, step("DISTILL", { epochs: 2, learningRate: 0.05, batchSize: 32, temperature: 0 })],
        ["steps[2]", "DISTILL", "temperature", "greater than 0"],
      ],
      [
        "DISTILL temperature over 100",
        [step("DISTILL", { epochs: 2, learningRate: 0.05, batchSize: 32, temperature: 101 })],
        ["steps[1]", "temperature", "at most 100"],
      ],
      [
        "DISTILL epochs 0",
        [step("DISTILL", { epochs: 0, learningRate: 0.05, batchSize: 32 })],
        ["steps[1]", "DISTILL", "epochs", "at least 1"],
      ],
      [
        "DISTILL without a batch size",
        [step("DISTILL", { epochs: 2, learningRate: 0.05 })],
        ["steps[1]", "DISTILL", "batchSize"],
      ],
      [
        "SEARCH beside another step",
        [PRUNE, step("SEARCH", { timeBudgetMinutes: 10 })],
        ["steps[2]", "SEARCH", "the only step of its policy"],
      ],
      [
        "SEARCH with no time",
        [step("SEARCH", { timeBudgetMinutes: 0 })],
        ["steps[1]", "SEARCH", "timeBudgetMinutes", "greater than 0"],
      ],
      [
        "SEARCH over a day",
        [step("SEARCH", { timeBudgetMinutes: 1441 })],
        ["steps[1]", "timeBudgetMinutes", "at most 1440"],
      ],
      [
        "SEARCH with 201 trials",
        [step("SEARCH", { timeBudgetMinutes: 10, maxTrials: 201 })],
        ["steps[1]", "maxTrials", "at most 200"],
      ],
      [
        "SEARCH with an unknown dtype",
        [step("SEARCH", { timeBudgetMinutes: 10, dtypes: ["int4"] })],
        ["steps[1]", "dtypes.0", "uint8"],
      ],
      ["an unknown parameter", [step("QUANTIZE", { dtype: "uint8", bits: 4 })], ["steps[1]", "unknown parameter bits"]],
      ["11 steps", Array.from({ length: 11 }, () => QUANTIZE), ["steps", "at most 10"]],
      ["no steps", [], ["steps", "at least one step"]],
    ])(
      "refuses %s with BAD_USER_INPUT naming the step and the parameter, writing nothing",
      async (_what, steps, parts) => {
        const name = `bad-${uid()}`;
        const r = await api.gql(CREATE_POLICY, { i: { teamId: teamA, name, steps, maxAccuracyDrop: 0.01 } }, engineerA);
        expect(code(r)).toBe("BAD_USER_INPUT");
        for (const part of parts) expect(message(r)).toContain(part);
        expect(await api.db.optimizationPolicy.count({ where: { name } })).toBe(0);
      },
    );

    it("refuses an unknown step kind with BAD_USER_INPUT naming the step's kind", async () => {
      const r = await api.gql(
        CREATE_POLICY,
        {
          i: {
            teamId: teamA,
            name: `bad-${uid()}`,
            steps: [PRUNE, { kind: "SHRINK", params: {} }],
            maxAccuracyDrop: 0.01,
          },
        },
        engineerA,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain("steps[1].kind");
      expect(message(r)).toContain("SHRINK");
    });

    it("accepts a DISTILL step after a PRUNE step, temperature optional", async () => {
      const steps = [
        PRUNE,
        { kind: "DISTILL", params: { epochs: 3, learningRate: 0.05, batchSize: 32, temperature: 2 } },
        { kind: "DISTILL", params: { epochs: 1, learningRate: 0.01, batchSize: 64 } },
      ];
      const r = await api.ok<{ createOptimizationPolicy: { steps: unknown } }>(
        CREATE_POLICY,
        { i: { teamId: teamA, name: `distill-${uid()}`, steps, maxAccuracyDrop: 0.01 } },
        engineerA,
      );
      expect(r.createOptimizationPolicy.steps).toEqual(steps);
    });

    it("accepts a SEARCH policy, its optional parameters as given", async () => {
      for (const params of [
        { timeBudgetMinutes: 30 },
        { timeBudgetMinutes: 0.5, maxTrials: 12, recovery: "distill", dtypes: ["float16", "uint8"] },
      ]) {
        const r = await api.ok<{ createOptimizationPolicy: { steps: unknown } }>(
          CREATE_POLICY,
          { i: { teamId: teamA, name: `search-${uid()}`, steps: [{ kind: "SEARCH", params }], maxAccuracyDrop: 0.01 } },
          engineerA,
        );
        expect(r.createOptimizationPolicy.steps).toEqual([{ kind: "SEARCH", params }]);
      }
    });

    it.each([[-0.01], [1.5]])("refuses maxAccuracyDrop %s with BAD_USER_INPUT", async (drop) => {
      const r = await api.gql(
        CREATE_POLICY,
        { i: { teamId: teamA, name: `bad-${uid()}`, steps: [PRUNE], maxAccuracyDrop: drop } },
        engineerA,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain("maxAccuracyDrop");
    });

    it("refuses a duplicate name in the team with CONFLICT; another team may use it", async () => {
      const { name } = await createPolicy(teamA, {}, engineerA);
      const r = await api.gql(
        CREATE_POLICY,
        { i: { teamId: teamA, name, steps: [PRUNE], maxAccuracyDrop: 0.1 } },
        engineerA,
      );
      expect(code(r)).toBe("CONFLICT");
      expect(message(r)).toContain(name);
      await createPolicy(teamB, { name }, engineerB);
      expect(await api.db.optimizationPolicy.count({ where: { name } })).toBe(2);
    });

    it("refuses an unknown hardware profile or model with NOT_FOUND, another team's model, and another team", async () => {
      const name = `x-${uid()}`;
      const base = { teamId: teamA, name, steps: [PRUNE], maxAccuracyDrop: 0.1 };
      expect(
        code(await api.gql(CREATE_POLICY, { i: { ...base, hardwareProfileId: "no-such-profile" } }, engineerA)),
      ).toBe("NOT_FOUND");
      expect(code(await api.gql(CREATE_POLICY, { i: { ...base, modelId: "no-such-model" } }, engineerA))).toBe(
        "NOT_FOUND",
      );
      const { model: modelB } = await modelWithVersion(teamB);
      // Not even its existence shows to another team's engineer; an admin is told it is the wrong team.
      expect(code(await api.gql(CREATE_POLICY, { i: { ...base, modelId: modelB.id } }, engineerA))).toBe("NOT_FOUND");
      const wrongTeam = await api.gql(CREATE_POLICY, { i: { ...base, modelId: modelB.id } }, api.adminToken);
      expect(code(wrongTeam)).toBe("BAD_USER_INPUT");
      expect(message(wrongTeam)).toContain("modelId");
      expect(code(await api.gql(CREATE_POLICY, { i: { ...base, teamId: teamB } }, engineerA))).toBe("FORBIDDEN");
      expect(code(await api.gql(CREATE_POLICY, { i: base }, viewerA))).toBe("FORBIDDEN");
      expect(await api.db.optimizationPolicy.count({ where: { name } })).toBe(0);
    });
  });

  describe("updateOptimizationPolicy", () => {
    it("changes only the given fields, re-validating them, and audits before and after", async () => {
      const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: false } });
      const { id } = await createPolicy(teamA, { hardwareProfileId: profile.id }, engineerA);
      const r = await api.ok<{ updateOptimizationPolicy: any }>(
        UPDATE_POLICY,
        { id, i: { steps: [QUANTIZE], maxAccuracyDrop: 0.05, enabled: false, trigger: "NEW_VERSION" } },
        engineerA,
      );
      expect(r.updateOptimizationPolicy).toMatchObject({
        steps: [QUANTIZE],
        maxAccuracyDrop: 0.05,
        enabled: false,
        trigger: "NEW_VERSION",
        autoPromote: false,
        hardwareProfile: { id: profile.id },
      });
      const cleared = await api.ok<{ updateOptimizationPolicy: any }>(
        UPDATE_POLICY,
        { id, i: { hardwareProfileId: null } },
        engineerA,
      );
      expect(cleared.updateOptimizationPolicy).toMatchObject({
        hardwareProfile: null,
        steps: [QUANTIZE],
        enabled: false,
      });
      const audits = await api.db.auditEvent.findMany({
        where: { entityId: id, action: "policy.update" },
        orderBy: { createdAt: "asc" },
      });
      expect(audits).toHaveLength(2);
      expect(audits[0]!.before).toMatchObject({ maxAccuracyDrop: 0.02, enabled: true });
      expect(audits[0]!.after).toMatchObject({ maxAccuracyDrop: 0.05, enabled: false });
    });

    it("refuses bad steps, a bad guardrail, an unknown profile and a taken name, leaving the policy as it was", async () => {
      const { id } = await createPolicy(teamA, {}, engineerA);
      const other = await createPolicy(teamA, {}, engineerA);
      const before = await api.db.optimizationPolicy.findUniqueOrThrow({ where: { id } });

      const badStep = await api.gql(
        UPDATE_POLICY,
        { id, i: { steps: [PRUNE, { kind: "FINE_TUNE", params: { epochs: 0, learningRate: 0.1, batchSize: 8 } }] } },
        engineerA,
      );
      expect(code(badStep)).toBe("BAD_USER_INPUT");
      expect(message(badStep)).toContain("steps[2]");
      expect(message(badStep)).toContain("epochs");
      const badDrop = await api.gql(UPDATE_POLICY, { id, i: { maxAccuracyDrop: 2 } }, engineerA);
      expect(code(badDrop)).toBe("BAD_USER_INPUT");
      expect(message(badDrop)).toContain("maxAccuracyDrop");
      expect(code(await api.gql(UPDATE_POLICY, { id, i: { hardwareProfileId: "nope" } }, engineerA))).toBe("NOT_FOUND");
      expect(code(await api.gql(UPDATE_POLICY, { id, i: { name: other.name } }, engineerA))).toBe("CONFLICT");
      expect(code(await api.gql(UPDATE_POLICY, { id: "no-such-policy", i: { enabled: false } }, engineerA))).toBe(
        "NOT_FOUND",
      );
      expect(code(await api.gql(UPDATE_POLICY, { id, i: { enabled: false } }, engineerB))).toBe("NOT_FOUND");

      expect(await api.db.optimizationPolicy.findUniqueOrThrow({ where: { id } })).toEqual(before);
      expect(await api.db.auditEvent.count({ where: { entityId: id, action: "policy.update" } })).toBe(0);
    });
  });

  describe("optimizationPolicies", () => {
    it("lists a team's policies to any role of that team, and no other team's", async () => {
      const teamL = await api.createTeam();
      const viewerL = (await api.userToken("VIEWER", teamL)).token;
      const financeL = (await api.userToken("FINANCE", teamL)).token;
      const mine = [await createPolicy(teamL), await createPolicy(teamL)];
      await createPolicy(teamB);
      for (const token of [viewerL, financeL]) {
        const list = (
          await api.ok<{ optimizationPolicies: { id: string; team: { id: string } }[] }>(POLICIES, {}, token)
        ).optimizationPolicies;
        expect(list.map((p) => p.id).sort()).toEqual(mine.map((p) => p.id).sort());
      }
      expect(code(await api.gql(POLICIES, { t: teamB }, viewerL))).toBe("FORBIDDEN");
      const adminView = (await api.ok<{ optimizationPolicies: { team: { id: string } }[] }>(POLICIES, { t: teamL }))
        .optimizationPolicies;
      expect(adminView).toHaveLength(2);
      const all = (await api.ok<{ optimizationPolicies: { team: { id: string } }[] }>(POLICIES)).optimizationPolicies;
      expect(all.some((p) => p.team.id === teamB) && all.some((p) => p.team.id === teamL)).toBe(true);
    });
  });

  describe("runOptimizationPolicy", () => {
    it("runs PRUNE → DISTILL on a model with only an UNLABELED dataset, and says what a model without data lacks", async () => {
      const DISTILL = { kind: "DISTILL", params: { epochs: 2, learningRate: 0.05, batchSize: 32 } };
      const bare = await modelWithVersion(teamA, { train: false, evaluation: false });
      const policy = await createPolicy(teamA, { steps: [PRUNE, DISTILL] }, engineerA);
      const refused = await api.gql(RUN, { p: policy.id, v: bare.version.id }, engineerA);
      expect(code(refused)).toBe("BAD_USER_INPUT");
      expect(message(refused)).toBe(
        `steps[2] (DISTILL) needs inputs, and model ${bare.model.name} has neither a TRAIN nor an UNLABELED dataset: register one with registerDataset (role: UNLABELED takes inputs without labels)`,
      );
      const pruneOnly = await createPolicy(teamA, { steps: [PRUNE] }, engineerA);
      expect(message(await api.gql(RUN, { p: pruneOnly.id, v: bare.version.id }, engineerA))).toContain(
        "or an UNLABELED one to compare by agreement with the source version",
      );
      await api.db.dataset.create({
        data: {
          modelId: bare.model.id,
          name: "traffic",
          role: "UNLABELED",
          rows: 10,
          artifactId: (await artifact("DATASET", teamA)).id,
        },
      });
      const job = (await api.ok<{ runOptimizationPolicy: Job }>(RUN, { p: policy.id, v: bare.version.id }, engineerA))
        .runOptimizationPolicy;
      expect(job).toMatchObject({ status: "QUEUED", steps: [PRUNE, DISTILL] });
    });

    it("creates a QUEUED job with a snapshot of the steps and puts optimize-<id> on the queue with { jobId }", async () => {
      const { model, version } = await modelWithVersion(teamA);
      const policy = await createPolicy(teamA, { modelId: model.id }, engineerA);
      const job = (await api.ok<{ runOptimizationPolicy: Job }>(RUN, { p: policy.id, v: version.id }, engineerA))
        .runOptimizationPolicy;
      expect(job).toMatchObject({
        status: "QUEUED",
        progress: 0,
        triggeredBy: "manual",
        attempts: 0,
        cancelRequested: false,
        policy: { id: policy.id },
        sourceVersion: { id: version.id },
        model: { id: model.id },
        steps: THREE_STEPS,
        candidates: [],
        bestVersion: null,
        finishedAt: null,
      });
      const queued = await optimizeQueue.getJob(`optimize-${job.id}`);
      expect(queued?.data).toEqual({ jobId: job.id });
      expect(await queued?.getState()).toBe("waiting");
      expect(await api.db.auditEvent.count({ where: { entityId: job.id, action: "job.create" } })).toBe(1);
      // A viewer of the team watches it.
      expect((await api.ok<{ optimizationJob: Job }>(JOB, { id: job.id }, viewerA)).optimizationJob.status).toBe(
        "QUEUED",
      );
    });

    const refusals: [string, () => Promise<{ policyId: string; versionId: string; token: string }>, string, string][] =
      [
        [
          "a FINE_TUNE step on a model without a TRAIN dataset",
          async () => {
            const { version } = await modelWithVersion(teamA, { train: false });
            return { policyId: (await createPolicy(teamA)).id, versionId: version.id, token: engineerA };
          },
          "BAD_USER_INPUT",
          "TRAIN",
        ],
        [
          "a SEARCH recovering with fine_tune on a model without a TRAIN dataset",
          async () => {
            const { version } = await modelWithVersion(teamA, { train: false });
            const steps = [{ kind: "SEARCH", params: { timeBudgetMinutes: 5, recovery: "fine_tune" } }];
            return { policyId: (await createPolicy(teamA, { steps })).id, versionId: version.id, token: engineerA };
          },
          "BAD_USER_INPUT",
          "recovers with fine_tune, which needs a TRAIN dataset",
        ],
        [
          "a model without an EVALUATION dataset",
          async () => {
            const { version } = await modelWithVersion(teamA, { evaluation: false });
            return {
              policyId: (await createPolicy(teamA, { steps: [PRUNE] })).id,
              versionId: version.id,
              token: engineerA,
            };
          },
          "BAD_USER_INPUT",
          "EVALUATION",
        ],
        [
          "a PENDING version",
          async () => {
            const { version } = await modelWithVersion(teamA, { status: "PENDING" });
            return { policyId: (await createPolicy(teamA)).id, versionId: version.id, token: engineerA };
          },
          "BAD_USER_INPUT",
          "PENDING",
        ],
        [
          "a disabled policy",
          async () => {
            const { version } = await modelWithVersion(teamA);
            const policy = await createPolicy(teamA);
            await api.ok(UPDATE_POLICY, { id: policy.id, i: { enabled: false } });
            return { policyId: policy.id, versionId: version.id, token: engineerA };
          },
          "BAD_USER_INPUT",
          "disabled",
        ],
        [
          "a policy of another model",
          async () => {
            const { version } = await modelWithVersion(teamA);
            const { model: otherModel } = await modelWithVersion(teamA);
            return {
              policyId: (await createPolicy(teamA, { modelId: otherModel.id })).id,
              versionId: version.id,
              token: engineerA,
            };
          },
          "BAD_USER_INPUT",
          "another model",
        ],
        [
          "another team's policy (engineer)",
          async () => {
            const { version } = await modelWithVersion(teamA);
            return { policyId: (await createPolicy(teamB)).id, versionId: version.id, token: engineerA };
          },
          "NOT_FOUND",
          "not found",
        ],
        [
          "another team's policy (even for an admin)",
          async () => {
            const { version } = await modelWithVersion(teamA);
            return { policyId: (await createPolicy(teamB)).id, versionId: version.id, token: api.adminToken };
          },
          "FORBIDDEN",
          "another team",
        ],
        [
          "another team's version",
          async () => {
            const { version } = await modelWithVersion(teamB);
            return { policyId: (await createPolicy(teamA)).id, versionId: version.id, token: engineerA };
          },
          "NOT_FOUND",
          "not found",
        ],
        [
          "an unknown version",
          async () => ({ policyId: (await createPolicy(teamA)).id, versionId: "no-such-version", token: engineerA }),
          "NOT_FOUND",
          "no-such-version",
        ],
      ];
    it.each(refusals)("refuses %s, writing and enqueueing nothing", async (_what, setup, expectedCode, text) => {
      const { policyId, versionId, token } = await setup();
      const [jobsBefore, auditBefore, queuedBefore] = [
        await api.db.optimizationJob.count(),
        await api.db.auditEvent.count(),
        await queuedCount(),
      ];
      const r = await api.gql(RUN, { p: policyId, v: versionId }, token);
      expect(code(r)).toBe(expectedCode);
      expect(message(r)).toContain(text);
      expect(await api.db.optimizationJob.count()).toBe(jobsBefore);
      expect(await api.db.auditEvent.count()).toBe(auditBefore);
      expect(await queuedCount()).toBe(queuedBefore);
    });
  });

  describe("cancelOptimizationJob", () => {
    const runOne = async () => {
      const { version } = await modelWithVersion(teamA);
      const policy = await createPolicy(teamA);
      return (await api.ok<{ runOptimizationPolicy: Job }>(RUN, { p: policy.id, v: version.id }, engineerA))
        .runOptimizationPolicy;
    };

    it("cancels a QUEUED job at once and takes it off the queue", async () => {
      const job = await runOne();
      expect(await optimizeQueue.getJob(`optimize-${job.id}`)).toBeTruthy();
      const cancelled = (await api.ok<{ cancelOptimizationJob: Job }>(CANCEL, { id: job.id }, engineerA))
        .cancelOptimizationJob;
      expect(cancelled).toMatchObject({ status: "CANCELLED", cancelRequested: true });
      expect(cancelled.finishedAt).not.toBeNull();
      expect(await optimizeQueue.getJob(`optimize-${job.id}`)).toBeUndefined();
      expect(await api.db.auditEvent.count({ where: { entityId: job.id, action: "job.cancel" } })).toBe(1);
    });

    it("asks a RUNNING job to stop at the next batch or step", async () => {
      const job = await runOne();
      await api.db.optimizationJob.update({
        where: { id: job.id },
        data: { status: "RUNNING", startedAt: new Date(), progress: 0.4, attempts: 1 },
      });
      const r = (await api.ok<{ cancelOptimizationJob: Job }>(CANCEL, { id: job.id }, engineerA)).cancelOptimizationJob;
      expect(r).toMatchObject({
        status: "RUNNING",
        cancelRequested: true,
        stage: "Cancellation requested; stopping at the next batch or step",
        finishedAt: null,
        progress: 0.4,
      });
      expect((await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } })).cancelRequested).toBe(true);
      expect(await api.db.auditEvent.count({ where: { entityId: job.id, action: "job.cancel_request" } })).toBe(1);
    });

    it("treats a QUEUED job a worker has already taken like a running one", async () => {
      const job = await runOne();
      const workerConnection = new Redis(api.env.REDIS_URL, { maxRetriesPerRequest: null });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let taken!: () => void;
      const takenPromise = new Promise<void>((resolve) => (taken = resolve));
      const worker = new Worker(
        "optimize",
        async (j) => {
          if (j.id === `optimize-${job.id}`) taken();
          await held;
        },
        { connection: workerConnection, prefix: api.env.QUEUE_PREFIX, concurrency: 50 },
      );
      try {
        await takenPromise;
        const r = (await api.ok<{ cancelOptimizationJob: Job }>(CANCEL, { id: job.id }, engineerA))
          .cancelOptimizationJob;
        expect(r).toMatchObject({
          status: "QUEUED",
          cancelRequested: true,
          stage: "Cancellation requested; stopping at the next batch or step",
        });
        expect(await (await optimizeQueue.getJob(`optimize-${job.id}`))?.isActive()).toBe(true);
      } finally {
        release();
        await worker.close();
        await workerConnection.quit();
      }
    });

    it("refuses a finished job with CONFLICT naming its status, another team's job as not found, and readers", async () => {
      const job = await runOne();
      await api.db.optimizationJob.update({
        where: { id: job.id },
        data: { status: "SUCCEEDED", progress: 1, finishedAt: new Date() },
      });
      const r = await api.gql(CANCEL, { id: job.id }, engineerA);
      expect(code(r)).toBe("CONFLICT");
      expect(message(r)).toContain("SUCCEEDED");
      expect((await api.db.optimizationJob.findUniqueOrThrow({ where: { id: job.id } })).cancelRequested).toBe(false);

      const other = await runOne();
      expect(code(await api.gql(CANCEL, { id: other.id }, engineerB))).toBe("NOT_FOUND");
      expect(code(await api.gql(CANCEL, { id: other.id }, viewerA))).toBe("FORBIDDEN");
      expect(code(await api.gql(CANCEL, { id: "no-such-job" }, engineerA))).toBe("NOT_FOUND");
      await api.ok(CANCEL, { id: other.id }, engineerA);
      const again = await api.gql(CANCEL, { id: other.id }, engineerA);
      expect(code(again)).toBe("CONFLICT");
      expect(message(again)).toContain("CANCELLED");
    });
  });

  describe("optimizationJob and optimizationJobs", () => {
    let teamJ: string;
    let engineerJ: string;
    let modelX: string;
    let modelY: string;
    const ids: Record<string, string[]> = {};

    beforeAll(async () => {
      teamJ = await api.createTeam();
      engineerJ = (await api.userToken("ML_ENGINEER", teamJ)).token;
      const x = await modelWithVersion(teamJ);
      const y = await modelWithVersion(teamJ);
      [modelX, modelY] = [x.model.id, y.model.id];
      const policy = await api.db.optimizationPolicy.create({
        data: { teamId: teamJ, name: "jobs", steps: THREE_STEPS, maxAccuracyDrop: 0.02 },
      });
      const rows: [string, JobStatus][] = [
        [x.version.id, "QUEUED"],
        [x.version.id, "RUNNING"],
        [x.version.id, "SUCCEEDED"],
        [x.version.id, "SUCCEEDED"],
        [y.version.id, "SUCCEEDED"],
        [y.version.id, "FAILED"],
        [y.version.id, "CANCELLED"],
      ];
      let t = Date.parse("2026-03-01T00:00:00Z");
      for (const [sourceVersionId, status] of rows) {
        const job = await api.db.optimizationJob.create({
          data: {
            policyId: policy.id,
            sourceVersionId,
            status,
            steps: THREE_STEPS,
            triggeredBy: "manual",
            createdBy: "system",
            createdAt: new Date((t += 60_000)),
          },
        });
        (ids[`${sourceVersionId === x.version.id ? "x" : "y"}:${status}`] ??= []).push(job.id);
        (ids.all ??= []).push(job.id);
      }
    });

    type Page = {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: { id: string; status: string } }[];
    };
    const jobs = async (vars: Record<string, unknown>, token = engineerJ) =>
      (await api.ok<{ optimizationJobs: Page }>(JOBS, vars, token)).optimizationJobs;

    it("filters by status and by model, newest first", async () => {
      expect((await jobs({})).totalCount).toBe(7);
      const succeeded = await jobs({ s: "SUCCEEDED" });
      expect(succeeded.edges.map((e) => e.node.id)).toEqual([
        ids["y:SUCCEEDED"]![0],
        ids["x:SUCCEEDED"]![1],
        ids["x:SUCCEEDED"]![0],
      ]);
      expect((await jobs({ m: modelX })).totalCount).toBe(4);
      const ySucceeded = await jobs({ m: modelY, s: "SUCCEEDED" });
      expect(ySucceeded.edges.map((e) => e.node.id)).toEqual(ids["y:SUCCEEDED"]);
      expect((await jobs({ m: modelY, s: "RUNNING" })).totalCount).toBe(0);
    });

    it("pages through every job exactly once", async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: Page = await jobs({ f: 3, a: after });
        seen.push(...page.edges.map((e) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        pages++;
      } while (after && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids.all!].reverse());
      expect(code(await api.gql(JOBS, { f: 0 }, engineerJ))).toBe("BAD_USER_INPUT");
    });

    it("shows other teams none of them", async () => {
      const theirs = await jobs({ f: 100 }, engineerA);
      expect(theirs.edges.filter((e) => ids.all!.includes(e.node.id))).toEqual([]);
      expect(theirs.totalCount).toBe(await api.db.optimizationJob.count({ where: { policy: { teamId: teamA } } }));
      expect((await jobs({ m: modelX }, engineerA)).totalCount).toBe(0);
      expect((await api.ok<{ optimizationJob: null }>(JOB, { id: ids.all![0] }, engineerA)).optimizationJob).toBeNull();
      expect(
        (await api.ok<{ optimizationJob: null }>(JOB, { id: "no-such-job" }, engineerA)).optimizationJob,
      ).toBeNull();
      expect((await jobs({ m: modelX }, api.adminToken)).totalCount).toBe(4);
    });

    it("filters by policy: a policy's page lists its own runs only", async () => {
      const { policyId } = await api.db.optimizationJob.findUniqueOrThrow({
        where: { id: ids.all![0] },
        select: { policyId: true },
      });
      const { model, version } = await modelWithVersion(teamJ);
      const other = await api.db.optimizationPolicy.create({
        data: { teamId: teamJ, modelId: model.id, name: `other-${uid()}`, steps: THREE_STEPS, maxAccuracyDrop: 0.02 },
      });
      const job = await api.db.optimizationJob.create({
        data: {
          policyId: other.id,
          sourceVersionId: version.id,
          steps: THREE_STEPS,
          triggeredBy: "manual",
          createdBy: "system",
        },
      });
      expect((await jobs({ p: other.id })).edges.map((e) => e.node.id)).toEqual([job.id]);
      expect((await jobs({ p: policyId, f: 100 })).edges.map((e) => e.node.id)).toEqual([...ids.all!].reverse());
      // Another team's policy id finds nothing of theirs.
      expect((await jobs({ p: other.id }, engineerA)).totalCount).toBe(0);
    });

    it("answers the candidates in step order, the best version with its cost, and the worker's result", async () => {
      const { model, version } = await modelWithVersion(teamJ);
      const policy = await api.db.optimizationPolicy.create({
        data: { teamId: teamJ, name: `p-${uid()}`, steps: THREE_STEPS, maxAccuracyDrop: 0.02 },
      });
      const job = await api.db.optimizationJob.create({
        data: {
          policyId: policy.id,
          sourceVersionId: version.id,
          steps: THREE_STEPS,
          triggeredBy: "manual",
          createdBy: "system",
          status: "RUNNING",
        },
      });
      const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
      const sources = ["PRUNE", "FINE_TUNE", "QUANTIZE"] as const;
      const made: string[] = [];
      // Made out of order on purpose: step 2, then 0, then 1.
      for (const stepIndex of [2, 0, 1]) {
        const v = await api.db.modelVersion.create({
          data: {
            modelId: model.id,
            number: stepIndex + 2,
            source: sources[stepIndex]!,
            status: "READY",
            parentId: version.id,
            recipe: { step: stepIndex + 1 },
            artifactId: (await artifact("TFJS_LAYERS_MODEL", teamJ)).id,
            jobId: job.id,
            stepIndex,
            createdBy: "system",
          },
        });
        made[stepIndex] = v.id;
        await api.db.costMeasurement.create({
          data: {
            versionId: v.id,
            hardwareProfileId: profile.id,
            backend: "tensorflow",
            batchSize: 32,
            latencyP50Ms: 1,
            latencyP95Ms: 2,
            latencyP99Ms: 3,
            throughputPerSecond: 1000,
            peakMemoryBytes: 1,
            modelSizeBytes: 1,
            loadTimeMs: 1,
            macsPerInference: 1,
            costPerMillionUsd: ["0.020000", "0.010000", "0.015000"][stepIndex]!,
            runs: 50,
          },
        });
      }
      const result = {
        steps: [
          { step: 1, kind: "PRUNE", saving: true },
          { step: 2, kind: "FINE_TUNE", saving: false, note: "no measured saving" },
        ],
      };
      await api.db.optimizationJob.update({
        where: { id: job.id },
        data: { status: "SUCCEEDED", progress: 1, bestVersionId: made[1], result, finishedAt: new Date() },
      });

      const q = `query($id:ID!){ optimizationJob(id:$id){ status progress result candidates { id number source recipe parent { id } } bestVersion { id cost { costPerMillionUsd } } } }`;
      const r = (await api.ok<{ optimizationJob: any }>(q, { id: job.id }, engineerJ)).optimizationJob;
      expect(r.candidates.map((c: { id: string }) => c.id)).toEqual(made);
      expect(r.candidates.map((c: { source: string }) => c.source)).toEqual(["PRUNE", "FINE_TUNE", "QUANTIZE"]);
      expect(r.candidates[0].parent).toEqual({ id: version.id });
      expect(r.bestVersion).toEqual({ id: made[1], cost: { costPerMillionUsd: "0.01" } });
      expect(r).toMatchObject({ status: "SUCCEEDED", progress: 1, result });
    });
  });
});
