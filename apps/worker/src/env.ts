import { z } from "zod";
import { parseEnv, port, positiveInt, productionSecrets, sharedEnv, withSecretKey } from "@costgate/config";

const workerEnvSchema = z
  .object({
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
    /** Cost measurement: minimum timed batch-1 runs and timed time per model, and the minimum number of rounds. */
    MEASURE_MIN_RUNS: positiveInt(50),
    MEASURE_MIN_TIME_MS: positiveInt(1000),
    MEASURE_ROUNDS: positiveInt(10),
    /** A measurement round during which other processes used more CPU than this (cores) is run again. */
    MEASURE_MAX_OTHER_CORES: z.coerce.number().min(0).default(0.5),
    /** Names the machine for the measurement lock (default: the hostname). Set it to the host's name when several worker containers share one machine. */
    WORKER_HOST_ID: z.string().min(1).optional(),
    /** Heap limit of the worker's TensorFlow processes, MiB (default: Node's). */
    WORKER_TF_MAX_OLD_SPACE_MB: z.coerce.number().int().positive().optional(),
    /** A TensorFlow process idle with more backend memory than this (MiB) is replaced: a wasm heap never shrinks. */
    WORKER_TF_RECYCLE_MB: positiveInt(1536),
    /** Webhook deliveries one worker sends at once; each waits at most WEBHOOK_TIMEOUT_MS for the receiver. */
    WORKER_WEBHOOK_CONCURRENCY: positiveInt(10),
    WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
    /** Delay before the first webhook retry; it doubles for each further one (capped at an hour). */
    WEBHOOK_BACKOFF_BASE_MS: positiveInt(10_000),
    /** Hours an upload may stay unregistered (no version or dataset uses it) before the hourly sweep removes it. */
    ARTIFACT_GRACE_HOURS: positiveInt(24),
    /**
     * E-mail (alerts, weekly digests) to each team's FINANCE and ADMIN users through this SMTP
     * server: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465. Unset: no e-mail.
     */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587")
      .optional(),
    /** The From of Costgate's e-mails. */
    SMTP_FROM: z.string().min(3).default("Costgate <costgate@localhost>"),
    /** The dashboard's address, for links in e-mails (e.g. https://costgate.example.com); none when unset. */
    DASHBOARD_URL: z.url().optional(),
    /** When the weekly digests go out (cron, UTC): Mondays 07:00 by default. */
    WORKER_DIGEST_CRON: z.string().min(9).default("0 7 * * 1"),
  })
  .transform(withSecretKey)
  .superRefine(productionSecrets(["COSTGATE_SECRET_KEY"]));

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export const loadWorkerEnv = (source: NodeJS.ProcessEnv = process.env): WorkerEnv => parseEnv(workerEnvSchema, source);
