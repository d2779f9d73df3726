import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { measuredModel, recordUsage, usage } from "../../../../test/spend-fixtures.ts";

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

const STATUS = `status { periodStart periodEnd spentUsd forecastUsd utilization forecastUtilization state exhaustsAt }`;
const BUDGET_FIELDS = `id name team { id } model { id } amountUsd period alertThresholds action policy { id } ${STATUS} createdAt updatedAt`;
const CREATE = `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ ${BUDGET_FIELDS} } }`;
const UPDATE = `mutation($id:ID!,$i:UpdateBudgetInput!){ updateBudget(id:$id, input:$i){ ${BUDGET_FIELDS} } }`;
const DELETE = `mutation($id:ID!){ deleteBudget(id:$id) }`;
const BUDGET = `query($id:ID!){ budget(id:$id){ ${BUDGET_FIELDS} } }`;
const BUDGETS = `query($t:ID){ budgets(teamId:$t){ id team { id } } }`;

type Status = {
  periodStart: string;
  periodEnd: string;
  spentUsd: string;
  forecastUsd: string;
  utilization: number;
  forecastUtilization: number;
  state: string;
  exhaustsAt: string | null;
};
type Budget = {
  id: string;
  name: string;
  team: { id: string };
  model: { id: string } | null;
  amountUsd: string;
  period: string;
  alertThresholds: number[];
  action: string;
  policy: { id: string } | null;
  status: Status;
};

