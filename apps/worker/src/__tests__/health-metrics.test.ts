import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Producer } from "@costgate/queue";
import { startTcpProxy, type TcpProxy } from "@costgate/testkit";
import type { CostgateWorker } from "../create-worker.ts";
import type { MetricsServer } from "../metrics.ts";
import { TestApi, startWorker, until } from "../../test/flow.ts";

/**
 * The worker's /healthz and /metrics as an operator reads them. Its Redis goes through a TCP
 * proxy on loopback (to the real Redis), so the test can take Redis away and give it back.
 */
let api: TestApi;
let proxy: TcpProxy;
let worker: CostgateWorker;
let server: MetricsServer;
let url: string;

beforeAll(async () => {
  api = await TestApi.start();
  const redis = new URL(api.env.REDIS_URL);
  proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
  worker = await startWorker(api, { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
  server = await worker.metrics.serve(0, "127.0.0.1", () => worker.health());
  url = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
}, 60_000);
afterAll(async () => {
  await server?.close(1_000);
  await worker?.close();
  await api?.stop();
});

const health = async () => {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; queues: Record<string, string> } };
};

/** The value of one sample of the Prometheus text, or undefined. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe("/healthz", () => {
  it("says every queue is connected, then 503 naming the queues while Redis is unreachable, then connected again", async () => {
    const up = await health();
    expect(up.status).toBe(200);
    expect(up.body.status).toBe("ok");
    expect(Object.keys(up.body.queues)).toEqual(
      expect.arrayContaining(["evaluate", "optimize", "budgets", "housekeeping", "webhooks"]),
    );
    expect(new Set(Object.values(up.body.queues))).toEqual(new Set(["connected"]));

    await proxy.cut();
    const down = await until(
      "/healthz to report Redis gone",
      async () => {
        const h = await health();
        return h.status === 503 ? h : undefined;
      },
      10_000,
      50,
    );
    expect(down.body.status).toBe("unavailable");
    expect(down.body.queues.evaluate).toBe("disconnected");
    // /metrics still answers (without the queue depths it cannot read).
    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain("costgate_worker_jobs_total");

    await proxy.restore();
    await until(
      "/healthz to report the queues connected again",
      async () => (await health()).status === 200,
      15_000,
      100,
    );
  }, 40_000);
});

describe("/metrics", () => {
  it("reports queue depth per state, and job durations by queue and outcome", async () => {
    const producer = new Producer(api.server.redis, api.env.QUEUE_PREFIX);
    try {
      const evaluate = producer.queue("evaluate");
      await evaluate.add("evaluate", { versionId: "later" }, { delay: 3_600_000 });
      // A payload the worker refuses: it fails at once, without retries.
      await evaluate.add("evaluate", { notAVersion: true });
      const text = await until(
        "the refused job to be counted",
        async () => {
          const t = await (await fetch(`${url}/metrics`)).text();
          return sample(t, 'costgate_worker_job_duration_seconds_count{queue="evaluate",outcome="failed"}') === 1
            ? t
            : undefined;
        },
        15_000,
        100,
      );
      expect(sample(text, 'costgate_queue_jobs{queue="evaluate",state="delayed"}')).toBe(1);
      expect(sample(text, 'costgate_queue_jobs{queue="evaluate",state="failed"}')).toBe(1);
      expect(sample(text, 'costgate_queue_jobs{queue="evaluate",state="waiting"}')).toBe(0);
      expect(sample(text, 'costgate_queue_jobs{queue="optimize",state="active"}')).toBe(0);
      expect(sample(text, 'costgate_worker_jobs_total{queue="evaluate",outcome="failed"}')).toBe(1);
      expect(text).toContain("# TYPE costgate_worker_machine_lock_wait_seconds histogram");
    } finally {
      await producer.close();
    }
  });
});
