import { pino } from "pino";
import { loadWorkerEnv } from "./env.ts";
import { createWorker } from "./create-worker.ts";

const env = loadWorkerEnv();
const logger = pino({ name: "worker", level: env.LOG_LEVEL, timestamp: pino.stdTimeFunctions.isoTime });
const worker = await createWorker(env, logger);
const metricsServer = await worker.metrics.serve(env.WORKER_METRICS_PORT, env.WORKER_METRICS_HOST);
logger.info({ metrics: `http://${env.WORKER_METRICS_HOST}:${env.WORKER_METRICS_PORT}/metrics` }, "worker ready");

let stopping = false;
/** Never rejects: a failure is logged and the process exits 1. */
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "finishing current jobs, then stopping");
  try {
    metricsServer.close();
    await worker.close();
    process.exit(0);
  } catch (e) {
    logger.error({ err: e }, "error during shutdown");
    process.exit(1);
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(signal));
