import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MoneyDecimal, type Money } from "@costgate/core";
import { TestApi } from "../../../../test/harness.ts";
import { measuredModel, recordUsage, usage, type UsageRecordInput } from "../../../../test/spend-fixtures.ts";

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const SPEND = `query($t:ID,$m:ID,$from:DateTime!,$to:DateTime!,$g:Granularity){ spend(teamId:$t, modelId:$m, from:$from, to:$to, granularity:$g){ periodStart costUsd requests } }`;
type Point = { periodStart: string; costUsd: string; requests: number };

/** Seeded (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const total = (xs: (string | Money)[]) => xs.reduce<Money>((s, x) => s.add(x), new MoneyDecimal(0));

describe("spend", () => {
  let api: TestApi;
  let teamA: string;
  let engineerA: string;
  let viewerA: string;
  let viewerB: string;

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
    viewerA = (await api.userToken("VIEWER", teamA)).token;
    viewerB = (await api.userToken("VIEWER", await api.createTeam())).token;
    api.setNow("2028-03-31T20:00:00Z");
  });
  afterAll(() => api?.stop());

  const spend = (vars: { t?: string; m?: string; from: string; to: string; g?: "DAY" | "MONTH" }, token = viewerA) =>
    api.gql<{ spend: Point[] }>(SPEND, vars, token);

  it("adds up, to the cent-millionth, to the sum of the recorded costs, by day and by month, over random batches", async () => {
    const rand = random(20_280_229);
    const models = [];
    const rate = new Map<string, string>();
    for (let m = 0; m < 3; m++) {
      // Costs per million with six decimals, from a few millionths of a dollar to tens of dollars.
      const costs = Array.from({ length: 2 }, () => ({
        costPerMillionUsd: (rand() * 10 ** Math.floor(rand() * 5 - 2)).toFixed(6),
      }));
      const made = await measuredModel(api, teamA, costs);
      made.versions.forEach((v, i) => rate.set(v.id, costs[i]!.costPerMillionUsd));
      models.push(made);
    }
    const versions = models.flatMap((m) => m.versions);
    const from = Date.parse("2028-01-20T00:00:00Z");
    const span = Date.parse("2028-03-31T20:00:00Z") - from;
    const sent: UsageRecordInput[] = [];
    let reportedCost = new MoneyDecimal(0);
    for (let batch = 0; batch < 12; batch++) {
      const size = 1 + Math.floor(rand() * 400);
      const records = Array.from({ length: size }, () =>
        usage(
          versions[Math.floor(rand() * versions.length)]!.id,
          Math.floor(rand() ** 3 * 5_000_000),
          new Date(from + Math.floor(rand() * span)),
        ),
      );
      // Now and then a retry of records already sent.
      if (sent.length && rand() < 0.5) records.push(...sent.slice(-Math.ceil(rand() * 20)));
      const r = await recordUsage(api, records, engineerA);
      expect(r.errors).toBeUndefined();
      reportedCost = reportedCost.add(r.data!.recordUsage.costUsd);
      sent.push(...records);
    }

    // Each distinct key once, priced as the contract says: requests × costPerMillionUsd / 1e6, half-even to 6 decimals.
    const firstOfKey = new Map<string, UsageRecordInput>();
    for (const r of sent) if (!firstOfKey.has(r.idempotencyKey)) firstOfKey.set(r.idempotencyKey, r);
    const expected = total(
      [...firstOfKey.values()].map((r) =>
        new MoneyDecimal(r.requests).mul(rate.get(r.versionId)!).div(1_000_000).toDecimalPlaces(6),
      ),
    );
    expect(reportedCost.toFixed(6)).toBe(expected.toFixed(6));

    const rows = await api.db.usageRecord.findMany({
      where: { teamId: teamA },
      select: { costUsd: true, requests: true, modelId: true },
    });
    const stored = total(rows.map((r) => r.costUsd.toString()));
    expect(stored.toFixed(6)).toBe(reportedCost.toFixed(6));
    const requests = rows.reduce((n, r) => n + r.requests, 0);

    for (const g of ["DAY", "MONTH"] as const) {
      const points = (await spend({ t: teamA, from: "2028-01-01T00:00:00Z", to: "2028-04-01T00:00:00Z", g })).data!
        .spend;
      expect(points).toHaveLength(g === "DAY" ? 91 : 3);
      expect(total(points.map((p) => p.costUsd)).toFixed(6)).toBe(stored.toFixed(6));
      expect(points.reduce((n, p) => n + p.requests, 0)).toBe(requests);
    }
    for (const m of models) {
      const points = (
        await spend({ m: m.model.id, from: "2028-01-01T00:00:00Z", to: "2028-04-01T00:00:00Z", g: "MONTH" })
      ).data!.spend;
      expect(total(points.map((p) => p.costUsd)).toFixed(6)).toBe(
        total(rows.filter((r) => r.modelId === m.model.id).map((r) => r.costUsd.toString())).toFixed(6),
      );
    }
  });

  it("lists every UTC day or month of the range, zero where nothing was spent, with each record on its UTC day", async () => {
    const { model, versions } = await measuredModel(api, teamA, [{ costPerMillionUsd: "2" }]);
    const v = versions[0]!.id;
    await recordUsage(
      api,
      [
        usage(v, 1_000_000, "2028-02-28T23:59:59.999Z"),
        // 00:30 on 29 February in UTC, although 28 February in New York.
        usage(v, 2_000_000, "2028-02-28T19:30:00-05:00"),
        usage(v, 3_000_000, "2028-03-01T00:00:00Z"),
      ],
      engineerA,
    );
    const days = (await spend({ m: model.id, from: "2028-02-27T15:00:00Z", to: "2028-03-02T00:00:00Z" })).data!.spend;
    expect(days).toEqual([
      { periodStart: "2028-02-27T00:00:00.000Z", costUsd: "0.00", requests: 0 },
      { periodStart: "2028-02-28T00:00:00.000Z", costUsd: "2.00", requests: 1_000_000 },
      { periodStart: "2028-02-29T00:00:00.000Z", costUsd: "4.00", requests: 2_000_000 },
      { periodStart: "2028-03-01T00:00:00.000Z", costUsd: "6.00", requests: 3_000_000 },
    ]);
    // `to` inside a day includes that day; from is taken back to the start of its month.
    const months = (await spend({ m: model.id, from: "2028-02-10T00:00:00Z", to: "2028-03-01T00:00:01Z", g: "MONTH" }))
      .data!.spend;
    expect(months).toEqual([
      { periodStart: "2028-02-01T00:00:00.000Z", costUsd: "6.00", requests: 3_000_000 },
      { periodStart: "2028-03-01T00:00:00.000Z", costUsd: "6.00", requests: 3_000_000 },
    ]);
  });

  it("keeps callers to their own team and refuses ranges it cannot answer", async () => {
    const { model } = await measuredModel(api, teamA, [{ costPerMillionUsd: "1" }]);
    const range = { from: "2028-03-01T00:00:00Z", to: "2028-03-02T00:00:00Z" };
    expect(code(await spend({ t: teamA, ...range }, viewerB))).toBe("FORBIDDEN");
    expect(code(await spend({ m: model.id, ...range }, viewerB))).toBe("NOT_FOUND");
    expect((await spend(range, viewerA)).data!.spend).toHaveLength(1);
    expect(code(await spend({ m: "no-such-model", ...range }))).toBe("NOT_FOUND");
    expect(code(await spend({ from: range.to, to: range.from }))).toBe("BAD_USER_INPUT");
    const tooLong = await spend({ from: "2020-01-01T00:00:00Z", to: "2028-01-01T00:00:00Z" });
    expect(code(tooLong)).toBe("BAD_USER_INPUT");
    expect(tooLong.errors![0]!.message).toContain("or MONTH");
  });
});
