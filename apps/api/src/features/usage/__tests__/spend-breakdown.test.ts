import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { measuredModel, recordUsage, usage, type UsageRecordInput } from "../../../../test/spend-fixtures.ts";

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const BREAKDOWN = `query($t:ID,$m:ID,$from:DateTime!,$to:DateTime!,$g:Granularity,$by:SpendGroupBy!,$k:String,$tag:TagInput){
  spendBreakdown(teamId:$t, modelId:$m, from:$from, to:$to, granularity:$g, groupBy:$by, tagKey:$k, tag:$tag){ periodStart group groupLabel costUsd requests } }`;
type Point = {
  periodStart: string;
  group: string | null;
  groupLabel: string | null;
  costUsd: string;
  requests: number;
};

/** Seeded (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe("spendBreakdown and tags on usage", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let engineerA: string;
  let viewerA: string;
  let viewerB: string;
  let financeA: string;
  let admin: string;
  let modelIds: string[];
  const FROM = "2028-03-01T00:00:00Z";
  const TO = "2028-04-01T00:00:00Z";

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    teamB = await api.createTeam();
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
    viewerA = (await api.userToken("VIEWER", teamA)).token;
    financeA = (await api.userToken("FINANCE", teamA)).token;
    viewerB = (await api.userToken("VIEWER", teamB)).token;
    admin = api.adminToken;
    api.setNow("2028-03-31T20:00:00Z");

    const rand = random(14);
    const models = [];
    for (let m = 0; m < 3; m++)
      models.push(
        await measuredModel(api, teamA, [
          { costPerMillionUsd: (rand() * 40).toFixed(6) },
          { costPerMillionUsd: (rand() * 40).toFixed(6) },
        ]),
      );
    modelIds = models.map((m) => m.model.id);
    const versions = models.flatMap((m) => m.versions);
    const features = ["search", "chat", "ranking"];
    const customers = ["acme", "globex", "initech", "umbrella"];
    const start = Date.parse(FROM);
    for (let batch = 0; batch < 6; batch++) {
      const records: UsageRecordInput[] = Array.from({ length: 300 }, () => {
        const tags = [];
        if (rand() < 0.8) tags.push({ key: "feature", value: features[Math.floor(rand() * features.length)]! });
        if (rand() < 0.6) tags.push({ key: "customer", value: customers[Math.floor(rand() * customers.length)]! });
        if (rand() < 0.5) tags.push({ key: "env", value: rand() < 0.7 ? "prod" : "staging" });
        return usage(
          versions[Math.floor(rand() * versions.length)]!.id,
          Math.floor(rand() ** 2 * 2_000_000),
          new Date(start + Math.floor(rand() * 30.5 * 86_400_000)),
          { tags },
        );
      });
      const r = await recordUsage(api, records, engineerA);
      expect(r.errors).toBeUndefined();
    }
  });
  afterAll(() => api?.stop());

  const breakdown = (vars: Record<string, unknown>, token = viewerA) =>
    api.gql<{ spendBreakdown: Point[] }>(BREAKDOWN, { from: FROM, to: TO, ...vars }, token);

  /** A raw scan of usage_records: cost and requests per (day, group), as text to the cent-millionth. */
  async function rawScan(groupSql: string, where = "TRUE") {
    const rows = await api.db.$queryRawUnsafe<{ day: string; grp: string | null; cost: string; requests: string }[]>(
      `SELECT to_char((occurred_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, ${groupSql} AS grp,
              sum(cost_usd)::text AS cost, sum(requests)::text AS requests
       FROM usage_records WHERE team_id = $1 AND ${where} GROUP BY 1, 2`,
      teamA,
    );
    return new Map(rows.map((r) => [`${r.day}|${r.grp}`, r]));
  }

  function expectEqualToScan(points: Point[], scan: Map<string, { cost: string; requests: string }>) {
    const nonZero = points.filter((p) => Number(p.costUsd) !== 0 || p.requests !== 0);
    expect(nonZero.length).toBe(scan.size);
    for (const p of nonZero) {
      const row = scan.get(`${p.periodStart.slice(0, 10)}|${p.group}`);
      expect(row, `${p.periodStart} ${p.group}`).toBeDefined();
      // Decimal text both sides, compared to the cent-millionth (exactly).
      expect(Number(p.costUsd).toFixed(6)).toBe(Number(row!.cost).toFixed(6));
      expect(p.costUsd.replace(/\.?0+$/, "")).toBe(row!.cost.replace(/\.?0+$/, ""));
      expect(p.requests).toBe(Number(row!.requests));
    }
  }

  it("by TAG: each value's spend per day equals a raw scan of usage_records, and usage without the tag is group null", async () => {
    for (const key of ["feature", "customer", "env"]) {
      const r = await breakdown({ by: "TAG", k: key });
      expect(r.errors).toBeUndefined();
      expectEqualToScan(r.data!.spendBreakdown, await rawScan(`tags->>'${key}'`));
      expect(r.data!.spendBreakdown.some((p) => p.group === null && Number(p.costUsd) > 0)).toBe(true);
    }
  });

  it("by MODEL, VERSION, HARDWARE and TEAM equals the raw scan too, and every period of every group is listed", async () => {
    for (const [by, col] of [
      ["MODEL", "model_id"],
      ["VERSION", "version_id"],
      ["HARDWARE", "hardware_profile_id"],
      ["TEAM", "team_id"],
    ] as const) {
      const r = await breakdown({ t: teamA, by });
      expect(r.errors).toBeUndefined();
      const points = r.data!.spendBreakdown;
      expectEqualToScan(points, await rawScan(col));
      const groups = new Set(points.map((p) => p.group));
      expect(points.length).toBe(groups.size * 31);
    }
    const byModel = (await breakdown({ by: "MODEL" })).data!.spendBreakdown;
    const model = await api.db.model.findUniqueOrThrow({ where: { id: modelIds[0]! } });
    expect(byModel.find((p) => p.group === model.id)!.groupLabel).toBe(model.name);
  });

  it("a tag filter keeps only usage carrying it; MONTH adds up the days", async () => {
    const r = await breakdown({ by: "MODEL", tag: { key: "customer", value: "acme" }, g: "MONTH" });
    expect(r.errors).toBeUndefined();
    const rows = await api.db.$queryRawUnsafe<{ grp: string; cost: string }[]>(
      `SELECT model_id AS grp, sum(cost_usd)::text AS cost FROM usage_records WHERE team_id = $1 AND tags->>'customer' = 'acme' GROUP BY 1`,
      teamA,
    );
    const march = r.data!.spendBreakdown.filter((p) => p.periodStart.startsWith("2028-03"));
    expect(march.length).toBe(rows.length);
    for (const row of rows)
      expect(Number(march.find((p) => p.group === row.grp)!.costUsd).toFixed(6)).toBe(Number(row.cost).toFixed(6));
  });

  it("reads like spend: another team's model is not found, another team is forbidden, an admin reads any", async () => {
    expect(code(await breakdown({ m: modelIds[0], by: "VERSION" }, viewerB))).toBe("NOT_FOUND");
    expect(code(await breakdown({ t: teamA, by: "MODEL" }, viewerB))).toBe("FORBIDDEN");
    const asAdmin = await breakdown({ t: teamA, by: "MODEL" }, admin);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data!.spendBreakdown.length).toBeGreaterThan(0);
  });

  it("refuses TAG without tagKey, tagKey with another groupBy, and a bad key, saying which", async () => {
    const noKey = await breakdown({ by: "TAG" });
    expect(code(noKey)).toBe("BAD_USER_INPUT");
    expect(noKey.errors![0]!.message).toMatch(/tagKey: name the tag/);
    expect((await breakdown({ by: "MODEL", k: "feature" })).errors![0]!.message).toMatch(/only with groupBy TAG/);
    expect((await breakdown({ by: "TAG", k: "has space" })).errors![0]!.message).toMatch(
      /tagKey: "has space" must start/,
    );
  });

  it("refuses bad tags on usage, naming the record and the tag, and records nothing", async () => {
    const version = (await api.db.modelVersion.findFirstOrThrow({ where: { modelId: modelIds[0]! } })).id;
    const before = await api.db.usageRecord.count();
    const good = usage(version, 10, "2028-03-30T00:00:00Z", { tags: [{ key: "feature", value: "search" }] });
    const cases: [UsageRecordInput["tags"], RegExp][] = [
      [
        Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: "v" })),
        /input\[1\]\.tags: at most 10 tags per record \(got 11\)/,
      ],
      [
        [
          { key: "a", value: "1" },
          { key: "a", value: "2" },
        ],
        /input\[1\]\.tags\[1\]\.key: "a" is given twice/,
      ],
      [[{ key: "k".repeat(65), value: "v" }], /input\[1\]\.tags\[0\]\.key: must be at most 64 characters \(got 65\)/],
      [
        [{ key: "env", value: "x".repeat(129) }],
        /input\[1\]\.tags\[0\]\.value: of tag "env" must be at most 128 characters/,
      ],
      [[{ key: "env", value: " " }], /input\[1\]\.tags\[0\]\.value: of tag "env" must not be empty/],
      [[{ key: "", value: "v" }], /input\[1\]\.tags\[0\]\.key: must not be empty/],
    ];
    for (const [tags, message] of cases) {
      const r = await recordUsage(api, [good, usage(version, 10, "2028-03-30T00:00:00Z", { tags })], engineerA);
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0]!.message).toMatch(message);
      expect(r.errors![0]!.message).toMatch(/nothing was recorded/);
    }
    expect(await api.db.usageRecord.count()).toBe(before);
  });

  it("a budget scoped to a tag spends only the usage carrying it", async () => {
    const CREATE = `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id tag { key value } status { spentUsd } } }`;
    const made = await api.gql<{
      createBudget: { id: string; tag: { key: string; value: string }; status: { spentUsd: string } };
    }>(
      CREATE,
      {
        i: {
          name: "search",
          teamId: teamA,
          amountUsd: "1000",
          period: "MONTHLY",
          tag: { key: "feature", value: "search" },
        },
      },
      financeA,
    );
    expect(made.errors).toBeUndefined();
    expect(made.data!.createBudget.tag).toEqual({ key: "feature", value: "search" });
    const [raw] = await api.db.$queryRawUnsafe<{ cost: string }[]>(
      `SELECT sum(cost_usd)::text AS cost FROM usage_records WHERE team_id = $1 AND tags->>'feature' = 'search' AND occurred_at >= '2028-03-01' AND occurred_at < '2028-04-01'`,
      teamA,
    );
    expect(Number(made.data!.createBudget.status.spentUsd).toFixed(6)).toBe(Number(raw!.cost).toFixed(6));

    const bad = await api.gql(
      CREATE,
      { i: { name: "x", teamId: teamA, amountUsd: "1", period: "MONTHLY", tag: { key: "bad key", value: "v" } } },
      financeA,
    );
    expect(code(bad)).toBe("BAD_USER_INPUT");
    expect(bad.errors![0]!.message).toMatch(/^tag\.key: "bad key" must start/);
  });
});
