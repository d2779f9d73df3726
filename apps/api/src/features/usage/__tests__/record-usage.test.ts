import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MoneyDecimal } from "@costgate/core";
import { TestApi } from "../../../../test/harness.ts";
import { defaultProfile, measure, measuredModel, recordUsage, usage } from "../../../../test/spend-fixtures.ts";

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";
const field = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.field;

describe("recordUsage", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let engineerA: string;
  let engineerB: string;
  const NOW = "2026-06-15T12:00:00.000Z";

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    teamB = await api.createTeam();
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
    engineerB = (await api.userToken("ML_ENGINEER", teamB)).token;
  });
  afterAll(() => api?.stop());
  beforeEach(() => api.setNow(NOW));

  /** What is stored for a model: raw rows and rollups. */
  async function stored(modelId: string) {
    const [rows, rollups] = await Promise.all([
      api.db.usageRecord.findMany({ where: { modelId }, orderBy: { occurredAt: "asc" } }),
      api.db.dailySpend.findMany({ where: { modelId }, orderBy: [{ day: "asc" }, { versionId: "asc" }] }),
    ]);
    return { rows, rollups };
  }
  const sum = (xs: { toString(): string }[]) =>
    xs.reduce<InstanceType<typeof MoneyDecimal>>((s, x) => s.add(x.toString()), new MoneyDecimal(0)).toFixed(6);

  it("prices each record at its version's latest cost on the serving profile, exactly, and rolls it up per UTC day", async () => {
    const { model, versions } = await measuredModel(api, teamA, [
      { costPerMillionUsd: "0.024792" },
      { costPerMillionUsd: "1.5" },
    ]);
    const [v1, v2] = versions as [(typeof versions)[0], (typeof versions)[0]];
    const gpu = await api.db.hardwareProfile.findFirstOrThrow({ where: { name: "g5.xlarge" } });
    await measure(api, v1.id, gpu.id, "0.279444");
    // An older measurement on the default profile does not count: the latest does.
    await measure(api, v2.id, (await defaultProfile(api)).id, "9.99", new Date("2026-01-01T00:00:00Z"));

    const r = await recordUsage(
      api,
      [
        usage(v1.id, 1_000_003, "2026-06-14T23:59:59.999Z"),
        usage(v1.id, 7, "2026-06-15T00:00:00.000Z"),
        usage(v1.id, 2_500_000, "2026-06-15T08:00:00+02:00", { hardwareProfileId: gpu.id }),
        usage(v2.id, 333, "2026-06-15T11:00:00Z"),
        usage(v2.id, 0, "2026-06-15T11:30:00Z"),
      ],
      engineerA,
    );
    expect(r.errors).toBeUndefined();
    // 1,000,003 × 0.024792 / 1e6 = 0.024792074 → 0.024792; 7 × 0.024792 / 1e6 = 0.000000173544 → 0.000000;
    // 2,500,000 × 0.279444 / 1e6 = 0.69861; 333 × 1.5 / 1e6 = 0.0004995 → 0.000500 (half-even); 0 requests cost 0.
    expect(r.data!.recordUsage).toEqual({ accepted: 5, duplicates: 0, costUsd: "0.723902" });

    const { rows, rollups } = await stored(model.id);
    expect(rows.map((x) => [x.requests, x.costUsd.toFixed(6), x.hardwareProfileId === gpu.id])).toEqual([
      [1_000_003, "0.024792", false],
      [7, "0.000000", false],
      [2_500_000, "0.698610", true],
      [333, "0.000500", false],
      [0, "0.000000", false],
    ]);
    expect(rows.every((x) => x.teamId === teamA && x.recordedBy.startsWith("user:"))).toBe(true);
    expect(
      rollups.map((d) => [d.day.toISOString().slice(0, 10), d.versionId, Number(d.requests), d.costUsd.toFixed(6)]),
    ).toEqual(
      [
        ["2026-06-14", v1.id, 1_000_003, "0.024792"],
        ["2026-06-15", v1.id, 2_500_007, "0.698610"],
        ["2026-06-15", v2.id, 333, "0.000500"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
    );
    expect(sum(rollups.map((d) => d.costUsd))).toBe(sum(rows.map((x) => x.costUsd)));

    // The cost is fixed when recorded: a new measurement changes later records only.
    await measure(api, v2.id, (await defaultProfile(api)).id, "3");
    expect(
      (await recordUsage(api, [usage(v2.id, 1_000_000, "2026-06-15T11:45:00Z")], engineerA)).data!.recordUsage.costUsd,
    ).toBe("3.00");
    expect((await stored(model.id)).rows.filter((x) => x.versionId === v2.id).map((x) => x.costUsd.toFixed(6))).toEqual(
      ["0.000500", "0.000000", "3.000000"],
    );
    const audit = await api.db.auditEvent.findFirstOrThrow({
      where: { action: "usage.record", entityId: teamA },
      orderBy: { createdAt: "desc" },
    });
    expect(audit.after).toMatchObject({ accepted: 1, requests: 1_000_000, costUsd: "3.000000" });
  });

  it("refuses the whole call when one record is bad, naming it, and writes nothing", async () => {
    const { model, versions } = await measuredModel(api, teamA, [
      { costPerMillionUsd: "2" },
      { costPerMillionUsd: null },
    ]);
    const [measured, unmeasured] = versions as [(typeof versions)[0], (typeof versions)[0]];
    const good = () => usage(measured.id, 100, "2026-06-15T10:00:00Z");
    const cases: { bad: ReturnType<typeof usage>; field: string; says: RegExp }[] = [
      {
        bad: usage("no-such-version", 1, "2026-06-15T10:00:00Z"),
        field: "versionId",
        says: /model version no-such-version not found/,
      },
      {
        bad: usage(unmeasured.id, 1, "2026-06-15T10:00:00Z"),
        field: "versionId",
        says: /version 2 of model "m-\w+" has no cost measurement on hardware profile c7i\.large/,
      },
      { bad: usage(measured.id, -1, "2026-06-15T10:00:00Z"), field: "requests", says: /0 or more \(got -1\)/ },
      {
        bad: usage(measured.id, 1, "2026-06-15T10:00:00Z", { hardwareProfileId: "no-such-profile" }),
        field: "hardwareProfileId",
        says: /hardware profile no-such-profile not found/,
      },
      // Measured on the default profile only: usage on another profile cannot be priced.
      {
        bad: usage(measured.id, 1, "2026-06-15T10:00:00Z", {
          hardwareProfileId: (await api.db.hardwareProfile.findFirstOrThrow({ where: { name: "m7i.xlarge" } })).id,
        }),
        field: "versionId",
        says: /no cost measurement on hardware profile m7i\.xlarge/,
      },
      { bad: usage(measured.id, 1, "2026-06-15T12:05:00.001Z"), field: "occurredAt", says: /in the future/ },
      {
        bad: usage(measured.id, 1, "2026-06-15T10:00:00Z", { idempotencyKey: "  " }),
        field: "idempotencyKey",
        says: /must not be empty/,
      },
    ];
    const auditBefore = await api.db.auditEvent.count();
    for (const c of cases) {
      const r = await recordUsage(api, [good(), good(), c.bad, good()], engineerA);
      expect(code(r), c.field).toBe("BAD_USER_INPUT");
      expect(message(r)).toMatch(new RegExp(`^input\\[2\\]\\.${c.field}: `));
      expect(message(r)).toMatch(c.says);
      expect(message(r)).toContain("nothing was recorded");
      expect(field(r)).toBe(`input.2.${c.field}`);
      expect(r.data).toBeNull();
    }
    expect(await stored(model.id)).toEqual({ rows: [], rollups: [] });
    expect(await api.db.auditEvent.count()).toBe(auditBefore);

    // Up to 5 minutes ahead of the server's clock is clock skew, not the future.
    const skewed = await recordUsage(api, [usage(measured.id, 10, "2026-06-15T12:05:00Z")], engineerA);
    expect(skewed.data!.recordUsage.accepted).toBe(1);
  });

  it("takes up to 10,000 records per call and refuses more", async () => {
    const { model, versions } = await measuredModel(api, teamA, [{ costPerMillionUsd: "2" }]);
    const at = (i: number) => new Date(Date.parse("2026-06-01T00:00:00Z") + i * 60_000);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => usage(versions[0]!.id, 1, at(i)));
    const refused = await recordUsage(api, tooMany, engineerA);
    expect(code(refused)).toBe("BAD_USER_INPUT");
    expect(message(refused)).toContain("at most 10,000 records per call (got 10,001)");
    expect((await stored(model.id)).rows).toHaveLength(0);

    const r = await recordUsage(api, tooMany.slice(0, 10_000), engineerA);
    expect(r.data!.recordUsage).toEqual({ accepted: 10_000, duplicates: 0, costUsd: "0.02" });
    const { rows, rollups } = await stored(model.id);
    expect(rows).toHaveLength(10_000);
    // 10,000 minutes from 1 June: 6 days and 22 hours and 40 minutes.
    expect(rollups.map((d) => Number(d.requests))).toEqual([1440, 1440, 1440, 1440, 1440, 1440, 1360]);
  });

  it("counts a key seen before as a duplicate: within one call, across calls, and across concurrent calls", async () => {
    const { model, versions } = await measuredModel(api, teamA, [{ costPerMillionUsd: "1" }]);
    const v = versions[0]!;
    const once = await recordUsage(
      api,
      [
        usage(v.id, 1_000_000, "2026-06-15T09:00:00Z", { idempotencyKey: "dup-1" }),
        usage(v.id, 5_000_000, "2026-06-15T09:00:00Z", { idempotencyKey: "dup-1" }),
      ],
      engineerA,
    );
    // The first occurrence in the call counts.
    expect(once.data!.recordUsage).toEqual({ accepted: 1, duplicates: 1, costUsd: "1.00" });
    const again = await recordUsage(
      api,
      [
        usage(v.id, 1_000_000, "2026-06-15T09:00:00Z", { idempotencyKey: "dup-1" }),
        usage(v.id, 2_000_000, "2026-06-15T09:00:00Z", { idempotencyKey: "dup-2" }),
      ],
      engineerA,
    );
    expect(again.data!.recordUsage).toEqual({ accepted: 1, duplicates: 1, costUsd: "2.00" });

    // 12 calls at the same moment, each with 150 keys drawn (in its own order) from the same 400.
    const pool = Array.from({ length: 400 }, (_, i) => `race-${i}`);
    let seed = 7;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const calls = Array.from({ length: 12 }, () => {
      const keys = [...pool].sort(() => rand() - 0.5).slice(0, 150);
      return keys.map((k) => usage(v.id, Number(k.slice(5)) + 1, "2026-06-15T10:00:00Z", { idempotencyKey: k }));
    });
    const results = await Promise.all(calls.map((records) => recordUsage(api, records, engineerA)));
    for (const r of results) expect(r.errors).toBeUndefined();
    const distinct = new Set(calls.flat().map((r) => r.idempotencyKey));
    const accepted = results.reduce((n, r) => n + r.data!.recordUsage.accepted, 0);
    const duplicates = results.reduce((n, r) => n + r.data!.recordUsage.duplicates, 0);
    expect(accepted).toBe(distinct.size);
    expect(duplicates).toBe(12 * 150 - distinct.size);

    const { rows, rollups } = await stored(model.id);
    expect(rows).toHaveLength(2 + distinct.size);
    const requestsOf = (keys: Iterable<string>) => [...keys].reduce((n, k) => n + Number(k.slice(5)) + 1, 0);
    const day15 = rollups.find((d) => d.day.toISOString().startsWith("2026-06-15"))!;
    expect(Number(day15.requests)).toBe(3_000_000 + requestsOf(distinct));
    expect(day15.costUsd.toFixed(6)).toBe(sum(rows.map((x) => x.costUsd)));
    // What the racing calls said they cost is what was stored.
    expect(sum(results.map((r) => r.data!.recordUsage.costUsd))).toBe(
      new MoneyDecimal(day15.costUsd.toString()).sub(3).toFixed(6),
    );
  });

  it("stores keys exactly as sent, whatever characters they hold", async () => {
    const { model, versions } = await measuredModel(api, teamA, [{ costPerMillionUsd: "1" }]);
    const keys = ['quote " inside', "back\\slash\\", "{braces,comma}", "NULL", "", "ünïcødé 😀", "'single'"].map(
      (k, i) => (k ? k : `empty-${i}`),
    );
    const first = await recordUsage(
      api,
      keys.map((k) => usage(versions[0]!.id, 1, "2026-06-15T10:00:00Z", { idempotencyKey: k })),
      engineerA,
    );
    expect(first.data!.recordUsage).toMatchObject({ accepted: keys.length, duplicates: 0 });
    const again = await recordUsage(
      api,
      keys.map((k) => usage(versions[0]!.id, 1, "2026-06-15T10:00:00Z", { idempotencyKey: k })),
      engineerA,
    );
    expect(again.data!.recordUsage).toMatchObject({ accepted: 0, duplicates: keys.length });
    const stored = (await api.db.usageRecord.findMany({ where: { modelId: model.id } }))
      .map((r) => r.idempotencyKey)
      .sort();
    expect(stored).toEqual(keys.map((k) => `${teamA}:${k}`).sort());
    const nul = await recordUsage(
      api,
      [usage(versions[0]!.id, 1, "2026-06-15T10:00:00Z", { idempotencyKey: "a\u0000b" })],
      engineerA,
    );
    expect(code(nul)).toBe("BAD_USER_INPUT");
  });

  it("keeps an ML engineer to their own team's versions, and keys to their team", async () => {
    const { model, versions } = await measuredModel(api, teamA, [{ costPerMillionUsd: "1" }]);
    const other = await measuredModel(api, teamB, [{ costPerMillionUsd: "1" }]);
    const refused = await recordUsage(
      api,
      [usage(other.versions[0]!.id, 1, "2026-06-15T10:00:00Z"), usage(versions[0]!.id, 1, "2026-06-15T10:00:00Z")],
      engineerB,
    );
    // Another team's version is answered as an unknown one: its id does not leak.
    expect(code(refused)).toBe("BAD_USER_INPUT");
    expect(message(refused)).toMatch(
      new RegExp(`^input\\[1\\]\\.versionId: model version ${versions[0]!.id} not found`),
    );
    expect((await stored(other.model.id)).rows).toHaveLength(0);
    expect((await stored(model.id)).rows).toHaveLength(0);

    // The same key from two teams' tools: two different records.
    const a = await recordUsage(
      api,
      [usage(versions[0]!.id, 1_000_000, "2026-06-15T10:00:00Z", { idempotencyKey: "batch-2026-06-15" })],
      engineerA,
    );
    const b = await recordUsage(
      api,
      [usage(other.versions[0]!.id, 1_000_000, "2026-06-15T10:00:00Z", { idempotencyKey: "batch-2026-06-15" })],
      engineerB,
    );
    expect([a.data!.recordUsage.accepted, b.data!.recordUsage.accepted]).toEqual([1, 1]);
    // An admin records for any team.
    const admin = await recordUsage(
      api,
      [usage(other.versions[0]!.id, 1_000_000, "2026-06-15T10:00:00Z")],
      api.adminToken,
    );
    expect(admin.data!.recordUsage.accepted).toBe(1);
  });
});
