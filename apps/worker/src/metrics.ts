import http from "node:http";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one worker process: jobs by queue and outcome, and their durations. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({
    name: "costgate_worker_jobs_total",
    help: "Jobs processed by queue and outcome",
    labelNames: ["queue", "outcome"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "costgate_worker_job_duration_seconds",
    help: "Job processing time by queue",
    labelNames: ["queue"] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "costgate_worker_" });
  }

  /** GET /metrics (and /healthz) on its own small server. */
  serve(port: number, host: string): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      if (req.url === "/metrics") {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
          () => res.writeHead(500).end(),
        );
      } else if (req.url === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      } else {
        res.writeHead(404).end();
      }
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
