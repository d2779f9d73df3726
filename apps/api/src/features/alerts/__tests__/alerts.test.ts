import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertKind } from "@costgate/db";
import { TestApi } from "../../../../test/harness.ts";

const ALERTS = `query($b:ID,$ack:Boolean,$first:Int,$after:String){ alerts(budgetId:$b, acknowledged:$ack, first:$first, after:$after){
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind threshold spentUsd forecastUsd periodStart createdAt acknowledgedAt acknowledgedBy { id name } budget { id name } } } } }`;
const ACK = `mutation($id:ID!){ acknowledgeAlert(id:$id){ id acknowledgedAt } }`;

type AlertsPage = {
  alerts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        id: string;
        kind: string;
        threshold: number;
        spentUsd: string;
        acknowledgedAt: string | null;
        acknowledgedBy: { id: string; name: string } | null;
        budget: { id: string };
      };
    }[];
  };
};

describe("alerts and acknowledgeAlert", () => {
  let api: TestApi;
  let teamId: string;
  let otherTeamId: string;
  let finance: { id: string; token: string };
  let viewer: string;
  let budgetA: string;
  let budgetB: string;
  let otherAlert: string;
  const ids: string[] = [];

  const budget = (team: string) =>
    api.db.budget.create({
      data: {
        teamId: team,
        name: `b-${Math.random()}`,
        amountUsd: "100",
        period: "MONTHLY",
        alertThresholds: [0.5, 0.8, 1],
      },
    });
  const alert = async (budgetId: string, kind: AlertKind, threshold: number, createdAt: Date) =>
    (
      await api.db.alert.create({
        data: {
          budgetId,
          kind,
          threshold,
          spentUsd: (threshold * 100).toFixed(6),
          forecastUsd: "130.000000",
          periodStart: new Date("2026-01-01T00:00:00Z"),
          createdAt,
        },
      })
    ).id;

  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
    otherTeamId = await api.createTeam();
    finance = await api.userToken("FINANCE", teamId);
    viewer = (await api.userToken("VIEWER", teamId)).token;
    budgetA = (await budget(teamId)).id;
    budgetB = (await budget(teamId)).id;
    // Five alerts of the team, oldest first, and one of another team.
    const t0 = Date.parse("2026-01-10T00:00:00Z");
    ids.push(await alert(budgetA, "THRESHOLD_FORECAST", 0.5, new Date(t0)));
    ids.push(await alert(budgetA, "THRESHOLD_ACTUAL", 0.5, new Date(t0 + 1000)));
    ids.push(await alert(budgetA, "THRESHOLD_FORECAST", 0.8, new Date(t0 + 2000)));
    ids.push(await alert(budgetB, "THRESHOLD_FORECAST", 1, new Date(t0 + 3000)));
    ids.push(await alert(budgetA, "THRESHOLD_ACTUAL", 0.8, new Date(t0 + 4000)));
    otherAlert = await alert((await budget(otherTeamId)).id, "THRESHOLD_ACTUAL", 0.5, new Date(t0));
  });
  afterAll(() => api?.stop());

  it("lists the team's alerts newest first, in pages, with their budget and money as Decimal strings", async () => {
    const first = await api.ok<AlertsPage>(ALERTS, { first: 2 }, viewer);
    expect(first.alerts.totalCount).toBe(5);
    expect(first.alerts.edges.map((e) => e.node.id)).toEqual([ids[4], ids[3]]);
    expect(first.alerts.edges[0]!.node).toMatchObject({
      kind: "THRESHOLD_ACTUAL",
      threshold: 0.8,
      spentUsd: "80.00",
      budget: { id: budgetA },
    });
    expect(first.alerts.pageInfo.hasNextPage).toBe(true);
    const rest = await api.ok<AlertsPage>(ALERTS, { first: 10, after: first.alerts.pageInfo.endCursor }, viewer);
    expect(rest.alerts.edges.map((e) => e.node.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(rest.alerts.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
  });

  it("filters by budget and by acknowledged, and an admin sees every team", async () => {
    const ofB = await api.ok<AlertsPage>(ALERTS, { b: budgetB }, viewer);
    expect(ofB.alerts.edges.map((e) => e.node.id)).toEqual([ids[3]]);
    const all = await api.ok<AlertsPage>(ALERTS, {});
    expect(all.alerts.totalCount).toBe(6);
    const bad = await api.gql(ALERTS, { first: 0 }, viewer);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("records who acknowledged and when; again keeps the first acknowledgement", async () => {
    const r = await api.ok<{ acknowledgeAlert: { id: string; acknowledgedAt: string } }>(
      ACK,
      { id: ids[1] },
      finance.token,
    );
    expect(Date.parse(r.acknowledgeAlert.acknowledgedAt)).not.toBeNaN();
    const row = await api.db.alert.findUniqueOrThrow({ where: { id: ids[1] } });
    expect(row.acknowledgedById).toBe(finance.id);
    expect(row.acknowledgedAt?.toISOString()).toBe(r.acknowledgeAlert.acknowledgedAt);

    const again = await api.ok<{ acknowledgeAlert: { acknowledgedAt: string } }>(ACK, { id: ids[1] });
    expect(again.acknowledgeAlert.acknowledgedAt).toBe(r.acknowledgeAlert.acknowledgedAt);
    expect((await api.db.alert.findUniqueOrThrow({ where: { id: ids[1] } })).acknowledgedById).toBe(finance.id);
    const audit = await api.db.auditEvent.findMany({ where: { action: "alert.acknowledge", entityId: ids[1] } });
    expect(audit.map((a) => a.actor)).toEqual([`user:${finance.id}`]);

    const acked = await api.ok<AlertsPage>(ALERTS, { ack: true }, viewer);
    expect(acked.alerts.edges.map((e) => e.node.id)).toEqual([ids[1]]);
    // The team sees who acknowledged it (by name), and when.
    const { name } = await api.db.user.findUniqueOrThrow({ where: { id: finance.id } });
    expect(acked.alerts.edges[0]!.node.acknowledgedBy).toEqual({ id: finance.id, name });
    const open = await api.ok<AlertsPage>(ALERTS, { ack: false, first: 1 }, viewer);
    expect(open.alerts.edges[0]!.node.acknowledgedBy).toBeNull();
    const stillOpen = await api.ok<AlertsPage>(ALERTS, { ack: false }, viewer);
    expect(stillOpen.alerts.totalCount).toBe(4);
  });

  it("records the key's creator for an API key, and the key in the audit log", async () => {
    const { createApiKey } = await api.ok<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      `mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret apiKey { id } } }`,
      { i: { name: "finance-bot", role: "FINANCE", teamId } },
      finance.token,
    );
    await api.ok(ACK, { id: ids[2] }, createApiKey.secret);
    expect((await api.db.alert.findUniqueOrThrow({ where: { id: ids[2] } })).acknowledgedById).toBe(finance.id);
    expect(
      (await api.db.auditEvent.findFirstOrThrow({ where: { action: "alert.acknowledge", entityId: ids[2] } })).actor,
    ).toBe(`apikey:${createApiKey.apiKey.id}`);
  });

  it("refuses other teams (as not found), readers, and unknown alerts", async () => {
    expect((await api.gql(ACK, { id: otherAlert }, finance.token)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await api.gql(ACK, { id: ids[0] }, viewer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await api.db.alert.findUniqueOrThrow({ where: { id: ids[0] } })).acknowledgedAt).toBeNull();
    expect((await api.gql(ACK, { id: "no-such-alert" }, finance.token)).errors?.[0]?.extensions?.code).toBe(
      "NOT_FOUND",
    );
    const other = await api.db.alert.findUniqueOrThrow({ where: { id: otherAlert } });
    // Another team's budget has no alerts for this caller, exactly like an unknown budget.
    const theirs = await api.gql<{ alerts: { nodes: unknown[] } }>(ALERTS, { b: other.budgetId }, viewer);
    expect(theirs.errors).toBeUndefined();
    expect(JSON.stringify(theirs.data)).toBe(
      JSON.stringify((await api.gql(ALERTS, { b: "no-such-budget" }, viewer)).data),
    );
    expect((await api.gql(ALERTS, {}, null)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
