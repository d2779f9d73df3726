import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema as parseSdl } from "graphql";
import { MUTATION_PERMISSIONS, QUERY_PERMISSIONS, Roles, type Role } from "@costgate/core";
import { PASSWORD, TestApi } from "../../../test/harness.ts";
import { buildSchema } from "../schema.ts";

const uid = () => randomBytes(4).toString("hex");

/**
 * Runs every served mutation as every role, against the caller's own team, and checks the
 * permission table holds: a role outside the row gets FORBIDDEN and nothing is written;
 * a role inside it gets its result (never a silent no-op).
 */
describe("permission table", () => {
  let api: TestApi;
  let teamId: string;
  const tokens = {} as Record<Role, string>;
  const emails = {} as Record<Role, string>;

  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
    for (const role of Roles) ({ token: tokens[role], email: emails[role] } = await api.userToken(role, teamId));
  });
  afterAll(() => api?.stop());

  const artifact = (kind: "TFJS_LAYERS_MODEL" | "DATASET") =>
    api.db.artifact.create({
      data: {
        kind,
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 10,
        files: [],
        metadata: kind === "DATASET" ? { rows: 3 } : { parameterCount: 5, weights: [] },
        teamId,
        createdBy: "system",
      },
    });
  const model = () => api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
  /** A READY version (evaluated and measured, as the worker leaves it) of a fresh model with TRAIN and EVALUATION datasets. */
  const readyVersion = async () => {
    const m = await model();
    const version = await api.db.modelVersion.create({
      data: {
        modelId: m.id,
        number: 1,
        source: "UPLOAD",
        status: "READY",
        artifactId: (await artifact("TFJS_LAYERS_MODEL")).id,
        createdBy: "system",
      },
    });
    for (const role of ["TRAIN", "EVALUATION"] as const) {
      await api.db.dataset.create({
        data: { modelId: m.id, name: role.toLowerCase(), role, rows: 3, artifactId: (await artifact("DATASET")).id },
      });
    }
    return version;
  };
  const STEPS = [
    { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
    { kind: "FINE_TUNE", params: { epochs: 1, learningRate: 0.01, batchSize: 16 } },
    { kind: "QUANTIZE", params: { dtype: "uint8" } },
  ];
  const policy = () =>
    api.db.optimizationPolicy.create({ data: { teamId, name: `p-${uid()}`, steps: STEPS, maxAccuracyDrop: 0.02 } });
  const webhook = () =>
    api.db.webhook.create({
      data: {
        teamId,
        url: "https://hooks.example.com/costgate",
        secret: "v1.sealed-elsewhere",
        events: ["alert.created"],
      },
    });
  const budget = () =>
    api.db.budget.create({
      data: { teamId, name: `b-${uid()}`, amountUsd: "100", period: "MONTHLY", alertThresholds: [0.5, 1] },
    });
  /** A READY version with a cost measurement on the default hardware profile, so its usage can be priced. */
  const measuredVersion = async () => {
    const v = await readyVersion();
    const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    await api.db.costMeasurement.create({
      data: {
        versionId: v.id,
        hardwareProfileId: profile.id,
        backend: "wasm",
        batchSize: 32,
        latencyP50Ms: 1,
        latencyP95Ms: 1,
        latencyP99Ms: 1,
        throughputPerSecond: 1000,
        peakMemoryBytes: 1,
        modelSizeBytes: 1,
        loadTimeMs: 1,
        macsPerInference: 1,
        costPerMillionUsd: "0.024792",
        runs: 10,
      },
    });
    return v;
  };

  /**
   * One valid call of each mutation, with fresh fixtures so every role's call could succeed.
   * A call that would end the caller's session (logout) brings a fresh token of that role.
   */
  const calls: Record<
    string,
    (role: Role) => Promise<{ query: string; variables: Record<string, unknown>; token?: string }>
  > = {
    login: async () => ({
      query: `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }`,
      variables: { e: "admin@test.local", p: "admin-password-123" },
    }),
    createUser: async () => ({
      query: `mutation($i:CreateUserInput!){ createUser(input:$i){ id } }`,
      variables: {
        i: { email: `u-${uid()}@test.local`, name: "U", password: "long-enough-password", role: "VIEWER", teamId },
      },
    }),
    logout: async (role) => ({
      query: `mutation { logout }`,
      variables: {},
      token: await api.login(emails[role], PASSWORD),
    }),
    revokeUserSessions: async () => {
      const user = await api.db.user.create({
        data: { email: `s-${uid()}@test.local`, name: "S", role: "VIEWER", teamId, passwordHash: "x" },
      });
      return { query: `mutation($u:ID!){ revokeUserSessions(userId:$u) }`, variables: { u: user.id } };
    },
    updateUser: async () => {
      const user = await api.db.user.create({
        data: { email: `e-${uid()}@test.local`, name: "E", role: "VIEWER", teamId, passwordHash: "x" },
      });
      return {
        query: `mutation($id:ID!,$i:UpdateUserInput!){ updateUser(id:$id, input:$i){ id } }`,
        variables: { id: user.id, i: { name: "Edited" } },
      };
    },
    // The same password again: the caller's own session stays, so the next role's calls still work.
    changePassword: async () => ({
      query: `mutation($c:String!,$n:String!){ changePassword(currentPassword:$c, newPassword:$n) }`,
      variables: { c: PASSWORD, n: PASSWORD },
    }),
    createTeam: async () => ({
      query: `mutation($i:CreateTeamInput!){ createTeam(input:$i){ id } }`,
      variables: { i: { name: "T", slug: `t-${uid()}` } },
    }),
    createApiKey: async () => ({
      query: `mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret } }`,
      variables: { i: { name: "k", role: "VIEWER", teamId } },
    }),
    revokeApiKey: async () => {
      const key = await api.db.apiKey.create({
        data: { name: "k", role: "VIEWER", teamId, prefix: uid() + uid().slice(0, 4), secretHash: "0".repeat(64) },
      });
      return { query: `mutation($id:ID!){ revokeApiKey(id:$id){ revokedAt } }`, variables: { id: key.id } };
    },
    createModel: async () => ({
      query: `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
      variables: { i: { teamId, name: `m-${uid()}`, task: "REGRESSION" } },
    }),
    registerModelVersion: async () => {
      const [m, a] = [await model(), await artifact("TFJS_LAYERS_MODEL")];
      return {
        query: `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id number } }`,
        variables: { i: { modelId: m.id, artifactId: a.id } },
      };
    },
    registerDataset: async () => {
      const [m, a] = [await model(), await artifact("DATASET")];
      return {
        query: `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id } }`,
        variables: { i: { modelId: m.id, artifactId: a.id, name: "eval", role: "EVALUATION" } },
      };
    },
    upsertHardwareProfile: async () => ({
      query: `mutation($i:HardwareProfileInput!){ upsertHardwareProfile(input:$i){ id } }`,
      variables: { i: { name: `hw-${uid()}`, hourlyPriceUsd: "0.1", vcpus: 2, memoryGiB: 4 } },
    }),
    promoteModelVersion: async () => {
      const v = await readyVersion();
      return {
        query: `mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { id stage } } }`,
        variables: { i: { versionId: v.id, stage: "STAGING" } },
      };
    },
    requestPromotionOverride: async () => {
      // Never measured, under a BLOCK_PROMOTION budget of its model: the cost gate refuses it.
      const v = await readyVersion();
      await api.db.budget.create({
        data: {
          teamId,
          modelId: v.modelId,
          name: `b-${uid()}`,
          amountUsd: "100",
          period: "MONTHLY",
          alertThresholds: [1],
          action: "BLOCK_PROMOTION",
        },
      });
      return {
        query: `mutation($v:ID!){ requestPromotionOverride(versionId:$v, stage:PRODUCTION, reason:"launch"){ id kind } }`,
        variables: { v: v.id },
      };
    },
    remeasureModelVersion: async () => {
      const v = await readyVersion();
      return { query: `mutation($v:ID!){ remeasureModelVersion(versionId:$v){ id } }`, variables: { v: v.id } };
    },
    reevaluateModelVersion: async () => {
      const v = await readyVersion();
      return { query: `mutation($v:ID!){ reevaluateModelVersion(versionId:$v){ id } }`, variables: { v: v.id } };
    },
    createOptimizationPolicy: async () => ({
      query: `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
      variables: { i: { teamId, name: `p-${uid()}`, steps: STEPS, maxAccuracyDrop: 0.01 } },
    }),
    updateOptimizationPolicy: async () => {
      const p = await policy();
      return {
        query: `mutation($id:ID!,$i:UpdateOptimizationPolicyInput!){ updateOptimizationPolicy(id:$id, input:$i){ id enabled } }`,
        variables: { id: p.id, i: { maxAccuracyDrop: 0.05, enabled: false } },
      };
    },
    runOptimizationPolicy: async () => {
      const [p, v] = [await policy(), await readyVersion()];
      return {
        query: `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id status } }`,
        variables: { p: p.id, v: v.id },
      };
    },
    cancelOptimizationJob: async () => {
      const [p, v] = [await policy(), await readyVersion()];
      const job = await api.db.optimizationJob.create({
        data: { policyId: p.id, sourceVersionId: v.id, steps: STEPS, triggeredBy: "manual", createdBy: "system" },
      });
      return { query: `mutation($id:ID!){ cancelOptimizationJob(id:$id){ id status } }`, variables: { id: job.id } };
    },
    createBudget: async () => ({
      query: `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id } }`,
      variables: {
        i: { name: "Monthly", teamId, amountUsd: "100.00", period: "MONTHLY", alertThresholds: [0.5, 0.8, 1] },
      },
    }),
    updateBudget: async () => {
      const b = await budget();
      return {
        query: `mutation($id:ID!,$i:UpdateBudgetInput!){ updateBudget(id:$id, input:$i){ id amountUsd } }`,
        variables: { id: b.id, i: { amountUsd: "150" } },
      };
    },
    deleteBudget: async () => {
      const b = await budget();
      return { query: `mutation($id:ID!){ deleteBudget(id:$id) }`, variables: { id: b.id } };
    },
    recordUsage: async () => {
      const v = await measuredVersion();
      return {
        query: `mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted duplicates costUsd } }`,
        variables: {
          i: [{ versionId: v.id, requests: 1000, occurredAt: new Date().toISOString(), idempotencyKey: `k-${uid()}` }],
        },
      };
    },
    acknowledgeAlert: async () => {
      const alert = await api.db.alert.create({
        data: {
          budgetId: (await budget()).id,
          kind: "THRESHOLD_ACTUAL",
          threshold: 0.5,
          spentUsd: "50",
          forecastUsd: "90",
          periodStart: new Date("2026-01-01T00:00:00Z"),
        },
      });
      return {
        query: `mutation($id:ID!){ acknowledgeAlert(id:$id){ id acknowledgedAt } }`,
        variables: { id: alert.id },
      };
    },
    createSpendExport: async () => ({
      query: `mutation($i:SpendExportInput!){ createSpendExport(input:$i){ id status } }`,
      variables: { i: { teamId, from: "2028-01-01T00:00:00Z", to: "2028-02-01T00:00:00Z", format: "FOCUS" } },
    }),
    setSpendExportSchedule: async () => ({
      query: `mutation($t:ID!){ setSpendExportSchedule(teamId:$t, format: CSV, enabled: true){ enabled } }`,
      variables: { t: teamId },
    }),
    createWebhook: async () => ({
      query: `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id url events } }`,
      variables: {
        i: {
          teamId,
          url: "https://hooks.example.com/costgate",
          secret: "a-signing-secret-0123",
          events: ["alert.created"],
        },
      },
    }),
    updateWebhook: async () => {
      const w = await webhook();
      return {
        query: `mutation($id:ID!,$i:UpdateWebhookInput!){ updateWebhook(id:$id, input:$i){ id enabled } }`,
        variables: { id: w.id, i: { enabled: false } },
      };
    },
    deleteWebhook: async () => {
      const w = await webhook();
      return { query: `mutation($id:ID!){ deleteWebhook(id:$id) }`, variables: { id: w.id } };
    },
    sendTestWebhook: async () => {
      const w = await webhook();
      return { query: `mutation($id:ID!){ sendTestWebhook(webhookId:$id){ id } }`, variables: { id: w.id } };
    },
  };

  const served = Object.keys(buildSchema().getMutationType()!.getFields());

  it("has a row for every mutation of the public contract", () => {
    const contract = parseSdl(
      readFileSync(new URL("../../../../../../shared/contract/schema.graphql", import.meta.url), "utf8"),
    );
    const missing = Object.keys(contract.getMutationType()!.getFields()).filter((m) => !(m in MUTATION_PERMISSIONS));
    expect(missing).toEqual([]);
  });

  it("has a sample call for every served mutation", () => {
    expect(served.filter((m) => !(m in calls))).toEqual([]);
  });

  for (const mutationName of Object.keys(calls)) {
    for (const role of Roles) {
      const row = MUTATION_PERMISSIONS[mutationName as keyof typeof MUTATION_PERMISSIONS];
      const allowed = row === "PUBLIC" || (row as readonly Role[]).includes(role);
      it(`${mutationName} as ${role}: ${allowed ? "allowed" : "FORBIDDEN"}`, async () => {
        const { query, variables, token } = await calls[mutationName]!(role);
        const auditBefore = await api.db.auditEvent.count();
        const r = await api.gql(query, variables, token ?? tokens[role]);
        if (allowed) {
          expect(r.errors).toBeUndefined();
          expect(r.data?.[mutationName]).toBeTruthy();
          if (mutationName !== "login") expect(await api.db.auditEvent.count()).toBeGreaterThan(auditBefore);
        } else {
          expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
          expect(r.data).toBeNull();
          expect(await api.db.auditEvent.count()).toBe(auditBefore);
        }
      });
    }
  }

  /** One call of each query only some roles may run (QUERY_PERMISSIONS). */
  const restrictedQueries: Record<keyof typeof QUERY_PERMISSIONS, string> = {
    webhooks: `{ webhooks { id url } }`,
    spendExport: `{ spendExport(id: "unknown") { id } }`,
    spendExportSchedule: `query($t:ID!){ spendExportSchedule(teamId: $t) { enabled } }`,
  };

  for (const [queryName, query] of Object.entries(restrictedQueries)) {
    for (const role of Roles) {
      const allowed = (QUERY_PERMISSIONS[queryName as keyof typeof QUERY_PERMISSIONS] as readonly Role[]).includes(
        role,
      );
      it(`query ${queryName} as ${role}: ${allowed ? "allowed" : "FORBIDDEN"}`, async () => {
        const r = await api.gql(query, { t: teamId }, tokens[role]);
        if (allowed) {
          expect(r.errors).toBeUndefined();
          if (queryName === "webhooks") expect(r.data?.[queryName]).toBeInstanceOf(Array);
          else expect(r.data).toHaveProperty(queryName);
        } else {
          expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
          // A nullable field answers null beside the error; a non-null one nulls the whole data.
          expect(r.data?.[queryName] ?? null).toBeNull();
        }
      });
    }
  }

  it("refuses every mutation but login without credentials", async () => {
    for (const mutationName of served.filter((m) => m !== "login")) {
      const { query, variables } = await calls[mutationName]!("VIEWER");
      const r = await api.gql(query, variables, null);
      expect(r.errors?.[0]?.extensions?.code, mutationName).toBe("UNAUTHENTICATED");
    }
  });

  it("keeps non-admins inside their own team", async () => {
    const otherTeam = await api.createTeam();
    const r = await api.gql(
      `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
      { i: { teamId: otherTeam, name: "x", task: "REGRESSION" } },
      tokens.ML_ENGINEER,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const list = await api.ok<{ models: { totalCount: number } }>(
      `{ models(teamId: "${otherTeam}") { totalCount } }`,
      {},
      tokens.ADMIN,
    );
    expect(list.models.totalCount).toBe(0);
    const peek = await api.gql(`{ models(teamId: "${otherTeam}") { totalCount } }`, {}, tokens.VIEWER);
    expect(peek.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
