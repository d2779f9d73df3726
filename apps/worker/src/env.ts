import { z } from "zod";
import { parseEnv, port, positiveInt, productionSecrets, sharedEnv, withSecretKey } from "@costgate/config";

export const workerEnvSchema = z.object({
  ...sharedEnv,
  /** The hardware profile (by name) this worker measures cost for: it must run on that hardware. Default: the default profile. */
  WORKER_HARDWARE_PROFILE: z.string().min(1).optional(),
  WORKER_EVALUATE_CONCURRENCY: positiveInt(1),
  WORKER_OPTIMIZE_CONCURRENCY: positiveInt(1),
  /** How long a job's lock lasts without renewal; a killed worker's job is retried after about this long. */
  WORKER_LOCK_DURATION_MS: positiveInt(30_000),
  WORKER_METRICS_PORT: port(9464),
  WORKER_METRICS_HOST: z.string().default("127.0.0.1"),
  /** Force a TensorFlow.js backend: tensorflow (tfjs-node), wasm or cpu. */
  COSTGATE_TF_BACKEND: z.enum(["tensorflow", "wasm", "cpu"]).optional(),
  /** Cost measurement: minimum timed runs and minimum time per round, and the number of rounds. */
  MEASURE_MIN_RUNS: positiveInt(50),
  MEASURE_MIN_TIME_MS: positiveInt(1000),
  MEASURE_ROUNDS: positiveInt(3),
  /** Webhook deliveries one worker sends at once; each waits at most WEBHOOK_TIMEOUT_MS for the receiver. */
  WORKER_WEBHOOK_CONCURRENCY: positiveInt(10),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /** Delay before the first webhook retry; it doubles for each further one (capped at an hour). */
  WEBHOOK_BACKOFF_BASE_MS: positiveInt(10_000),
})
  .transform(withSecretKey)
  .superRefine(productionSecrets(["COSTGATE_SECRET_KEY"]));

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export const loadWorkerEnv = (source: NodeJS.ProcessEnv = process.env): WorkerEnv => parseEnv(workerEnvSchema, source);
