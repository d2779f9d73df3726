import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isAppError } from "@costgate/core";
import { Producer } from "@costgate/queue";
import { costGate, promoteVersion } from "@costgate/services";
import { TestApi } from "../../../../test/harness.ts";
import { measuredModel, recordUsage, usage } from "../../../../test/spend-fixtures.ts";

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

const PROJECTION = `currentMonthlyUsd projectedMonthlyUsd deltaMonthlyUsd withinBudget budget { id name }`;
const PREVIEW = `query($v:ID!){ promotionPreview(versionId:$v){ ${PROJECTION} } }`;
const PROMOTE = `mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { id stage } projection { ${PROJECTION} } } }`;
const CREATE_BUDGET = `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id name } }`;

type Projection = {
  currentMonthlyUsd: string;
  projectedMonthlyUsd: string;
  deltaMonthlyUsd: string;
  withinBudget: boolean;
  budget: { id: string; name: string } | null;
};
type Promotion = { promoteModelVersion: { version: { id: string; stage: string }; projection: Projection | null } };

const NOW = "2028-03-20T12:00:00Z";

describe("the cost gate", () => {
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
  beforeEach(() => api.setNow(NOW));

  /**
   * A team with a model in production at $1 per million requests, a costlier candidate ($3),
   * a cheaper one ($0.50) and one never measured. Traffic: 4M requests on 25 February and 6M on
   * 10 March (in the trailing window: 19 February to 20 March), and 5M on 10 February (before it).
   */
  async function scenario() {
    const teamId = await api.createTeam();
    const finance = (await api.userToken("FINANCE", teamId)).token;
    const engineer = (await api.userToken("ML_ENGINEER", teamId)).token;
    const { model, versions } = await measuredModel(api, teamId, [
      { costPerMillionUsd: "1", stage: "PRODUCTION" },
      { costPerMillionUsd: "3" },
      { costPerMillionUsd: "0.5" },
      { costPerMillionUsd: null },
    ]);
    const [production, costlier, cheaper, unmeasured] = versions as [
      (typeof versions)[0],
      (typeof versions)[0],
      (typeof versions)[0],
      (typeof versions)[0],
    ];
    const r = await recordUsage(
      api,
      [
        usage(production.id, 5_000_000, "2028-02-10T12:00:00Z"),
        usage(production.id, 4_000_000, "2028-02-25T12:00:00Z"),
        usage(production.id, 6_000_000, "2028-03-10T12:00:00Z"),
      ],
      engineer,
    );
    expect(r.errors).toBeUndefined();
    const budget = async (input: Record<string, unknown>) =>
      (
        await api.ok<{ createBudget: { id: string; name: string } }>(
          CREATE_BUDGET,
          { i: { teamId, period: "MONTHLY", ...input } },
          finance,
        )
      ).createBudget;
    const promote = (versionId: string, stage: string, token = engineer, overrideReason?: string) =>
      api.gql<Promotion>(PROMOTE, { i: { versionId, stage, ...(overrideReason ? { overrideReason } : {}) } }, token);
    const preview = async (versionId: string) =>
      (await api.ok<{ promotionPreview: Projection }>(PREVIEW, { v: versionId }, engineer)).promotionPreview;
    const stages = async () =>
      (await api.db.modelVersion.findMany({ where: { modelId: model.id }, orderBy: { number: "asc" } })).map(
        (v) => v.stage,
      );
    return {
      teamId,
      finance,
      engineer,
      model,
      production,
      costlier,
      cheaper,
      unmeasured,
      budget,
      promote,
      preview,
      stages,
    };
  }

  it("previews the trailing-30-day traffic at the candidate's rate against the budget with the least left", async () => {
    const s = await scenario();
    // No budget yet: 10M requests cost $10 as recorded; at $3 per million they would cost $30.
    expect(await s.preview(s.costlier.id)).toEqual({
      currentMonthlyUsd: "10.00",
      projectedMonthlyUsd: "30.00",
      deltaMonthlyUsd: "20.00",
      withinBudget: true,
      budget: null,
    });
    const team = await s.budget({ name: "Team", amountUsd: "100", action: "BLOCK_PROMOTION" });
    expect(await s.preview(s.costlier.id)).toEqual({
      currentMonthlyUsd: "10.00",
      projectedMonthlyUsd: "30.00",
      deltaMonthlyUsd: "20.00",
      withinBudget: true,
      budget: team,
    });
    // March so far: $6 spent. The model's budget has $14 left, less than the $20 increase.
    const modelBudget = await s.budget({ name: "Model", modelId: s.model.id, amountUsd: "20", action: "NOTIFY" });
    expect(await s.preview(s.costlier.id)).toEqual({
      currentMonthlyUsd: "10.00",
      projectedMonthlyUsd: "30.00",
      deltaMonthlyUsd: "20.00",
      withinBudget: false,
      budget: modelBudget,
    });
    expect(await s.preview(s.cheaper.id)).toEqual({
      currentMonthlyUsd: "10.00",
      projectedMonthlyUsd: "5.00",
      deltaMonthlyUsd: "-5.00",
      withinBudget: true,
      budget: modelBudget,
    });

    // A month on, 25 February has left the window: only the 6M requests of 10 March remain.
    api.setNow("2028-03-27T00:00:00Z");
    expect(await s.preview(s.costlier.id)).toMatchObject({
      currentMonthlyUsd: "6.00",
      projectedMonthlyUsd: "18.00",
      deltaMonthlyUsd: "12.00",
      withinBudget: true,
    });

    const unmeasured = await api.gql(PREVIEW, { v: s.unmeasured.id }, s.engineer);
    expect(code(unmeasured)).toBe("BAD_USER_INPUT");
    expect(message(unmeasured)).toContain("has no cost measurement yet");
    const stranger = (await api.userToken("VIEWER", await api.createTeam())).token;
    expect(code(await api.gql(PREVIEW, { v: s.costlier.id }, stranger))).toBe("NOT_FOUND");
  });

  it("blocks a promotion to PRODUCTION over a BLOCK_PROMOTION budget, with the numbers, and changes nothing", async () => {
    const s = await scenario();
    await s.budget({ name: "Team", amountUsd: "100", action: "BLOCK_PROMOTION" });
    const tight = await s.budget({
      name: "Model, tight",
      modelId: s.model.id,
      amountUsd: "20",
      action: "BLOCK_PROMOTION",
    });
    const auditBefore = await api.db.auditEvent.count({ where: { entityType: "ModelVersion" } });

    const r = await s.promote(s.costlier.id, "PRODUCTION");
    expect(code(r)).toBe("COST_GATE_BLOCKED");
    expect(r.data).toBeNull();
    expect(r.errors![0]!.extensions).toMatchObject({
      projectedMonthlyUsd: "30.00",
      currentMonthlyUsd: "10.00",
      deltaMonthlyUsd: "20.00",
      remainingUsd: "14.00",
      budgetId: tight.id,
      budgetName: "Model, tight",
    });
    expect(message(r)).toMatch(
      /from \$10\.00 to \$30\.00 \(\+\$20\.00\), more than the \$14\.00 left this period in budget "Model, tight"/,
    );
    expect(message(r)).toContain("An ADMIN may override with overrideReason");
    expect(await s.stages()).toEqual(["PRODUCTION", "CANDIDATE", "CANDIDATE", "CANDIDATE"]);
    expect(await api.db.auditEvent.count({ where: { entityType: "ModelVersion" } })).toBe(auditBefore);

    // Other stages are not gated; a version never measured cannot be priced, so it is blocked too.
    expect((await s.promote(s.costlier.id, "STAGING")).data!.promoteModelVersion).toEqual({
      version: { id: s.costlier.id, stage: "STAGING" },
      projection: null,
    });
    const unmeasured = await s.promote(s.unmeasured.id, "PRODUCTION");
    expect(code(unmeasured)).toBe("COST_GATE_BLOCKED");
    expect(message(unmeasured)).toContain("no cost measurement yet");
    expect(await s.stages()).toEqual(["PRODUCTION", "STAGING", "CANDIDATE", "CANDIDATE"]);
  });

  it("passes a promotion that fits, returning and auditing the projection", async () => {
    const s = await scenario();
    const team = await s.budget({ name: "Team", amountUsd: "100", action: "BLOCK_PROMOTION" });
    await s.budget({ name: "Notify only", modelId: s.model.id, amountUsd: "200", action: "NOTIFY" });
    const r = await s.promote(s.costlier.id, "PRODUCTION");
    expect(r.errors).toBeUndefined();
    expect(r.data!.promoteModelVersion).toEqual({
      version: { id: s.costlier.id, stage: "PRODUCTION" },
      projection: {
        currentMonthlyUsd: "10.00",
        projectedMonthlyUsd: "30.00",
        deltaMonthlyUsd: "20.00",
        withinBudget: true,
        budget: team,
      },
    });
    const event = await api.db.auditEvent.findFirstOrThrow({
      where: { entityId: s.costlier.id, action: "version.promote" },
    });
    expect(event.after).toMatchObject({
      stage: "PRODUCTION",
      costGate: {
        deltaMonthlyUsd: "20.00",
        remainingUsd: "94.00",
        budgetId: team.id,
        overridden: false,
        trafficRequests: "10000000",
      },
    });

    // A cheaper version always passes, even over a budget already exceeded.
    await api.gql(
      `mutation($id:ID!,$i:UpdateBudgetInput!){ updateBudget(id:$id, input:$i){ id } }`,
      { id: team.id, i: { amountUsd: "1" } },
      s.finance,
    );
    const cheaper = await s.promote(s.cheaper.id, "PRODUCTION");
    expect(cheaper.data!.promoteModelVersion.projection).toMatchObject({ deltaMonthlyUsd: "-5.00", budget: team });
  });

  it("lets an ADMIN override a block with a reason, recorded in the audit log with the numbers", async () => {
    const s = await scenario();
    const tight = await s.budget({ name: "Tight", amountUsd: "10", action: "BLOCK_PROMOTION" });
    expect(code(await s.promote(s.costlier.id, "PRODUCTION", api.adminToken))).toBe("COST_GATE_BLOCKED");
    expect(code(await s.promote(s.costlier.id, "PRODUCTION", s.engineer, "launch day"))).toBe("FORBIDDEN");

    const r = await s.promote(s.costlier.id, "PRODUCTION", api.adminToken, "launch day, approved by finance");
    expect(r.errors).toBeUndefined();
    expect(r.data!.promoteModelVersion.projection).toEqual({
      currentMonthlyUsd: "10.00",
      projectedMonthlyUsd: "30.00",
      deltaMonthlyUsd: "20.00",
      withinBudget: false,
      budget: tight,
    });
    expect(await s.stages()).toEqual(["ARCHIVED", "PRODUCTION", "CANDIDATE", "CANDIDATE"]);
    const event = await api.db.auditEvent.findFirstOrThrow({
      where: { entityId: s.costlier.id, action: "version.promote" },
    });
    expect(event.actor).toMatch(/^user:/);
    expect(event.after).toMatchObject({
      stage: "PRODUCTION",
      overrideReason: "launch day, approved by finance",
      costGate: {
        overridden: true,
        projectedMonthlyUsd: "30.00",
        currentMonthlyUsd: "10.00",
        deltaMonthlyUsd: "20.00",
        remainingUsd: "4.00",
        budgetId: tight.id,
        budgetName: "Tight",
      },
    });
  });

  it("refuses auto-promotion (the system, which never overrides) through the same gate", async () => {
    const s = await scenario();
    await s.budget({ name: "Tight", amountUsd: "10", action: "BLOCK_PROMOTION" });
    const gate = costGate({ now: () => new Date(NOW) });
    const refused = await promoteVersion(
      { db: api.db, producer, gate },
      { actor: "system" },
      { versionId: s.costlier.id, stage: "PRODUCTION" },
    ).catch((e: unknown) => e);
    expect(isAppError(refused) && refused.code).toBe("COST_GATE_BLOCKED");
    expect(isAppError(refused) && refused.details).toMatchObject({ deltaMonthlyUsd: "20.00", remainingUsd: "4.00" });
    expect(await s.stages()).toEqual(["PRODUCTION", "CANDIDATE", "CANDIDATE", "CANDIDATE"]);
    const cheaper = await promoteVersion(
      { db: api.db, producer, gate },
      { actor: "system" },
      { versionId: s.cheaper.id, stage: "PRODUCTION" },
    );
    expect(cheaper.version.stage).toBe("PRODUCTION");
  });
});
