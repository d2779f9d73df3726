import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { SECRET, createWebhook, recordDelivery } from "../../../../test/webhook-fixtures.ts";

const LIST = `query($t:ID){ webhooks(teamId:$t){ id url events enabled createdAt updatedAt team { id } } }`;
type Listed = { webhooks: { id: string; url: string; events: string[]; enabled: boolean; team: { id: string } }[] };

describe("webhooks query", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let hookA: string;
  let hookB: string;

  beforeAll(async () => {
    api = await TestApi.start();
    [teamA, teamB] = [await api.createTeam(), await api.createTeam()];
    hookA = await createWebhook(api, teamA, {
      url: "https://a.example.com/hook",
      events: ["alert.created", "job.finished"],
    });
    hookB = await createWebhook(api, teamB, { url: "https://b.example.com/hook" });
  });
  afterAll(() => api?.stop());

  const ids = (d: Listed) => d.webhooks.map((w) => w.id).sort();

  it("shows a FINANCE member their own team's webhooks only, and refuses another team", async () => {
    const finance = (await api.userToken("FINANCE", teamA)).token;
    const own = await api.ok<Listed>(LIST, {}, finance);
    expect(own.webhooks).toEqual([
      expect.objectContaining({
        id: hookA,
        url: "https://a.example.com/hook",
        events: ["alert.created", "job.finished"],
        enabled: true,
        team: { id: teamA },
      }),
    ]);
    expect(ids(await api.ok<Listed>(LIST, { t: teamA }, finance))).toEqual([hookA]);
    const peek = await api.gql(LIST, { t: teamB }, finance);
    expect(peek.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(peek.errors?.[0]?.message).toMatch(/own team/);
  });

  it("shows an ADMIN every team's webhooks, or one team's when asked", async () => {
    const every = (await api.db.webhook.findMany({ select: { id: true } })).map((w) => w.id).sort();
    expect(every).toEqual(expect.arrayContaining([hookA, hookB]));
    expect(ids(await api.ok<Listed>(LIST, {}))).toEqual(every);
    expect(ids(await api.ok<Listed>(LIST, { t: teamB }))).toEqual([hookB]);
  });

  it.each(["VIEWER", "ML_ENGINEER"] as const)(
    "refuses a %s with FORBIDDEN naming who may read webhooks",
    async (role) => {
      const { token } = await api.userToken(role, teamA);
      const r = await api.gql(LIST, {}, token);
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(r.errors?.[0]?.message).toBe(`Role ${role} may not read webhooks (allowed: ADMIN, FINANCE)`);
    },
  );

  it("asks for credentials without a session", async () => {
    expect((await api.gql(LIST, {}, null)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("never exposes the secret", async () => {
    const r = await api.gql(`{ webhooks { id secret } }`, {}, api.adminToken);
    expect(r.errors?.[0]?.message).toMatch(/Cannot query field "secret"/);
    const all = await api.ok(
      `{ webhooks { id url events enabled createdAt updatedAt team { id name } deliveries { id lastAttempt { error } } } }`,
    );
    expect(all.webhooks.length).toBeGreaterThan(0);
    expect(JSON.stringify(all)).not.toContain(SECRET);
    expect(JSON.stringify(all)).not.toContain("v1.");
  });

  describe("deliveries", () => {
    const DELIVERIES = `query($t:ID,$n:Int){ webhooks(teamId:$t){ id deliveries(first:$n){ id event eventKey status attempts createdAt deliveredAt lastAttempt { statusCode durationMs error createdAt } } } }`;
    type Delivery = {
      eventKey: string;
      status: string;
      attempts: number;
      deliveredAt: string | null;
      lastAttempt: { statusCode: number | null; durationMs: number; error: string | null; createdAt: string } | null;
    };
    let teamC: string;
    let hookC: string;
    let quiet: string;

    beforeAll(async () => {
      teamC = await api.createTeam();
      hookC = await createWebhook(api, teamC);
      quiet = await createWebhook(api, teamC, { url: "https://quiet.example.com/hook" });
      await recordDelivery(api, hookC, {
        eventKey: "k-old",
        at: "2026-03-01T10:00:00Z",
        status: "SUCCEEDED",
        deliveredAt: "2026-03-01T10:00:01Z",
        attempts: [{ statusCode: 200, durationMs: 41, at: "2026-03-01T10:00:01Z" }],
      });
      await recordDelivery(api, hookC, {
        eventKey: "k-failed",
        at: "2026-03-02T10:00:00Z",
        status: "FAILED",
        attempts: [
          { statusCode: 503, durationMs: 80, error: "receiver answered HTTP 503", at: "2026-03-02T10:00:01Z" },
          { statusCode: null, durationMs: 10000, error: "no answer within 10000 ms", at: "2026-03-02T10:05:00Z" },
        ],
      });
      await recordDelivery(api, hookC, { eventKey: "k-new", at: "2026-03-03T10:00:00Z" });
    });

    const deliveriesOf = async (first?: number) => {
      const d = await api.ok<{ webhooks: { id: string; deliveries: Delivery[] }[] }>(DELIVERIES, {
        t: teamC,
        n: first,
      });
      return Object.fromEntries(d.webhooks.map((w) => [w.id, w.deliveries]));
    };

    it("lists a webhook's deliveries newest first, each with its latest attempt", async () => {
      const byHook = await deliveriesOf();
      expect(byHook[quiet]).toEqual([]);
      expect(byHook[hookC]).toEqual([
        expect.objectContaining({
          eventKey: "k-new",
          status: "PENDING",
          attempts: 0,
          deliveredAt: null,
          lastAttempt: null,
        }),
        expect.objectContaining({
          eventKey: "k-failed",
          status: "FAILED",
          attempts: 2,
          lastAttempt: {
            statusCode: null,
            durationMs: 10000,
            error: "no answer within 10000 ms",
            createdAt: "2026-03-02T10:05:00.000Z",
          },
        }),
        expect.objectContaining({
          eventKey: "k-old",
          status: "SUCCEEDED",
          deliveredAt: "2026-03-01T10:00:01.000Z",
          lastAttempt: expect.objectContaining({ statusCode: 200, error: null }),
        }),
      ]);
    });

    it("returns the newest `first` of them, and refuses more than 100", async () => {
      expect((await deliveriesOf(2))[hookC]!.map((d) => d.eventKey)).toEqual(["k-new", "k-failed"]);
      const r = await api.gql(DELIVERIES, { t: teamC, n: 101 }, api.adminToken);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
    });
  });
});
