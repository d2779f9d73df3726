import http from "node:http";
import type { Queue } from "bullmq";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { HttpDrain } from "@costgate/config";

/** Job states whose counts are reported per queue. */
const QUEUE_STATES = ["waiting", "active", "delayed", "failed"] as const;

/** What /healthz reports: whether each queue's Redis connection is up. */
export interface WorkerHealth {
  status: "ok" | "unavailable";
  queues: Record<string, "connected" | "disconnected">;
}

/** The worker's small HTTP server (/metrics, /healthz) and how to stop it. */
export interface MetricsServer {
  server: http.Server;
  /** Stops accepting, lets scrapes in progress finish (at most graceMs), closes the connections. */
  close(graceMs: number): Promise<void>;
}

/**
 * Prometheus metrics of one worker process: jobs by queue and outcome and their durations, the
 * time waited for the machine's measurement lock, and the depth of every queue it consumes.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({
    name: "costgate_worker_jobs_total",
    help: "Jobs processed by queue and outcome",
    labelNames: ["queue", "outcome"] as const,
    registers: [this.registry],
  });
  /** outcome: completed, failed, or handed_back (stopped at a shutdown, back in the queue for the next worker). */
  readonly duration = new Histogram({
    name: "costgate_worker_job_duration_seconds",
    help: "Job processing time by queue and outcome",
    labelNames: ["queue", "outcome"] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  /** kind: measurement (waits to run alone on the machine) or computation (waits for a measurement to end). */
  readonly lockWait = new Histogram({
    name: "costgate_worker_machine_lock_wait_seconds",
    help: "Time a TensorFlow call waited for the machine's measurement lock, by kind",
    labelNames: ["kind"] as const,
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "costgate_worker_" });
  }

  /**
   * Reports the jobs per state of these queues, read from Redis at each scrape (every worker
   * reports the same numbers: aggregate with max, not sum).
   */
  watchQueues(queues: Queue[]): void {
    new Gauge({
      name: "costgate_queue_jobs",
      help: "Jobs in each queue by state (waiting, active, delayed, failed), read at scrape time",
      labelNames: ["queue", "state"] as const,
      registers: [this.registry],
      async collect() {
        // Redis down (or closing at shutdown): the scrape still answers, without these series.
        let timer: NodeJS.Timeout | undefined;
        const counts = await Promise.race([
          Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_STATES))),
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1_000))),
        ]).catch(() => null);
        clearTimeout(timer);
        this.reset();
        queues.forEach((q, i) => {
          if (counts) for (const state of QUEUE_STATES) this.labels(q.name, state).set(counts[i]![state] ?? 0);
        });
      },
    });
  }

  /** GET /metrics, and /healthz (200 when every queue's connection is up, else 503 naming those down). */
  serve(port: number, host: string, health: () => WorkerHealth): Promise<MetricsServer> {
    const server = http.createServer((req, res) => {
      if (req.url === "/metrics") {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
          () => res.writeHead(500).end(),
        );
      } else if (req.url === "/healthz") {
        const h = health();
        res.writeHead(h.status === "ok" ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(h));
      } else {
        res.writeHead(404).end();
      }
    });
    const drain = new HttpDrain(server);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () =>
        resolve({
          server,
          close: async (graceMs) => {
            await drain.close(graceMs);
          },
        }),
      );
    });
  }
}
