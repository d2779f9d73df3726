import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { measuredModel, recordUsage, usage } from "../../../../test/spend-fixtures.ts";

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const TOP = `query($t:ID,$from:DateTime!,$to:DateTime!,$n:Int){ topSpenders(teamId:$t, from:$from, to:$to, first:$n){ model { id name } costUsd requests } }`;
const SAVINGS = `query($t:ID,$from:DateTime!,$to:DateTime!,$n:Int){ optimizationSavings(teamId:$t, from:$from, to:$to, first:$n){
  totalUsd count versions { model { id } version { id number source } source { id number } requests costPerMillionUsd sourceCostPerMillionUsd savedUsd measurable } } }`;
type Top = { topSpenders: { model: { id: string; name: string }; costUsd: string; requests: number }[] };
type Savings = {
  optimizationSavings: {
    totalUsd: string;
    count: number;
    versions: {
      model: { id: string };
      version: { id: string; number: number; source: string };
      source: { id: string; number: number };
      requests: number;
      costPerMillionUsd: string | null;
      sourceCostPerMillionUsd: string | null;
      savedUsd: string | null;
      measurable: boolean | null;
    }[];
  };
};
const MARCH = { from: "2028-03-01T00:00:00Z", to: "2028-04-01T00:00:00Z" };

