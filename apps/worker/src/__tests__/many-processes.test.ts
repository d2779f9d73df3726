import type { ChildProcess } from "node:child_process";
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApiProcess, uploadModelFolder, type ApiProcess } from "@costgate/testkit";
import { TestApi, registerReference, until } from "../../test/flow.ts";
import { exited, startLoggedWorker, storedObjectsMatchRows, type LoggedWorker } from "../../test/worker-process.ts";

/**
 * Many processes, one system: 2 API processes and 3 worker processes (two of one hardware
 * profile, one of another) on one PostgreSQL, Redis and artifact store, all on this machine.
 * Versions registered and optimization jobs run through both APIs are spread over the workers;
 * one worker is killed with -9 in the middle of a job. Short form in `npm test`; the full form
 * (30 versions, 6 jobs) is `npm run bench:scale`.
 */
const FULL = process.env.COSTGATE_SCALE === "full";
const VERSIONS = FULL ? 30 : 3;
const JOBS = FULL ? 6 : 2;
const USAGE_RECORDS = FULL ? 200 : 40;
/** Short measurements: the test is about who measures and when, not the numbers (6 rounds: fewer leave a paired interval unbounded). */
const MEASURE = { MEASURE_MIN_RUNS: "10", MEASURE_MIN_TIME_MS: "100", MEASURE_ROUNDS: "6" };
const DONE = ["SUCCEEDED", "FAILED", "CANCELLED"];
/** Waits grow with the work: the full form measures 72 times, one measurement at a time. */
const WAIT_MS = (FULL ? 3 : 1) * 300_000;

const children: ChildProcess[] = [];
let api: TestApi;
let api2: ApiProcess;
const workers: LoggedWorker[] = [];
const started = Date.now();

