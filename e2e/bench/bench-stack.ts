// The client side every worker benchmark shares: the real stack (API process, PostgreSQL, Redis),
// a worker process it can kill and restart, and the calls an internal tool makes through the API
// (upload, register, run a policy, wait for a job).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { openAsBlob } from "node:fs";
import { startStack, root, type Stack } from "../support/stack.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const exited = (c: ChildProcess) =>
  new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r())));

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 30 * 60_000,
  everyMs = 1_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const VERSION = `id number status statusMessage costs { id costPerMillionUsd throughputPerSecond rawThroughputPerSecond speedFactor uncertainty disturbedRounds measuredAt }
  evaluation { value metric samples } comparedToParent { throughputRatio low high significant rounds }`;
export const JOB = `id status stage attempts error startedAt finishedAt candidates { ${VERSION} source recipe parent { id } } bestVersion { id number } result`;
const TERMINAL = ["SUCCEEDED", "FAILED", "CANCELLED"];

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

/**
 * Starts the stack without a worker; `startWorker()` starts one (production mode, the real TF
 * backend), whose output is appended to `<logDir>/worker.log`.
 */
export async function startBenchStack(opts: {
  logDir: string;
  log: (line: string) => void;
  workerEnv?: Record<string, string>;
}) {
  const stack: Stack = await startStack({ web: false, worker: false, logDir: opts.logDir, log: opts.log });
  const workerLog = join(opts.logDir, "worker.log");
  let worker: ChildProcess | null = null;
  const gql = stack.gql;
  const teamId = stack.info.teamId;

  function startWorker(): ChildProcess {
    const out = createWriteStream(workerLog, { flags: "a" });
    const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
      cwd: root,
      env: {
        ...process.env,
        ...stack.shared,
        NODE_ENV: "production",
        COSTGATE_TF_BACKEND: process.env.COSTGATE_TF_BACKEND ?? "wasm",
        WORKER_METRICS_PORT: "0",
        WORKER_HOST_ID: "bench-host",
        LOG_LEVEL: "info",
        ...opts.workerEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    worker = child;
    return child;
  }

  async function stopWorker(signal: "SIGTERM" | "SIGKILL" = "SIGTERM", graceMs = 15_000): Promise<void> {
    const w = worker;
    if (!w || w.exitCode !== null || w.signalCode !== null) return;
    w.kill(signal);
    await Promise.race([exited(w), sleep(graceMs)]);
    if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
    await exited(w);
  }

  /** POST /uploads as the admin; files are streamed from disk (an image zip can be large). */
  async function upload(kind: "model" | "dataset", paths: string[]): Promise<string> {
    const form = new FormData();
    form.append("kind", kind);
    for (const p of paths) form.append("file", await openAsBlob(p), basename(p));
    const res = await fetch(`${stack.info.apiUrl}/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.adminToken}` },
      body: form,
    });
    const body = (await res.json()) as { artifactId?: string; error?: { message: string } };
    if (!res.ok || !body.artifactId) throw new Error(`upload refused (${res.status}): ${body.error?.message}`);
    return body.artifactId;
  }

  const version = async (id: string) =>
    (await gql<{ modelVersion: any }>(`query($id:ID!){ modelVersion(id:$id){ ${VERSION} } }`, { id })).modelVersion;

  async function createModel(name: string, task: "CLASSIFICATION" | "REGRESSION", classNames?: string[]) {
    const { createModel } = await gql<{ createModel: { id: string } }>(
      `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
      { i: { teamId, name, task, ...(classNames ? { classNames } : {}) } },
    );
    return createModel.id;
  }

  async function registerDataset(
    modelId: string,
    role: "TRAIN" | "EVALUATION" | "UNLABELED",
    path: string,
    preprocessing?: Record<string, unknown>,
  ): Promise<{ id: string; rows: number }> {
    const artifactId = await upload("dataset", [path]);
    const { registerDataset } = await gql<{ registerDataset: { id: string; rows: number } }>(
      `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id rows } }`,
      { i: { modelId, name: role.toLowerCase(), role, artifactId, ...(preprocessing ? { preprocessing } : {}) } },
    );
    return registerDataset;
  }

  /** Uploads the folder of `modelJson` (model.json and its .bin files) as a new version; does not wait. */
  async function registerVersion(modelId: string, modelJson: string): Promise<string> {
    const dir = dirname(modelJson);
    const modelFiles = (await readdir(dir))
      .filter((x) => x === "model.json" || x.endsWith(".bin"))
      .map((x) => join(dir, x));
    const artifactId = await upload("model", modelFiles);
    const { registerModelVersion } = await gql<{ registerModelVersion: { id: string } }>(
      `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id } }`,
      { i: { modelId, artifactId } },
    );
    return registerModelVersion.id;
  }

  const ready = (what: string, versionId: string, test: (v: any) => boolean = () => true) =>
    until(`${what} READY`, async () => {
      const cur = await version(versionId);
      if (cur.status === "FAILED") throw new Error(`${what} FAILED: ${cur.statusMessage}`);
      return cur.status === "READY" && test(cur) ? cur : null;
    });

  async function runPolicy(
    model: { modelId: string; versionId: string },
    name: string,
    steps: unknown[],
    maxAccuracyDrop = 0.05,
  ): Promise<string> {
    const { createOptimizationPolicy } = await gql<{ createOptimizationPolicy: { id: string } }>(
      `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
      { i: { teamId, modelId: model.modelId, name, steps, maxAccuracyDrop } },
    );
    const { runOptimizationPolicy } = await gql<{ runOptimizationPolicy: { id: string } }>(
      `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
      { p: createOptimizationPolicy.id, v: model.versionId },
    );
    return runOptimizationPolicy.id;
  }

  const job = async (id: string, fields = JOB) =>
    (await gql<{ optimizationJob: any }>(`query($id:ID!){ optimizationJob(id:$id){ ${fields} } }`, { id }))
      .optimizationJob;
  const finished = (id: string, timeoutMs?: number, onPoll?: (j: any) => void) =>
    until(
      `job ${id}`,
      async () => {
        const j = await job(id);
        onPoll?.(j);
        return TERMINAL.includes(j.status) ? j : null;
      },
      timeoutMs,
    );

  return {
    stack,
    gql,
    teamId,
    workerLog,
    worker: () => worker,
    startWorker,
    stopWorker,
    upload,
    version,
    createModel,
    registerDataset,
    registerVersion,
    ready,
    runPolicy,
    job,
    finished,
    /** Reads a file the bench wrote (worker.log) from an offset. */
    readLog: async (from = 0) => (await readFile(workerLog, "utf8").catch(() => "")).slice(from),
    async stop() {
      await stopWorker();
      await stack.stop();
    },
  };
}
