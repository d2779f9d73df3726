import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { measuredModel } from "../../../../test/spend-fixtures.ts";

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const ALERTS = `{ alerts { edges { node { id kind acknowledgedAt acknowledgedBy { id name }
  anomaly { day expectedUsd actualUsd priceEffectUsd volumeEffectUsd model { id } version { id } }
  explore { teamId modelId from to groupBy tag { key value } path } } } } }`;
const ANOMALIES = `query($t:ID,$m:ID,$from:DateTime!,$to:DateTime!){ spendAnomalies(teamId:$t, modelId:$m, from:$from, to:$to){
  id day expectedUsd actualUsd priceEffectUsd volumeEffectUsd expectedRequests actualRequests model { id } version { id } } }`;

type AlertNode = {
  id: string;
  kind: string;
  acknowledgedAt: string | null;
  acknowledgedBy: { id: string; name: string } | null;
  anomaly: { day: string; priceEffectUsd: string; model: { id: string }; version: { id: string } | null } | null;
  explore: {
    teamId: string;
    modelId: string | null;
    from: string;
    to: string;
    groupBy: string;
    tag: unknown;
    path: string;
  };
};

describe("alert details and spendAnomalies", () => {
  let api: TestApi;
  let teamA: string;
  let finance: { id: string; token: string };
  let viewerA: string;
  let viewerB: string;
  let modelId: string;
  let versionId: string;
  let anomalyAlert: string;
  let thresholdAlert: string;

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    finance = await api.userToken("FINANCE", teamA);
    viewerA = (await api.userToken("VIEWER", teamA)).token;
    viewerB = (await api.userToken("VIEWER", await api.createTeam())).token;
    const made = await measuredModel(api, teamA, [{ costPerMillionUsd: "1.000000" }]);
    modelId = made.model.id;
    versionId = made.versions[0]!.id;
    const budget = await api.db.budget.create({
      data: {
        teamId: teamA,
        name: "search",
        amountUsd: "100",
        period: "MONTHLY",
        alertThresholds: [0.5],
        tagKey: "feature",
        tagValue: "search",
      },
    });
    // As the worker's anomaly job leaves them.
    const anomaly = await api.db.spendAnomaly.create({
      data: {
        modelId,
        teamId: teamA,
        day: new Date("2028-03-10T00:00:00Z"),
        versionId,
        expectedUsd: "1.000000",
        lowUsd: "0.900000",
        highUsd: "1.100000",
        actualUsd: "3.100000",
        priceEffectUsd: "2.000000",
        volumeEffectUsd: "0.100000",
        expectedRequests: 1_000_000n,
        actualRequests: 1_100_000n,
      },
    });
    const alert = (data: object) =>
      api.db.alert.create({
        data: {
          budgetId: budget.id,
          spentUsd: "60",
          forecastUsd: "90",
          periodStart: new Date("2028-03-01T00:00:00Z"),
          threshold: 0.5,
          kind: "THRESHOLD_ACTUAL",
          ...data,
        },
      });
    thresholdAlert = (await alert({})).id;
    anomalyAlert = (await alert({ kind: "ANOMALY", threshold: 3.1, periodStart: anomaly.day, anomalyId: anomaly.id }))
      .id;
  });
  afterAll(() => api?.stop());

  const nodes = async (token: string) =>
    (await api.gql<{ alerts: { edges: { node: AlertNode }[] } }>(ALERTS, {}, token)).data!.alerts.edges.map(
      (e) => e.node,
    );

  it("says who acknowledged an alert and when", async () => {
    expect((await nodes(viewerA)).find((n) => n.id === thresholdAlert)!.acknowledgedBy).toBeNull();
    const ack = await api.gql(
      `mutation($id:ID!){ acknowledgeAlert(id:$id){ id } }`,
      { id: thresholdAlert },
      finance.token,
    );
    expect(ack.errors).toBeUndefined();
    const node = (await nodes(viewerA)).find((n) => n.id === thresholdAlert)!;
    expect(node.acknowledgedBy?.id).toBe(finance.id);
    expect(node.acknowledgedAt).not.toBeNull();
  });

  it("links a threshold alert to the explorer over its budget's period and tag, an anomaly alert to its model's days", async () => {
    const all = await nodes(viewerA);
    const threshold = all.find((n) => n.id === thresholdAlert)!;
    expect(threshold.explore).toMatchObject({
      teamId: teamA,
      modelId: null,
      from: "2028-03-01T00:00:00.000Z",
      to: "2028-04-01T00:00:00.000Z",
      groupBy: "MODEL",
      tag: { key: "feature", value: "search" },
    });
    expect(threshold.explore.path).toBe(
      `/spend?team=${teamA}&from=2028-03-01&to=2028-04-01&groupBy=MODEL&tag=feature%3Dsearch`,
    );
    const anomaly = all.find((n) => n.id === anomalyAlert)!;
    expect(anomaly.kind).toBe("ANOMALY");
    expect(anomaly.anomaly).toMatchObject({
      day: "2028-03-10T00:00:00.000Z",
      priceEffectUsd: "2.00",
      model: { id: modelId },
      version: { id: versionId },
    });
    expect(anomaly.explore.path).toBe(
      `/spend?team=${teamA}&model=${modelId}&from=2028-02-25&to=2028-03-11&groupBy=VERSION`,
    );
  });

  it("spendAnomalies reads like spend: the team's own, not another team's", async () => {
    const vars = { from: "2028-03-01T00:00:00Z", to: "2028-04-01T00:00:00Z" };
    const own = await api.gql<{ spendAnomalies: { day: string; actualRequests: number }[] }>(ANOMALIES, vars, viewerA);
    expect(own.errors).toBeUndefined();
    expect(own.data!.spendAnomalies.map((a) => [a.day, a.actualRequests])).toEqual([
      ["2028-03-10T00:00:00.000Z", 1_100_000],
    ]);
    const outside = await api.gql<{ spendAnomalies: unknown[] }>(
      ANOMALIES,
      { from: "2028-04-01T00:00:00Z", to: "2028-05-01T00:00:00Z" },
      viewerA,
    );
    expect(outside.data!.spendAnomalies).toEqual([]);
    expect(code(await api.gql(ANOMALIES, { ...vars, m: modelId }, viewerB))).toBe("NOT_FOUND");
    expect(code(await api.gql(ANOMALIES, { ...vars, t: teamA }, viewerB))).toBe("FORBIDDEN");
    expect((await api.gql<{ spendAnomalies: unknown[] }>(ANOMALIES, vars, viewerB)).data!.spendAnomalies).toEqual([]);
  });
});
