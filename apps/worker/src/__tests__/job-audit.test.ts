import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDeps, policy, readyModel } from "../../test/budget-fixtures.ts";
import { TestApi } from "../../test/flow.ts";
import type { WorkerDeps } from "../deps.ts";
import { finishJob } from "../features/finish-job.ts";

/** How a job ended is in its team's audit log, next to the cancel request a person made. */
let api: TestApi;
let deps: ReturnType<typeof checkDeps>;

beforeAll(async () => {
  api = await TestApi.start();
  deps = checkDeps(api);
}, 60_000);

afterAll(async () => {
  await deps?.close();
  await api?.stop();
});

async function openJob(teamId: string) {
  const { model, version } = await readyModel(api.db, teamId);
  const p = await policy(api.db, teamId, model.id);
  return api.db.optimizationJob.create({
    data: {
      policyId: p.id,
      sourceVersionId: version.id,
      steps: [],
      status: "RUNNING",
      triggeredBy: "manual",
      createdBy: "system",
    },
  });
}

describe("the end of a job in the audit log", () => {
  it.each([
    ["job.failed", { error: "the model file is corrupt" }],
    ["job.cancelled", { cancelled: true }],
  ] as const)("%s is recorded in the job's team", async (action, outcome) => {
    const teamId = await api.createTeam();
    const job = await openJob(teamId);

    await finishJob(deps as unknown as WorkerDeps, job.id, outcome);

    const events = await api.db.auditEvent.findMany({ where: { entityId: job.id } });
    expect(events.map((e) => [e.action, e.teamId])).toEqual([[action, teamId]]);
  });
});