describe("budgets", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.stop());

  /** A team of its own (so team-wide budgets see only this scenario's spend) with a measured model at $2 per million. */
  async function scenario() {
    const teamId = await api.createTeam();
    const finance = (await api.userToken("FINANCE", teamId)).token;
    const engineer = (await api.userToken("ML_ENGINEER", teamId)).token;
    const { model, versions } = await measuredModel(api, teamId, [{ costPerMillionUsd: "2" }]);
    /** Records `usd` dollars of usage ($2 per million requests) at `at`. */
    const spend = async (usd: number, at: string) => {
      const r = await recordUsage(api, [usage(versions[0]!.id, usd * 500_000, at)], engineer);
      expect(r.errors).toBeUndefined();
    };
    return { teamId, finance, engineer, model, spend };
  }
  const create = (input: Record<string, unknown>, token: string) =>
    api.gql<{ createBudget: Budget }>(CREATE, { i: input }, token);
  const status = async (id: string, token: string) =>
    (await api.ok<{ budget: Budget }>(BUDGET, { id }, token)).budget.status;

  it("lets FINANCE create a budget for its team, with default thresholds and action, audited", async () => {
    api.setNow("2028-02-10T00:00:00Z");
    const s = await scenario();
    const r = await create(
      { name: "Inference, monthly", teamId: s.teamId, amountUsd: "100", period: "MONTHLY" },
      s.finance,
    );
    expect(r.errors).toBeUndefined();
    const b = r.data!.createBudget;
    expect(b).toMatchObject({
      name: "Inference, monthly",
      team: { id: s.teamId },
      model: null,
      amountUsd: "100.00",
      period: "MONTHLY",
      alertThresholds: [0.5, 0.8, 1],
      action: "NOTIFY",
      policy: null,
    });
    expect(b.status).toEqual({
      periodStart: "2028-02-01T00:00:00.000Z",
      periodEnd: "2028-03-01T00:00:00.000Z",
      spentUsd: "0.00",
      forecastUsd: "0.00",
      utilization: 0,
      forecastUtilization: 0,
      state: "OK",
      exhaustsAt: null,
    });
    const event = await api.db.auditEvent.findFirstOrThrow({ where: { entityType: "Budget", entityId: b.id } });
    expect(event).toMatchObject({ action: "budget.create", teamId: s.teamId });
    expect(event.after).toMatchObject({ amountUsd: "100", period: "MONTHLY" });

    const listed = await api.ok<{ team: { budgets: { id: string }[] } }>(
      `query($id:ID!){ team(id:$id){ budgets { id } } }`,
      { id: s.teamId },
      s.finance,
    );
    expect(listed.team.budgets).toEqual([{ id: b.id }]);
  });

  it("refuses bad amounts, thresholds, models and policies, naming the field, and creates nothing", async () => {
    const s = await scenario();
    const other = await scenario();
    const policy = await api.db.optimizationPolicy.create({
      data: {
        teamId: s.teamId,
        name: "shrink",
        steps: [{ kind: "QUANTIZE", params: { dtype: "uint8" } }],
        maxAccuracyDrop: 0.01,
      },
    });
    const otherPolicy = await api.db.optimizationPolicy.create({
      data: {
        teamId: other.teamId,
        name: "shrink",
        steps: [{ kind: "QUANTIZE", params: { dtype: "uint8" } }],
        maxAccuracyDrop: 0.01,
      },
    });
    const base = { name: "B", teamId: s.teamId, amountUsd: "100", period: "MONTHLY" };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ amountUsd: "0" }, "BAD_USER_INPUT", /amountUsd must be more than 0/],
      [{ amountUsd: "-5.00" }, "BAD_USER_INPUT", /amountUsd must be more than 0/],
      [{ amountUsd: "10.1234567" }, "BAD_USER_INPUT", /at most 6 decimals/],
      [{ amountUsd: 10.5 }, "BAD_USER_INPUT", /decimal string/],
      [{ alertThresholds: [0.8, 0.5] }, "BAD_USER_INPUT", /alertThresholds: .*ascending/],
      [{ alertThresholds: [0, 1] }, "BAD_USER_INPUT", /alertThresholds: .*greater than 0/],
      [
        { alertThresholds: Array.from({ length: 11 }, (_, i) => (i + 1) / 11) },
        "BAD_USER_INPUT",
        /at most 10 alert thresholds/,
      ],
      [{ modelId: other.model.id }, "NOT_FOUND", /Model .* not found/],
      [{ action: "AUTO_OPTIMIZE" }, "BAD_USER_INPUT", /policyId: an AUTO_OPTIMIZE budget needs/],
      [
        { action: "AUTO_OPTIMIZE", policyId: otherPolicy.id },
        "BAD_USER_INPUT",
        /policyId: .* not found in the budget's team/,
      ],
      [
        { action: "NOTIFY", policyId: policy.id },
        "BAD_USER_INPUT",
        /policyId: only an AUTO_OPTIMIZE budget runs a policy/,
      ],
      [{ name: "  " }, "BAD_USER_INPUT", /name: must not be empty/],
      [{ teamId: other.teamId }, "FORBIDDEN", /own team/],
    ];
    for (const [change, expected, says] of cases) {
      const r = await create({ ...base, ...change }, s.finance);
      expect(code(r), JSON.stringify(change)).toBe(expected);
      expect(message(r)).toMatch(says);
    }
    expect(await api.db.budget.count({ where: { teamId: { in: [s.teamId, other.teamId] } } })).toBe(0);

    // An admin naming another team's model gets told which field is wrong.
    const admin = await create({ ...base, modelId: other.model.id }, api.adminToken);
    expect(code(admin)).toBe("BAD_USER_INPUT");
    expect(message(admin)).toMatch(/^modelId: .*another team/);
    // AUTO_OPTIMIZE with the team's policy is fine; moving to NOTIFY detaches the policy.
    const auto = await create({ ...base, action: "AUTO_OPTIMIZE", policyId: policy.id }, s.finance);
    expect(auto.data!.createBudget).toMatchObject({ action: "AUTO_OPTIMIZE", policy: { id: policy.id } });
    const notify = await api.gql<{ updateBudget: Budget }>(
      UPDATE,
      { id: auto.data!.createBudget.id, i: { action: "NOTIFY" } },
      s.finance,
    );
    expect(notify.data!.updateBudget).toMatchObject({ action: "NOTIFY", policy: null });
  });

  it("applies a new amount to the current period at once and audits the change", async () => {
    api.setNow("2028-02-11T00:00:00Z");
    const s = await scenario();
    await s.spend(40, "2028-02-05T00:00:00Z");
    const b = (
      await create(
        { name: "B", teamId: s.teamId, amountUsd: "200", period: "MONTHLY", action: "BLOCK_PROMOTION" },
        s.finance,
      )
    ).data!.createBudget;
    expect(b.status).toMatchObject({ spentUsd: "40.00", utilization: 0.2, state: "OK" });

    const r = await api.gql<{ updateBudget: Budget }>(
      UPDATE,
      { id: b.id, i: { amountUsd: "100", name: "Tighter" } },
      s.finance,
    );
    expect(r.errors).toBeUndefined();
    // Spend began on 5 February: 6 days observed at $6.67 a day (run rate; too few days to be weekday-aware),
    // the 19 days left add $126.67: forecast $166.67, over the new amount, which is reached 9 days on, on the 20th.
    expect(r.data!.updateBudget).toMatchObject({
      name: "Tighter",
      amountUsd: "100.00",
      action: "BLOCK_PROMOTION",
      alertThresholds: [0.5, 0.8, 1],
    });
    expect(r.data!.updateBudget.status).toEqual({
      periodStart: "2028-02-01T00:00:00.000Z",
      periodEnd: "2028-03-01T00:00:00.000Z",
      spentUsd: "40.00",
      forecastUsd: "166.666667",
      utilization: 0.4,
      forecastUtilization: 1.66666667,
      state: "AT_RISK",
      exhaustsAt: "2028-02-20T00:00:00.000Z",
    });
    const event = await api.db.auditEvent.findFirstOrThrow({ where: { entityId: b.id, action: "budget.update" } });
    expect(event.actor).toMatch(/^user:/);
    expect(event.before).toMatchObject({ amountUsd: "200", name: "B" });
    expect(event.after).toMatchObject({
      amountUsd: "100",
      name: "Tighter",
      amountChange: { from: "200.00", to: "100.00", appliesFromPeriodStart: "2028-02-01T00:00:00.000Z" },
    });
  });

  it("computes status over calendar periods in UTC: month ends, 29 February, quarter and year ends, a budget created mid-period", async () => {
    const s = await scenario();
    api.setNow("2028-02-15T00:00:00Z");
    await s.spend(1000, "2028-01-31T23:59:59.999Z");
    await s.spend(30, "2028-02-01T00:00:00Z");
    // Created mid-February: the period is the calendar month, so spend since 1 February counts.
    const monthly = (await create({ name: "M", teamId: s.teamId, amountUsd: "100", period: "MONTHLY" }, s.finance))
      .data!.createBudget;
    const quarterly = (await create({ name: "Q", teamId: s.teamId, amountUsd: "3000", period: "QUARTERLY" }, s.finance))
      .data!.createBudget;
    const yearly = (await create({ name: "Y", teamId: s.teamId, amountUsd: "100000", period: "YEARLY" }, s.finance))
      .data!.createBudget;
    const modelBudget = (
      await create(
        { name: "Model", teamId: s.teamId, modelId: s.model.id, amountUsd: "50", period: "MONTHLY" },
        s.finance,
      )
    ).data!.createBudget;
    expect(monthly.status).toMatchObject({
      periodStart: "2028-02-01T00:00:00.000Z",
      periodEnd: "2028-03-01T00:00:00.000Z",
      spentUsd: "30.00",
    });

    // Leap day (a Tuesday), noon: 28 days observed since 1 February, every weekday four times, so the
    // forecast is weekday-aware: the rest of today at the mean of the four Tuesdays ($30 on the 1st) / 4 = $7.50 × ½.
    api.setNow("2028-02-29T12:00:00Z");
    await s.spend(27, "2028-02-29T06:00:00Z");
    expect(await status(monthly.id, s.finance)).toEqual({
      periodStart: "2028-02-01T00:00:00.000Z",
      periodEnd: "2028-03-01T00:00:00.000Z",
      spentUsd: "57.00",
      forecastUsd: "60.75",
      utilization: 0.57,
      forecastUtilization: 0.6075,
      state: "OK",
      exhaustsAt: null,
    });
    expect((await status(modelBudget.id, s.finance)).spentUsd).toBe("57.00");

    // The last millisecond of February is still February; midnight is March, with nothing spent yet.
    api.setNow("2028-02-29T23:59:59.999Z");
    expect((await status(monthly.id, s.finance)).spentUsd).toBe("57.00");
    api.setNow("2028-03-01T00:00:00Z");
    await s.spend(3, "2028-03-01T00:00:00Z");
    expect(await status(monthly.id, s.finance)).toMatchObject({
      periodStart: "2028-03-01T00:00:00.000Z",
      periodEnd: "2028-04-01T00:00:00.000Z",
      spentUsd: "3.00",
    });

    // The first quarter runs 1 January to 1 April; the second starts empty.
    api.setNow("2028-03-31T23:59:59Z");
    expect(await status(quarterly.id, s.finance)).toMatchObject({
      periodStart: "2028-01-01T00:00:00.000Z",
      periodEnd: "2028-04-01T00:00:00.000Z",
      spentUsd: "1060.00",
    });
    api.setNow("2028-04-01T00:00:00Z");
    expect(await status(quarterly.id, s.finance)).toMatchObject({
      periodStart: "2028-04-01T00:00:00.000Z",
      periodEnd: "2028-07-01T00:00:00.000Z",
      spentUsd: "0.00",
      state: "OK",
    });

    // The year: everything of 2028 up to its last day; 2029 starts at 0.
    api.setNow("2028-12-31T12:00:00Z");
    await s.spend(5, "2028-12-31T11:00:00Z");
    expect(await status(yearly.id, s.finance)).toMatchObject({
      periodStart: "2028-01-01T00:00:00.000Z",
      periodEnd: "2029-01-01T00:00:00.000Z",
      spentUsd: "1065.00",
    });
    api.setNow("2029-01-01T00:00:00Z");
    expect((await status(yearly.id, s.finance)).spentUsd).toBe("0.00");
  });

  it("says EXCEEDED once spent reaches the amount, and AT_RISK when the highest threshold is crossed", async () => {
    api.setNow("2028-05-31T00:00:00Z");
    const s = await scenario();
    const b = (
      await create(
        { name: "B", teamId: s.teamId, amountUsd: "100", period: "MONTHLY", alertThresholds: [0.5, 0.9] },
        s.finance,
      )
    ).data!.createBudget;
    await s.spend(91, "2028-05-30T00:00:00Z");
    // One day of spend is too little to forecast (3 days are needed): the forecast is the spend so far,
    // under 100; but 91% is past the highest threshold.
    expect(await status(b.id, s.finance)).toMatchObject({
      spentUsd: "91.00",
      forecastUsd: "91.00",
      state: "AT_RISK",
    });
    await s.spend(9, "2028-05-30T12:00:00Z");
    expect(await status(b.id, s.finance)).toMatchObject({
      spentUsd: "100.00",
      utilization: 1,
      state: "EXCEEDED",
      exhaustsAt: "2028-05-31T00:00:00.000Z",
    });
  });

  it("keeps budgets to FINANCE and ADMIN of the team", async () => {
    api.setNow(null);
    const a = await scenario();
    const b = await scenario();
    const budget = (await create({ name: "A", teamId: a.teamId, amountUsd: "10", period: "YEARLY" }, a.finance)).data!
      .createBudget;
    expect(code(await create({ name: "x", teamId: a.teamId, amountUsd: "10", period: "YEARLY" }, a.engineer))).toBe(
      "FORBIDDEN",
    );
    // Another team's budget, reached by its id, is not found (its id does not leak).
    expect(code(await api.gql(UPDATE, { id: budget.id, i: { amountUsd: "1" } }, b.finance))).toBe("NOT_FOUND");
    expect(code(await api.gql(DELETE, { id: budget.id }, b.finance))).toBe("NOT_FOUND");
    const read = await api.gql<{ budget: unknown }>(BUDGET, { id: budget.id }, b.finance);
    expect([read.errors, read.data?.budget]).toEqual([undefined, null]);
    expect(code(await api.gql(BUDGETS, { t: a.teamId }, b.finance))).toBe("FORBIDDEN");
    expect((await api.ok<{ budgets: { id: string }[] }>(BUDGETS, {}, b.finance)).budgets).toEqual([]);
    expect((await api.ok<{ budgets: { id: string }[] }>(BUDGETS, {}, a.engineer)).budgets).toEqual([
      { id: budget.id, team: { id: a.teamId } },
    ]);
    expect(
      (await api.ok<{ budgets: { id: string }[] }>(BUDGETS, { t: a.teamId }, api.adminToken)).budgets,
    ).toHaveLength(1);

    expect(code(await api.gql(DELETE, { id: "no-such-budget" }, a.finance))).toBe("NOT_FOUND");
    expect((await api.ok<{ deleteBudget: boolean }>(DELETE, { id: budget.id }, a.finance)).deleteBudget).toBe(true);
    expect((await api.ok<{ budget: Budget | null }>(BUDGET, { id: budget.id }, a.finance)).budget).toBeNull();
    const event = await api.db.auditEvent.findFirstOrThrow({ where: { entityId: budget.id, action: "budget.delete" } });
    expect(event.before).toMatchObject({ name: "A", amountUsd: "10" });
  });
});