/** GraphQL as the admin through one of the APIs. */
async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${api.adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(body.errors)}`);
  return body.data!;
}
const apiUrls = () => [api.url, api2.url];

type Profile = Awaited<ReturnType<TestApi["db"]["hardwareProfile"]["findFirstOrThrow"]>>;
let a: Profile;
let b: Profile;

beforeAll(async () => {
  api = await TestApi.start();
  const profiles = await api.db.hardwareProfile.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }] });
  expect(profiles.length).toBeGreaterThanOrEqual(2);
  [a, b] = profiles as [Profile, Profile];
  // The workers start while the second API does.
  for (const p of [a.name, a.name, b.name]) workers.push(startLoggedWorker(api, p, children, MEASURE));
  api2 = await startApiProcess(api.env, { now: () => new Date() });
}, 120_000);

/** On a failure: where each job and version stood, and each worker's last log lines. */
async function diagnose(): Promise<string> {
  const jobs = await api.db.optimizationJob.findMany({
    select: { id: true, status: true, stage: true, attempts: true, error: true },
  });
  const versions = await api.db.modelVersion.findMany({
    select: { id: true, number: true, status: true, statusMessage: true },
  });
  const tails = workers.map(
    (w) =>
      `worker ${w.child.pid} (${w.profile}, exit ${w.child.exitCode ?? w.child.signalCode ?? "running"}):\n` +
      w
        .lines()
        .slice(-8)
        .map((l) => `    ${JSON.stringify(l).slice(0, 300)}`)
        .join("\n"),
  );
  return [JSON.stringify(jobs), JSON.stringify(versions), ...tails].join("\n");
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await api2?.close();
  await api?.stop();
});

async function scenario(): Promise<void> {
  // Version 1 with its datasets, then the others through both APIs (uploads too).
  const ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  const versionIds = [ref.versionId];
  for (let i = 1; i < VERSIONS; i++) {
    const url = apiUrls()[i % 2]!;
    const { artifactId } = await uploadModelFolder({ url, adminToken: api.adminToken }, ref.files.modelJson);
    const r = await gql<{ registerModelVersion: { id: string } }>(
      url,
      `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id } }`,
      { i: { modelId: ref.modelId, artifactId } },
    );
    versionIds.push(r.registerModelVersion.id);
  }

  const policy = async (name: string, steps: unknown[]) =>
    (
      await gql<{ createOptimizationPolicy: { id: string } }>(
        api.url,
        `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
        { i: { teamId: ref.teamId, name, steps, maxAccuracyDrop: 0.05 } },
      )
    ).createOptimizationPolicy.id;
  const long = await policy("fine-tune (killed mid-job)", [
    { kind: "FINE_TUNE", params: { epochs: 4, learningRate: 0.02, batchSize: 16 } },
  ]);
  const quick = await policy("quantize", [{ kind: "QUANTIZE", params: { dtype: "float16" } }]);
  const ready = (id: string) =>
    until(
      `version ${id} to be READY`,
      async () => {
        const v = await api.db.modelVersion.findUniqueOrThrow({ where: { id } });
        if (v.status === "FAILED") throw new Error(`version ${id} FAILED: ${v.statusMessage}`);
        return v.status === "READY";
      },
      240_000,
      200,
    );
  const run = async (policyId: string, versionId: string, url: string) =>
    (
      await gql<{ runOptimizationPolicy: { id: string } }>(
        url,
        `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
        { p: policyId, v: versionId },
      )
    ).runOptimizationPolicy.id;

  // The long job first, so a worker can be killed in the middle of it; the others on other versions.
  await ready(versionIds[0]!);
  const killedJobId = await run(long, versionIds[0]!, api.url);
  const jobIds = [killedJobId];
  for (let i = 1; i < JOBS; i++) {
    const versionId = versionIds[i % versionIds.length]!;
    await ready(versionId);
    jobIds.push(await run(quick, versionId, apiUrls()[i % 2]!));
  }

  // kill -9 the worker running the long job once its fine-tuning is past the first epoch.
  const optimizeQueue = new Queue("optimize", { connection: api2.redis, prefix: api.env.QUEUE_PREFIX });
  try {
    const victim = await until(
      "the long job to be past its first epoch on some worker",
      async () => {
        const j = await api.db.optimizationJob.findUniqueOrThrow({ where: { id: killedJobId } });
        if (DONE.includes(j.status))
          throw new Error(`the long job ended (${j.status}) before a worker could be killed`);
        const epoch = Number(/fine-tuning: epoch (\d+)\//.exec(j.stage ?? "")?.[1] ?? 0);
        const job = await optimizeQueue.getJob(`optimize-${killedJobId}`);
        const pid = Number(job?.processedBy?.split(":").pop());
        return epoch >= 2 && pid ? workers.find((w) => w.child.pid === pid) : undefined;
      },
      180_000,
      100,
    );
    victim.child.kill("SIGKILL");
    await exited(victim.child);
    // A supervisor restarts a profile's only worker; a profile with another worker goes on with it.
    if (!workers.some((w) => w !== victim && w.profile === victim.profile && w.child.exitCode === null)) {
      workers.push(startLoggedWorker(api, victim.profile, children, MEASURE));
    }

    const jobs = await until(
      "every job to finish",
      async () => {
        const all = await api.db.optimizationJob.findMany({ where: { id: { in: jobIds } } });
        return all.every((j) => DONE.includes(j.status)) ? all : undefined;
      },
      WAIT_MS,
      250,
    );
    for (const j of jobs)
      expect({ id: j.id, status: j.status, error: j.error }).toEqual({ id: j.id, status: "SUCCEEDED", error: null });
    // No job ran twice: one version per step, one attempt (two for the killed one, the second elsewhere).
    for (const j of jobs) {
      const made = await api.db.modelVersion.findMany({ where: { jobId: j.id } });
      expect(made.map((v) => v.stepIndex)).toEqual([0]);
      expect({ id: j.id, attempts: j.attempts }).toEqual({ id: j.id, attempts: j.id === killedJobId ? 2 : 1 });
    }
    const finishedBy = (await optimizeQueue.getJob(`optimize-${killedJobId}`))?.processedBy;
    expect(finishedBy).toBeDefined();
    expect(finishedBy).not.toBe(`${finishedBy!.split(":")[0]}:${victim.child.pid}`);
  } finally {
    await optimizeQueue.close();
  }

  // Every version (registered and made by jobs) measured once on each profile, by that profile's workers.
  const all = await api.db.modelVersion.findMany({ where: { modelId: ref.modelId }, select: { id: true } });
  expect(all).toHaveLength(VERSIONS + JOBS);
  for (const v of all) await ready(v.id);
  let n = 0;
  for (const v of all) {
    const measured = await api.db.costMeasurement.findMany({
      where: { versionId: v.id },
      select: { hardwareProfileId: true },
    });
    for (const p of [a, b]) {
      if (measured.some((m) => m.hardwareProfileId === p.id)) continue;
      await gql(
        apiUrls()[n++ % 2]!,
        `mutation($v:ID!,$p:ID){ remeasureModelVersion(versionId:$v, hardwareProfileId:$p){ id } }`,
        {
          v: v.id,
          p: p.id,
        },
      );
    }
  }
  const measurements = await until(
    "every version measured on both profiles",
    async () => {
      const rows = await api.db.costMeasurement.findMany({
        where: { version: { modelId: ref.modelId } },
        select: { versionId: true, hardwareProfileId: true, measuredAt: true },
      });
      return rows.length >= all.length * 2 ? rows : undefined;
    },
    WAIT_MS,
    250,
  );
  const perVersionProfile = new Map<string, number>();
  for (const m of measurements) {
    const key = `${m.versionId}/${m.hardwareProfileId}`;
    perVersionProfile.set(key, (perVersionProfile.get(key) ?? 0) + 1);
  }
  expect(perVersionProfile.size).toBe(all.length * 2);
  expect([...perVersionProfile.values()].every((count) => count === 1)).toBe(true);

  // Who measured what, from each worker's log: only its own profile, each version once per profile.
  const measuredBy = new Map<string, number>();
  for (const w of workers) {
    const mine = w.lines().filter((l) => l.msg === "version ready" && l.hardwareProfile !== undefined);
    for (const l of mine) {
      expect({ worker: w.child.pid, profile: l.hardwareProfile }).toEqual({ worker: w.child.pid, profile: w.profile });
      const key = `${l.versionId}/${l.hardwareProfile}`;
      measuredBy.set(key, (measuredBy.get(key) ?? 0) + 1);
    }
  }
  expect(measuredBy.size).toBe(all.length * 2);
  expect([...measuredBy.values()].every((count) => count === 1)).toBe(true);

  // Exclusivity on the one host: no two measurements of any worker processes overlap in time.
  const holds = workers
    .flatMap((w) => w.lines().filter((l) => l.msg === "measurement held the machine"))
    .map((l) => ({ host: l.host as string, from: Date.parse(l.from), to: Date.parse(l.to) }))
    .sort((x, y) => x.from - y.from);
  expect(new Set(holds.map((h) => h.host)).size).toBe(1);
  expect(holds.length).toBeGreaterThanOrEqual(measurements.length);
  for (let i = 1; i < holds.length; i++) expect(holds[i]!.from).toBeGreaterThanOrEqual(holds[i - 1]!.to);

  // Usage recorded through both APIs at once (every record sent to each): counted once.
  const records = Array.from({ length: USAGE_RECORDS }, (_, i) => ({
    versionId: all[i % all.length]!.id,
    hardwareProfileId: [a, b][i % 2]!.id,
    requests: 1000 + i,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    idempotencyKey: `scale-${i}`,
  }));
  const RECORD = `mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted duplicates costUsd } }`;
  const payloads = (
    await Promise.all(
      [0, 10, 20, 30].map((offset) =>
        Promise.all(
          apiUrls().map((url) =>
            gql<{ recordUsage: { accepted: number; duplicates: number } }>(url, RECORD, {
              i: records.slice((offset * USAGE_RECORDS) / 40, ((offset + 10) * USAGE_RECORDS) / 40),
            }),
          ),
        ),
      ),
    )
  ).flat();
  expect(payloads.reduce((s, p) => s + p.recordUsage.accepted, 0)).toBe(USAGE_RECORDS);
  expect(payloads.reduce((s, p) => s + p.recordUsage.duplicates, 0)).toBe(USAGE_RECORDS);
  const stored = await api.db.usageRecord.aggregate({
    where: { modelId: ref.modelId },
    _count: true,
    _sum: { requests: true },
  });
  expect(stored._count).toBe(USAGE_RECORDS);
  expect(stored._sum.requests).toBe(records.reduce((s, r) => s + r.requests, 0));

  // Nothing lost, nothing orphaned in the artifact store.
  const { objects, rows } = await storedObjectsMatchRows(api);
  expect(objects).toEqual(rows);

  const spread = workers.map((w) => ({
    pid: w.child.pid,
    profile: w.profile,
    killed: w.child.signalCode === "SIGKILL",
    measured: w.lines().filter((l) => l.msg === "version ready" && l.hardwareProfile !== undefined).length,
  }));
  console.log(
    `many processes (${FULL ? "full" : "short"}): ${VERSIONS} versions, ${JOBS} jobs, ${measurements.length} measurements, ` +
      `${holds.length} exclusive holds, ${USAGE_RECORDS} usage records; ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
      spread
        .map((s) => `  worker ${s.pid} (${s.profile})${s.killed ? " killed -9" : ""}: ${s.measured} measurements`)
        .join("\n"),
  );
}

it(`spreads ${VERSIONS} versions and ${JOBS} jobs over 3 workers behind 2 APIs, losing nothing to a kill -9`, async () => {
  try {
    await scenario();
  } catch (e) {
    console.error(`many processes: failed; where things stood:\n${await diagnose()}`);
    throw e;
  }
}, 3_600_000);
