import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort, signalUnderLoad, startSlowGet } from "@costgate/testkit";
import { TestApi, until, workerEnvFor } from "../../test/flow.ts";

/**
 * The worker as it runs in production (`node --import tsx src/main.ts`), stopped with SIGTERM
 * while Prometheus-like clients scrape it; with no job running it must be gone well within 10 s.
 * (A job running at SIGTERM: crash-recovery.test.ts.)
 */
const main = fileURLToPath(new URL("../main.ts", import.meta.url));
let api: TestApi;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  api = await TestApi.start();
}, 60_000);
afterAll(async () => {
  if (worker?.exitCode === null) worker.kill("SIGKILL");
  await api?.stop();
});

it("on SIGTERM under load: finishes scrapes in flight, refuses new connections, exits 0 within 10 s", async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  worker = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      ...process.env,
      ...workerEnvFor(api, { NODE_ENV: "development", LOG_LEVEL: "info", WORKER_METRICS_PORT: String(port) }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const s of [worker.stdout!, worker.stderr!]) s.on("data", (c: Buffer) => (output += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    worker!.once("exit", (code, signal) => r({ code, signal })),
  );
  const health = await until(
    "the worker to answer /healthz",
    async () => {
      if (worker!.exitCode !== null) throw new Error(`the worker exited:\n${output}`);
      return fetch(`${url}/healthz`)
        .then(async (r) => (r.ok ? ((await r.json()) as { status: string; queues: Record<string, string> }) : null))
        .catch(() => null);
    },
    60_000,
    100,
  );
  expect(health.status).toBe("ok");
  expect(health.queues).toMatchObject({ evaluate: "connected", optimize: "connected", webhooks: "connected" });

  const { responses, end, summary } = await signalUnderLoad({
    url,
    request: { path: "/metrics" },
    keepAliveClients: 4,
    freshClients: 4,
    warmup: 40,
    inFlight: () => [startSlowGet(url, "/metrics")],
    signal: () => worker!.kill("SIGTERM"),
    exited,
    exitWithinMs: 10_000,
  });
  const [response] = responses;
  expect.soft(response).toMatch(/^HTTP\/1\.1 200/);
  expect.soft(response).toMatch(/^connection: close\r$/im);
  expect.soft(response).toContain("costgate_worker_jobs_total");
  expect.soft(end, `worker output:\n${output.slice(-3000)}`).toEqual({ code: 0, signal: null });
  expect.soft(output).toMatch(/"msg":"stopped"/);
  expect.soft(summary.answeredBeforeSignal).toBeGreaterThanOrEqual(20);
  expect.soft(summary.badStatus).toEqual([]);
  expect.soft(summary.truncated).toEqual([]);
  expect.soft(summary.keepAliveCut).toEqual([]);
}, 60_000);
