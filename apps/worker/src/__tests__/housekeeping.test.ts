import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { uploadFiles } from "@costgate/testkit";
import type { CostgateWorker } from "../create-worker.ts";
import { TestApi, startWorker, until } from "../../test/flow.ts";

/**
 * The hourly housekeeping job, as a worker schedules it at start: an upload nobody registered
 * for longer than ARTIFACT_GRACE_HOURS is removed (row and stored files); a registered one and
 * a recent one stay.
 */
let api: TestApi;
let worker: CostgateWorker | undefined;
let dir: string;

beforeAll(async () => {
  api = await TestApi.start();
  dir = await mkdtemp(join(tmpdir(), "costgate-housekeeping-"));
});
afterAll(async () => {
  await worker?.close();
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, rows: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `x,label\n${rows}`);
  return path;
}

it("removes an upload left unregistered past the grace period, and keeps the others", async () => {
  const abandoned = await uploadFiles(api, "dataset", [await csv("abandoned.csv", "1,0\n2,1\n")]);
  const recent = await uploadFiles(api, "dataset", [await csv("recent.csv", "3,0\n4,1\n")]);
  const used = await uploadFiles(api, "dataset", [await csv("used.csv", "5,0\n6,1\n")]);
  const model = await api.ok<{ createModel: { id: string } }>(
    `mutation($t:ID!){ createModel(input:{ teamId:$t, name:"hk", task: CLASSIFICATION }){ id } }`,
    { t: await api.createTeam() },
  );
  await api.ok(
    `mutation($m:ID!,$a:ID!){ registerDataset(input:{ modelId:$m, artifactId:$a, name:"eval", role: EVALUATION }){ id } }`,
    { m: model.createModel.id, a: used.artifactId },
  );
  // Two days pass for two of them.
  const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
  await api.db.artifact.updateMany({
    where: { id: { in: [abandoned.artifactId, used.artifactId] } },
    data: { lastUsedAt: twoDaysAgo },
  });

  worker = await startWorker(api, { ARTIFACT_GRACE_HOURS: "24" });

  await until(
    "the housekeeping job to remove the abandoned upload",
    async () => (await api.db.artifact.count({ where: { id: abandoned.artifactId } })) === 0,
    30_000,
  );
  expect(await worker.deps.store.exists(abandoned.sha256)).toBe(false);
  const left = await api.db.artifact.findMany({ where: { id: { in: [recent.artifactId, used.artifactId] } } });
  expect(left).toHaveLength(2);
  expect(await worker.deps.store.exists(recent.sha256)).toBe(true);
  expect(await worker.deps.store.exists(used.sha256)).toBe(true);
  const audit = await api.db.auditEvent.findFirst({
    where: { action: "artifact.collect", entityId: abandoned.artifactId },
  });
  expect(audit?.actor).toBe("system");
});
