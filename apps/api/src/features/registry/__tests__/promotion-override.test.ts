import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { measuredModel, recordUsage, usage } from "../../../../test/spend-fixtures.ts";

const NOW = "2028-03-20T12:00:00Z";
const PREVIEW = `query($v:ID!){ promotionPreview(versionId:$v){ withinBudget gateRefuses trafficRequests remainingUsd budget { name } } }`;
const REQUEST = `mutation($v:ID!,$s:VersionStage!,$r:String!){
  requestPromotionOverride(versionId:$v, stage:$s, reason:$r){
    id kind threshold spentUsd forecastUsd budget { id name }
    overrideRequest { version { id number } requestedBy reason projection }
  }
}`;
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

/**
 * An ML engineer refused by the cost gate asks the team's ADMIN/FINANCE for an override: an
 * OVERRIDE_REQUEST alert with the projection, a `promotion.override_requested` webhook delivery,
 * an audit event; never when the gate would let it through, never across teams.
 */
describe("requestPromotionOverride", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.stop());
  beforeEach(() => api.setNow(NOW));

  /** A model in production at $1/1M with 10M requests in the window ($6 this March), a $3/1M candidate. */
  async function scenario(budgetAction: "BLOCK_PROMOTION" | "NOTIFY") {
    const teamId = await api.createTeam();
    const engineer = await api.userToken("ML_ENGINEER", teamId);
    const { model, versions } = await measuredModel(api, teamId, [
      { costPerMillionUsd: "1", stage: "PRODUCTION" },
      { costPerMillionUsd: "3" },
    ]);
    const r = await recordUsage(
      api,
      [
        usage(versions[0]!.id, 4_000_000, "2028-02-25T12:00:00Z"),
        usage(versions[0]!.id, 6_000_000, "2028-03-10T12:00:00Z"),
      ],
      engineer.token,
    );
    expect(r.errors).toBeUndefined();
    const budget = await api.db.budget.create({
      data: {
        teamId,
        modelId: model.id,
        name: "Fraud serving",
        amountUsd: "20",
        period: "MONTHLY",
        alertThresholds: [1],
        action: budgetAction,
      },
    });
    const hook = await api.db.webhook.create({
      data: {
        teamId,
        url: "https://hooks.example.com/x",
        secret: "v1.x.x.x",
        events: ["promotion.override_requested"],
      },
    });
    return { teamId, engineer, model, candidate: versions[1]!, budget, hook };
  }

  it("raises an alert with the projection, emits the webhook event and audits it", async () => {
    const s = await scenario("BLOCK_PROMOTION");
    // $14 left in March; the candidate adds $20 a month: the gate refuses, and the preview says so.
    expect((await api.ok<any>(PREVIEW, { v: s.candidate.id }, s.engineer.token)).promotionPreview).toEqual({
      withinBudget: false,
      gateRefuses: true,
      trafficRequests: 10_000_000,
      remainingUsd: "14.00",
      budget: { name: "Fraud serving" },
    });
    const { requestPromotionOverride: alert } = await api.ok<any>(
      REQUEST,
      { v: s.candidate.id, s: "PRODUCTION", r: "Launch week: the fraud team needs the better recall" },
      s.engineer.token,
    );
    expect(alert).toMatchObject({
      kind: "OVERRIDE_REQUEST",
      spentUsd: "6.00",
      forecastUsd: "26.00",
      threshold: 1.3,
      budget: { id: s.budget.id, name: "Fraud serving" },
      overrideRequest: {
        version: { id: s.candidate.id, number: 2 },
        reason: "Launch week: the fraud team needs the better recall",
        projection: expect.objectContaining({
          currentMonthlyUsd: "10.00",
          projectedMonthlyUsd: "30.00",
          deltaMonthlyUsd: "20.00",
          remainingUsd: "14.00",
          trafficRequests: "10000000",
          budgetName: "Fraud serving",
        }),
      },
    });
    expect(alert.overrideRequest.requestedBy).toBe("ML_ENGINEER"); // the user's name, not user:<id>
    // The team's alerts list it; the version stays where it was.
    const { alerts } = await api.ok<any>(`{ alerts { edges { node { id kind } } } }`, {}, s.engineer.token);
    expect(alerts.edges.map((e: any) => e.node)).toContainEqual({ id: alert.id, kind: "OVERRIDE_REQUEST" });
    expect((await api.db.modelVersion.findUniqueOrThrow({ where: { id: s.candidate.id } })).stage).toBe("CANDIDATE");
    const deliveries = await api.db.webhookDelivery.findMany({ where: { webhookId: s.hook.id } });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.event).toBe("promotion.override_requested");
    expect((deliveries[0]!.payload as any).data).toMatchObject({
      alertId: alert.id,
      versionId: s.candidate.id,
      number: 2,
      stage: "PRODUCTION",
      budgetName: "Fraud serving",
      projection: { projectedMonthlyUsd: "30.00", deltaMonthlyUsd: "20.00" },
    });
    const audit = await api.db.auditEvent.findFirstOrThrow({
      where: { action: "version.override_request", entityId: s.candidate.id },
    });
    expect(audit.actor).toBe(`user:${s.engineer.id}`);
    expect(audit.after).toMatchObject({
      reason: "Launch week: the fraud team needs the better recall",
      alertId: alert.id,
    });
  });

  it("refuses when the gate would let it through, for another stage, without a reason, and across teams", async () => {
    const s = await scenario("NOTIFY");
    const before = await api.db.alert.count();
    const passes = await api.gql(REQUEST, { v: s.candidate.id, s: "PRODUCTION", r: "why not" }, s.engineer.token);
    expect(code(passes)).toBe("CONFLICT");
    expect(passes.errors?.[0]?.message).toMatch(/promote it, no override is needed/);
    const staging = await api.gql(REQUEST, { v: s.candidate.id, s: "STAGING", r: "why not" }, s.engineer.token);
    expect(code(staging)).toBe("BAD_USER_INPUT");
    const blank = await api.gql(REQUEST, { v: s.candidate.id, s: "PRODUCTION", r: "   " }, s.engineer.token);
    expect(code(blank)).toBe("BAD_USER_INPUT");
    const other = await api.userToken("ML_ENGINEER", await api.createTeam());
    const foreign = await api.gql(REQUEST, { v: s.candidate.id, s: "PRODUCTION", r: "mine now" }, other.token);
    expect(code(foreign)).toBe("NOT_FOUND");
    const viewer = await api.userToken("VIEWER", s.teamId);
    expect(code(await api.gql(REQUEST, { v: s.candidate.id, s: "PRODUCTION", r: "x" }, viewer.token))).toBe(
      "FORBIDDEN",
    );
    expect(await api.db.alert.count()).toBe(before);
  });
});
