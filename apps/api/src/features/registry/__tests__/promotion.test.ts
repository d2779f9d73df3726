import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VersionStage, VersionStatus } from "@costgate/db";
import { TestApi } from "../../../../test/harness.ts";

const uid = () => randomBytes(4).toString("hex");
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

const PROMOTE = `mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { id stage status } previousProduction { id stage } } }`;

type Promotion = {
  promoteModelVersion: {
    version: { id: string; stage: VersionStage };
    previousProduction: { id: string; stage: VersionStage } | null;
  };
};

describe("promoteModelVersion", () => {
  let api: TestApi;
  let teamA: string;
  let engineerA: string;
  let engineerB: string;

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
    engineerB = (await api.userToken("ML_ENGINEER", await api.createTeam())).token;
  });
  afterAll(() => api?.stop());

  /** A model with versions as the worker leaves them (READY unless said otherwise). */
  async function modelWith(...versions: { status?: VersionStatus; stage?: VersionStage }[]) {
    const model = await api.db.model.create({ data: { teamId: teamA, name: `m-${uid()}`, task: "CLASSIFICATION" } });
    const artifact = await api.db.artifact.create({
      data: {
        kind: "TFJS_LAYERS_MODEL",
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 10,
        files: [],
        teamId: teamA,
        createdBy: "system",
      },
    });
    const rows = [];
    for (const [i, v] of versions.entries()) {
      rows.push(
        await api.db.modelVersion.create({
          data: {
            modelId: model.id,
            number: i + 1,
            source: "UPLOAD",
            status: v.status ?? "READY",
            stage: v.stage ?? "CANDIDATE",
            artifactId: artifact.id,
            createdBy: "system",
          },
        }),
      );
    }
    return { model, versions: rows };
  }
  const stages = async (modelId: string) =>
    Object.fromEntries(
      (await api.db.modelVersion.findMany({ where: { modelId }, orderBy: { number: "asc" } })).map((v) => [
        v.number,
        v.stage,
      ]),
    );
  const promote = (versionId: string, stage: VersionStage, token = engineerA, overrideReason?: string) =>
    api.gql<Promotion>(
      PROMOTE,
      { i: { versionId, stage, ...(overrideReason !== undefined ? { overrideReason } : {}) } },
      token,
    );

  it("moves a version CANDIDATE → STAGING → PRODUCTION, archiving the previous PRODUCTION version in the same step", async () => {
    const { model, versions } = await modelWith({ stage: "PRODUCTION" }, {});
    const [v1, v2] = versions as [(typeof versions)[0], (typeof versions)[0]];

    const staged = await promote(v2.id, "STAGING");
    expect(staged.errors).toBeUndefined();
    expect(staged.data!.promoteModelVersion).toEqual({
      version: { id: v2.id, stage: "STAGING", status: "READY" },
      previousProduction: null,
    });
    expect(await stages(model.id)).toEqual({ 1: "PRODUCTION", 2: "STAGING" });

    const live = await promote(v2.id, "PRODUCTION");
    expect(live.data!.promoteModelVersion).toEqual({
      version: { id: v2.id, stage: "PRODUCTION", status: "READY" },
      previousProduction: { id: v1.id, stage: "ARCHIVED" },
    });
    expect(await stages(model.id)).toEqual({ 1: "ARCHIVED", 2: "PRODUCTION" });
    const production = await api.ok<{ model: { productionVersion: { id: string } } }>(
      `query($id:ID!){ model(id:$id){ productionVersion { id } } }`,
      { id: model.id },
      engineerA,
    );
    expect(production.model.productionVersion.id).toBe(v2.id);

    const events = await api.db.auditEvent.findMany({
      where: { entityType: "ModelVersion", entityId: { in: [v1.id, v2.id] } },
      orderBy: { createdAt: "asc" },
    });
    expect(events.map((e) => [e.entityId, e.action])).toEqual([
      [v2.id, "version.promote"],
      [v1.id, "version.archive"],
      [v2.id, "version.promote"],
    ]);
    expect(events[2]!.before).toEqual({ stage: "STAGING" });
    expect(events[2]!.after).toEqual({ stage: "PRODUCTION" });
  });

  it("leaves exactly one PRODUCTION version when two versions are promoted at the same time", async () => {
    for (let round = 0; round < 3; round++) {
      const { model, versions } = await modelWith({ stage: "PRODUCTION" }, {}, {});
      const results = await Promise.all([
        promote(versions[1]!.id, "PRODUCTION"),
        promote(versions[2]!.id, "PRODUCTION"),
      ]);
      for (const r of results) expect(r.errors).toBeUndefined();
      const after = await stages(model.id);
      expect(Object.values(after).filter((s) => s === "PRODUCTION")).toHaveLength(1);
      expect(Object.values(after).filter((s) => s === "ARCHIVED")).toHaveLength(2);
      // Serialised: the first replaced the original, the second replaced the first.
      const [a, b] = results.map((r) => r.data!.promoteModelVersion);
      const [first, second] = after[2] === "PRODUCTION" ? [b!, a!] : [a!, b!];
      expect(first.previousProduction?.id).toBe(versions[0]!.id);
      expect(second.previousProduction?.id).toBe(first.version.id);
    }
  });

  it("refuses a version that is not READY, changing nothing", async () => {
    const { model, versions } = await modelWith({ stage: "PRODUCTION" }, { status: "PENDING" }, { status: "FAILED" });
    for (const v of versions.slice(1)) {
      for (const stage of ["STAGING", "PRODUCTION"] as const) {
        const r = await promote(v.id, stage);
        expect(code(r)).toBe("BAD_USER_INPUT");
        expect(message(r)).toContain(v.status);
      }
    }
    expect(await stages(model.id)).toEqual({ 1: "PRODUCTION", 2: "CANDIDATE", 3: "CANDIDATE" });
    // A version that is not READY may still be rejected.
    expect((await promote(versions[1]!.id, "REJECTED")).data?.promoteModelVersion.version.stage).toBe("REJECTED");
  });

  it("lets only an ADMIN give an overrideReason, and records it in the audit event", async () => {
    const { model, versions } = await modelWith({});
    const v = versions[0]!;
    const refused = await promote(v.id, "PRODUCTION", engineerA, "the budget is wrong this month");
    expect(code(refused)).toBe("FORBIDDEN");
    expect(message(refused)).toContain("ADMIN");
    expect(await stages(model.id)).toEqual({ 1: "CANDIDATE" });
    expect(code(await promote(v.id, "PRODUCTION", api.adminToken, "   "))).toBe("BAD_USER_INPUT");

    const ok = await promote(v.id, "PRODUCTION", api.adminToken, "launch day, approved by finance");
    expect(ok.errors).toBeUndefined();
    const event = await api.db.auditEvent.findFirstOrThrow({ where: { entityId: v.id, action: "version.promote" } });
    expect(event.after).toMatchObject({ stage: "PRODUCTION", overrideReason: "launch day, approved by finance" });
    expect(event.actor).toMatch(/^user:/);
  });

  it("keeps other teams and unknown versions out", async () => {
    const { model, versions } = await modelWith({});
    expect(code(await promote(versions[0]!.id, "STAGING", engineerB))).toBe("NOT_FOUND");
    expect(code(await promote("no-such-version", "STAGING"))).toBe("NOT_FOUND");
    expect(await stages(model.id)).toEqual({ 1: "CANDIDATE" });
  });
});
