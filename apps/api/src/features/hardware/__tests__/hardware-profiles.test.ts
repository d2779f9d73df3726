import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";

const UPSERT = `mutation($i:HardwareProfileInput!){ upsertHardwareProfile(input:$i){ id name hourlyPriceUsd isDefault } }`;
const RECORD = `mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted costUsd } }`;
const uid = () => randomBytes(4).toString("hex");
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

describe("hardware profiles are global, so only an ADMIN changes them", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let defaultProfile: { id: string; name: string; hourlyPriceUsd: string; vcpus: number; memoryGiB: number };

  beforeAll(async () => {
    api = await TestApi.start();
    [teamA, teamB] = [await api.createTeam(), await api.createTeam()];
    const p = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    defaultProfile = {
      id: p.id,
      name: p.name,
      hourlyPriceUsd: p.hourlyPriceUsd.toString(),
      vcpus: p.vcpus,
      memoryGiB: p.memoryGiB,
    };
  });
  afterAll(() => api?.stop());

  /** A READY version of a fresh model of the team, measured on the profile at that $/1M. */
  const measured = async (teamId: string, profileId: string, costPerMillionUsd: string) => {
    const model = await api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
    const artifact = await api.db.artifact.create({
      data: {
        kind: "TFJS_LAYERS_MODEL",
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 1,
        files: [],
        metadata: {},
        teamId,
        createdBy: "system",
      },
    });
    const version = await api.db.modelVersion.create({
      data: {
        modelId: model.id,
        number: 1,
        source: "UPLOAD",
        status: "READY",
        artifactId: artifact.id,
        createdBy: "system",
      },
    });
    const measurement = await measure(version.id, profileId, costPerMillionUsd);
    return { version, measurement };
  };
  const measure = (versionId: string, profileId: string, costPerMillionUsd: string) =>
    api.db.costMeasurement.create({
      data: {
        versionId,
        hardwareProfileId: profileId,
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
        costPerMillionUsd,
        runs: 10,
      },
    });

  it("refuses FINANCE (of any team) with FORBIDDEN and changes nothing", async () => {
    const finance = await api.userToken("FINANCE", teamA);
    const r = await api.gql(
      UPSERT,
      { i: { name: defaultProfile.name, hourlyPriceUsd: "0.000001", vcpus: 1, memoryGiB: 1 } },
      finance.token,
    );
    expect(code(r)).toBe("FORBIDDEN");
    const after = await api.db.hardwareProfile.findUniqueOrThrow({ where: { id: defaultProfile.id } });
    expect(after.hourlyPriceUsd.toString()).toBe(defaultProfile.hourlyPriceUsd);
    // Nor can FINANCE make an unmeasured profile the default for everyone.
    const d = await api.gql(
      UPSERT,
      { i: { name: `cheap-${uid()}`, hourlyPriceUsd: "0.01", vcpus: 1, memoryGiB: 1, isDefault: true } },
      finance.token,
    );
    expect(code(d)).toBe("FORBIDDEN");
    expect((await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } })).id).toBe(defaultProfile.id);
  });

  it("an ADMIN's change is audited for every team with versions measured on the profile", async () => {
    await measured(teamA, defaultProfile.id, "0.5");
    await measured(teamB, defaultProfile.id, "0.7");
    await api.ok(UPSERT, {
      i: {
        name: defaultProfile.name,
        hourlyPriceUsd: "0.2",
        vcpus: defaultProfile.vcpus,
        memoryGiB: defaultProfile.memoryGiB,
      },
    });
    const events = await api.db.auditEvent.findMany({
      where: { action: "hardware_profile.update", entityId: defaultProfile.id },
    });
    expect(events.map((e) => e.teamId).sort()).toEqual([null, teamA, teamB].sort());
    const main = events.find((e) => e.teamId === null)!;
    expect((main.after as { affectedTeamIds: string[] }).affectedTeamIds.sort()).toEqual([teamA, teamB].sort());
  });

  it("each usage record keeps the measurement it was priced by; a later measurement or price change never re-prices it", async () => {
    const { version, measurement } = await measured(teamA, defaultProfile.id, "1.000000");
    const at = new Date().toISOString();
    await api.ok(RECORD, {
      i: [{ versionId: version.id, requests: 1_000_000, occurredAt: at, idempotencyKey: `k-${uid()}` }],
    });
    const first = await api.db.usageRecord.findFirstOrThrow({ where: { versionId: version.id } });
    expect(first.costMeasurementId).toBe(measurement.id);
    expect(first.costUsd.toString()).toBe("1");

    const remeasured = await measure(version.id, defaultProfile.id, "3.000000");
    await api.ok(UPSERT, {
      i: {
        name: defaultProfile.name,
        hourlyPriceUsd: "9",
        vcpus: defaultProfile.vcpus,
        memoryGiB: defaultProfile.memoryGiB,
      },
    });
    await api.ok(RECORD, {
      i: [{ versionId: version.id, requests: 1_000_000, occurredAt: at, idempotencyKey: `k-${uid()}` }],
    });
    const records = await api.db.usageRecord.findMany({
      where: { versionId: version.id },
      orderBy: { createdAt: "asc" },
    });
    expect(records.map((r) => [r.costUsd.toString(), r.costMeasurementId])).toEqual([
      ["1", measurement.id],
      ["3", remeasured.id],
    ]);
  });
});
