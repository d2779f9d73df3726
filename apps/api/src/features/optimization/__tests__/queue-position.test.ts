import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobStatus } from "@costgate/db";
import { TestApi } from "../../../../test/harness.ts";

const uid = () => randomBytes(4).toString("hex");

const LIST = `query($s:JobStatus){ optimizationJobs(status:$s, first:50){ edges { node { id status queuePosition } } } }`;
const ONE = `query($id:ID!){ optimizationJob(id:$id){ id status queuePosition } }`;

describe("a job's place in the queue", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let engineerA: string;
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute));

  beforeAll(async () => {
    api = await TestApi.start();
    [teamA, teamB] = [await api.createTeam(), await api.createTeam()];
    engineerA = (await api.userToken("ML_ENGINEER", teamA)).token;
  });
  afterAll(() => api?.stop());

  /** A policy and a READY source version of the team, to hang jobs on. */
  async function sourceOf(teamId: string) {
    const model = await api.db.model.create({ data: { teamId, name: `m-${uid()}`, task: "CLASSIFICATION" } });
    const artifact = await api.db.artifact.create({
      data: {
        kind: "TFJS_LAYERS_MODEL",
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 10,
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
    const policy = await api.db.optimizationPolicy.create({
      data: { teamId, name: `p-${uid()}`, steps: [], maxAccuracyDrop: 0.02 },
    });
    return { policyId: policy.id, sourceVersionId: version.id };
  }

  const job = async (source: { policyId: string; sourceVersionId: string }, createdAt: Date, status: JobStatus) =>
    (
      await api.db.optimizationJob.create({
        data: { ...source, steps: [], triggeredBy: "manual", createdBy: "system", status, createdAt },
      })
    ).id;

  it("counts the queued jobs of every team created before it, and is null once the job left the queue", async () => {
    const [a, b] = [await sourceOf(teamA), await sourceOf(teamB)];
    const done = await job(a, at(0), "SUCCEEDED");
    const first = await job(a, at(1), "QUEUED");
    await job(b, at(2), "QUEUED"); // another team's: the workers share one queue, so it is in line too
    const running = await job(a, at(3), "RUNNING");
    const third = await job(a, at(4), "QUEUED");
    const fourth = await job(a, at(5), "QUEUED");

    const list = await api.ok<{
      optimizationJobs: { edges: { node: { id: string; queuePosition: number | null } }[] };
    }>(LIST, {}, engineerA);
    const positions = Object.fromEntries(list.optimizationJobs.edges.map((e) => [e.node.id, e.node.queuePosition]));
    expect(positions).toEqual({ [fourth]: 4, [third]: 3, [running]: null, [first]: 1, [done]: null });

    const one = await api.ok<{ optimizationJob: { queuePosition: number } }>(ONE, { id: fourth }, engineerA);
    expect(one.optimizationJob.queuePosition).toBe(4);

    // The first in line is taken: everyone behind it moves up.
    await api.db.optimizationJob.update({ where: { id: first }, data: { status: "RUNNING", startedAt: new Date() } });
    const after = await api.ok<{ optimizationJobs: { edges: { node: { id: string; queuePosition: number } }[] } }>(
      LIST,
      { s: "QUEUED" },
      engineerA,
    );
    expect(after.optimizationJobs.edges.map((e) => [e.node.id, e.node.queuePosition])).toEqual([
      [fourth, 3],
      [third, 2],
    ]);
  });
});
