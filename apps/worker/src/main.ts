import { pino } from "pino";
import { stopOnSignals } from "@costgate/config";
import { loadWorkerEnv } from "./env.ts";
import { createWorker } from "./create-worker.ts";

const env = loadWorkerEnv();
const logger = pino({ name: "worker", level: env.LOG_LEVEL, timestamp: pino.stdTimeFunctions.isoTime });
const worker = await createWorker(env, logger);
const metricsServer = await worker.metrics.serve(env.WORKER_METRICS_PORT, env.WORKER_METRICS_HOST, () =>
  worker.health(),
);
const { port } = metricsServer.server.address() as { port: number };
logger.info({ metrics: `http://${env.WORKER_METRICS_HOST}:${port}/metrics` }, "worker ready");

// Evaluations in progress finish; optimization jobs stop at their next batch and go back to the
// queue; the TensorFlow processes, Redis and the database are closed (CostgateWorker.close).
stopOnSignals({
  logger,
  timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  stop: async () => {
    await Promise.all([metricsServer.close(env.SHUTDOWN_GRACE_MS), worker.close()]);
  },
});
