import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";

const uid = () => randomBytes(4).toString("hex");
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

const POLICY = `query($id:ID!){ optimizationPolicy(id:$id){ id name team { id } model { id } steps { kind params } maxAccuracyDrop hardwareProfile { id } trigger autoPromote enabled } }`;
const STEPS = [
  { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
  { kind: "QUANTIZE", params: { dtype: "uint8" } },
];

describe("optimizationPolicy(id)", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let engineerA: string;
  let viewerA: string;
  let engineerB: string;

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    teamB = await api.createTeam();
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
    viewerA = (await api.userToken("VIEWER", teamA)).token;
    engineerB = (await api.userToken("ML_ENGINEER", teamB)).token;
  });
  afterAll(async () => {
    await api?.stop();
  });

  const policyOf = async (teamId: string) => {
    const model = await api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
    const policy = await api.db.optimizationPolicy.create({
      data: { teamId, modelId: model.id, name: `p-${uid()}`, steps: STEPS, maxAccuracyDrop: 0.02, enabled: false },
    });
    return { model, policy };
  };

  it("names the hardware a policy compares costs on: its own profile, else the default one", async () => {
    const HARDWARE = `query($id:ID!){ optimizationPolicy(id:$id){ hardwareProfile { name } effectiveHardwareProfile { id name isDefault } } }`;
    const [byDefault, other] = await Promise.all([
      api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } }),
      api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: false } }),
    ]);
    const { policy } = await policyOf(teamA);
    const onDefault = await api.ok(HARDWARE, { id: policy.id }, viewerA);
    expect(onDefault.optimizationPolicy).toEqual({
      hardwareProfile: null,
      effectiveHardwareProfile: { id: byDefault.id, name: byDefault.name, isDefault: true },
    });
    await api.db.optimizationPolicy.update({ where: { id: policy.id }, data: { hardwareProfileId: other.id } });
    const onOther = await api.ok(HARDWARE, { id: policy.id }, viewerA);
    expect(onOther.optimizationPolicy).toEqual({
      hardwareProfile: { name: other.name },
      effectiveHardwareProfile: { id: other.id, name: other.name, isDefault: false },
    });
  });

  it("answers the policy with its fields to any role of its team", async () => {
    const { model, policy } = await policyOf(teamA);
    for (const token of [engineerA, viewerA]) {
      const r = await api.ok<{ optimizationPolicy: unknown }>(POLICY, { id: policy.id }, token);
      expect(r.optimizationPolicy).toEqual({
        id: policy.id,
        name: policy.name,
        team: { id: teamA },
        model: { id: model.id },
        steps: STEPS,
        maxAccuracyDrop: 0.02,
        hardwareProfile: null,
        trigger: "MANUAL",
        autoPromote: false,
        enabled: false,
      });
    }
  });

  it("answers another team's policy as unknown (null), as optimizationJob(id) and model(id) do", async () => {
    const { model, policy } = await policyOf(teamA);
    const r = await api.gql(POLICY, { id: policy.id }, engineerB);
    expect(r.errors).toBeUndefined();
    expect(r.data?.optimizationPolicy).toBeNull();
    const sameRule = await api.gql(`query($id:ID!){ model(id:$id){ id } }`, { id: model.id }, engineerB);
    expect([sameRule.errors, sameRule.data?.model]).toEqual([undefined, null]);
  });

  it("answers null for an unknown id", async () => {
    const r = await api.ok<{ optimizationPolicy: null }>(POLICY, { id: "no-such-policy" }, engineerA);
    expect(r.optimizationPolicy).toBeNull();
  });

  it("answers any team's policy to an admin", async () => {
    const { policy } = await policyOf(teamB);
    const r = await api.ok<{ optimizationPolicy: { id: string; team: { id: string } } }>(
      POLICY,
      { id: policy.id },
      api.adminToken,
    );
    expect(r.optimizationPolicy).toMatchObject({ id: policy.id, team: { id: teamB } });
  });

  it("asks for a signed-in caller", async () => {
    const { policy } = await policyOf(teamA);
    expect(code(await api.gql(POLICY, { id: policy.id }, null))).toBe("UNAUTHENTICATED");
  });
});