describe("topSpenders and optimizationSavings", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let engineerA: string;
  let engineerB: string;
  let viewerA: string;
  let viewerB: string;
  const modelsA: Awaited<ReturnType<typeof measuredModel>>[] = [];
  let lineage: Awaited<ReturnType<typeof measuredModel>>;
  let unmeasured: Awaited<ReturnType<typeof measuredModel>>;

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    teamB = await api.createTeam();
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
    engineerB = (await api.userToken("ML_ENGINEER", teamB)).token;
    viewerA = (await api.userToken("VIEWER", teamA)).token;
    viewerB = (await api.userToken("VIEWER", teamB)).token;
    api.setNow("2028-03-31T20:00:00Z");

    // Three models of team A spending 3, 1 and 2 dollars in March (at $1 per 1M), and more in February.
    for (const millions of [3, 1, 2]) {
      const m = await measuredModel(api, teamA, [{ costPerMillionUsd: "1.000000" }]);
      modelsA.push(m);
      const r = await recordUsage(
        api,
        [
          usage(m.versions[0]!.id, millions * 1_000_000, "2028-03-10T12:00:00Z"),
          usage(m.versions[0]!.id, 50_000_000, "2028-02-28T23:59:59Z"),
        ],
        engineerA,
      );
      expect(r.errors).toBeUndefined();
    }

    // Team B: an upload v1 ($2/1M) → pruned v2 → quantized v3 ($0.50/1M) in PRODUCTION.
    lineage = await measuredModel(api, teamB, [
      { costPerMillionUsd: "2.000000" },
      { costPerMillionUsd: "1.250000" },
      { costPerMillionUsd: "0.500000", stage: "PRODUCTION" },
    ]);
    const [v1, v2, v3] = lineage.versions;
    await api.db.modelVersion.update({ where: { id: v2!.id }, data: { source: "PRUNE", parentId: v1!.id } });
    await api.db.modelVersion.update({ where: { id: v3!.id }, data: { source: "QUANTIZE", parentId: v2!.id } });
    // An optimized production version whose upload was never measured: its saving is unknown.
    unmeasured = await measuredModel(api, teamB, [
      { costPerMillionUsd: null },
      { costPerMillionUsd: "0.100000", stage: "PRODUCTION" },
    ]);
    await api.db.modelVersion.update({
      where: { id: unmeasured.versions[1]!.id },
      data: { source: "FINE_TUNE", parentId: unmeasured.versions[0]!.id },
    });
    // A production upload is not a saving.
    await measuredModel(api, teamB, [{ costPerMillionUsd: "9.000000", stage: "PRODUCTION" }]);

    const r = await recordUsage(
      api,
      [
        usage(v3!.id, 4_000_000, "2028-03-05T00:00:00Z"),
        usage(v3!.id, 1_000_000, "2028-03-31T19:00:00Z"),
        usage(v3!.id, 7_000_000, "2028-02-15T00:00:00Z"), // before the range
        usage(v1!.id, 9_000_000, "2028-03-02T00:00:00Z"), // the source's own traffic is not a saving
        usage(unmeasured.versions[1]!.id, 2_000_000, "2028-03-03T00:00:00Z"),
      ],
      engineerB,
    );
    expect(r.errors).toBeUndefined();
  });
  afterAll(() => api?.stop());

  it("lists a team's models by what they spent in the range, biggest first, up to `first`", async () => {
    const top = (await api.ok<Top>(TOP, { ...MARCH, n: 2 }, viewerA)).topSpenders;
    expect(top.map((r) => [r.model.id, r.costUsd, r.requests])).toEqual([
      [modelsA[0]!.model.id, "3.00", 3_000_000],
      [modelsA[2]!.model.id, "2.00", 2_000_000],
    ]);
    const all = (await api.ok<Top>(TOP, MARCH, viewerA)).topSpenders;
    expect(all.map((r) => r.costUsd)).toEqual(["3.00", "2.00", "1.00"]);
  });

  it("counts only the days in the range: February's spend is not March's", async () => {
    const feb = (await api.ok<Top>(TOP, { from: "2028-02-01T00:00:00Z", to: "2028-03-01T00:00:00Z" }, viewerA))
      .topSpenders;
    expect(feb.map((r) => r.costUsd)).toEqual(["50.00", "50.00", "50.00"]);
  });

  it("keeps each team to its own models; an admin sees every team's", async () => {
    const b = (await api.ok<Top>(TOP, MARCH, viewerB)).topSpenders;
    expect(b.map((r) => r.model.id).sort()).toEqual([lineage.model.id, unmeasured.model.id].sort());
    expect(code(await api.gql(TOP, { ...MARCH, t: teamB }, viewerA))).toBe("FORBIDDEN");
    const admin = (await api.ok<Top>(TOP, { ...MARCH, n: 100 })).topSpenders;
    expect(admin.map((r) => r.model.id)).toEqual(
      expect.arrayContaining([...modelsA.map((m) => m.model.id), lineage.model.id]),
    );
  });

  it("refuses a bad `first` and an empty range, saying which", async () => {
    for (const n of [0, 101]) {
      const r = await api.gql(TOP, { ...MARCH, n }, viewerA);
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0]!.message).toContain("first must be 1 to 100");
    }
    const r = await api.gql(TOP, { from: MARCH.to, to: MARCH.from }, viewerA);
    expect(code(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0]!.message).toContain("must be before");
  });

  it("prices an optimized production version's traffic against the upload it came from", async () => {
    const s = (await api.ok<Savings>(SAVINGS, MARCH, viewerB)).optimizationSavings;
    const [v1, , v3] = lineage.versions;
    expect(s.versions[0]).toEqual({
      model: { id: lineage.model.id },
      version: { id: v3!.id, number: 3, source: "QUANTIZE" },
      source: { id: v1!.id, number: 1 },
      requests: 5_000_000,
      costPerMillionUsd: "0.50",
      sourceCostPerMillionUsd: "2.00",
      // 5M requests × ($2.00 − $0.50) / 1M
      savedUsd: "7.50",
      // measured before paired measurements: the prices alone
      measurable: null,
    });
    // The unmeasured source: listed, saving unknown, left out of the total; the production upload is not listed.
    expect(s.versions.slice(1)).toEqual([
      expect.objectContaining({
        model: { id: unmeasured.model.id },
        requests: 2_000_000,
        sourceCostPerMillionUsd: null,
        savedUsd: null,
      }),
    ]);
    expect(s.totalUsd).toBe("7.50");
    expect(s.count).toBe(2);
  });

  it("lists the `first` biggest savings while the total and count still cover all", async () => {
    const s = (await api.ok<Savings>(SAVINGS, { ...MARCH, n: 1 }, viewerB)).optimizationSavings;
    expect(s.versions.map((v) => v.model.id)).toEqual([lineage.model.id]);
    expect([s.totalUsd, s.count]).toEqual(["7.50", 2]);
    const r = await api.gql(SAVINGS, { ...MARCH, n: 101 }, viewerB);
    expect(code(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0]!.message).toContain("first must be 0 to 100");
  });

  it("scopes savings to the caller's team and the range", async () => {
    expect((await api.ok<Savings>(SAVINGS, MARCH, viewerA)).optimizationSavings).toEqual({
      totalUsd: "0.00",
      count: 0,
      versions: [],
    });
    expect(code(await api.gql(SAVINGS, { ...MARCH, t: teamB }, viewerA))).toBe("FORBIDDEN");
    const feb = (
      await api.ok<Savings>(SAVINGS, { from: "2028-02-01T00:00:00Z", to: "2028-03-01T00:00:00Z" }, engineerB)
    ).optimizationSavings;
    // 7M requests × $1.50 / 1M
    expect(feb.totalUsd).toBe("10.50");
  });

  it("reports no measurable saving when the paired measurements along the lineage show none, and leaves it out of the total", async () => {
    const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    const compare = async (versionId: string, parentId: string, ratio: [number, number, number]) => {
      const m = await api.db.costMeasurement.findFirstOrThrow({ where: { versionId } });
      await api.db.costComparison.create({
        data: {
          versionId,
          parentId,
          hardwareProfileId: profile.id,
          measurementId: m.id,
          throughputRatio: ratio[0],
          low: ratio[1],
          high: ratio[2],
          significant: ratio[1] > 1 || ratio[2] < 1,
          rounds: 8,
          parentThroughputPerSecond: 1000,
        },
      });
    };
    // A uint8 copy in production that priced 10% below its upload by noise: paired, no difference.
    const noise = await measuredModel(api, teamB, [
      { costPerMillionUsd: "1.000000" },
      { costPerMillionUsd: "0.900000", stage: "PRODUCTION" },
    ]);
    const [u1, u2] = noise.versions;
    await api.db.modelVersion.update({ where: { id: u2!.id }, data: { source: "QUANTIZE", parentId: u1!.id } });
    await compare(u2!.id, u1!.id, [1.02, 0.97, 1.07]);
    // The team's lineage, now paired: pruning measurably faster, quantizing not; together still faster.
    const [v1, v2, v3] = lineage.versions;
    await compare(v2!.id, v1!.id, [1.6, 1.5, 1.7]);
    await compare(v3!.id, v2!.id, [1.01, 0.98, 1.04]);
    expect(
      (await recordUsage(api, [usage(u2!.id, 10_000_000, "2028-03-20T00:00:00Z")], engineerB)).errors,
    ).toBeUndefined();

    const s = (await api.ok<Savings>(SAVINGS, MARCH, viewerB)).optimizationSavings;
    expect(s.versions.find((v) => v.model.id === noise.model.id)).toMatchObject({
      requests: 10_000_000,
      savedUsd: null,
      measurable: false,
    });
    expect(s.versions.find((v) => v.model.id === lineage.model.id)).toMatchObject({
      savedUsd: "7.50",
      measurable: true,
    });
    // 10M × $0.10 would have been $1.00 of "saving": not counted
    expect(s.totalUsd).toBe("7.50");
    expect(s.count).toBe(3);
  });

  it("asks who is calling", async () => {
    expect(code(await api.gql(TOP, MARCH, null))).toBe("UNAUTHENTICATED");
    expect(code(await api.gql(SAVINGS, MARCH, null))).toBe("UNAUTHENTICATED");
  });
});
