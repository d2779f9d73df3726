import type { Transporter } from "nodemailer";
import type { Logger } from "pino";
import type { ArtifactStore } from "@costgate/artifacts";
import type { Db, HardwareProfile } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import type { TfLane } from "./tf/tf-lane.ts";

/** The webhook delivery settings: the key that opens stored secrets, and how long a receiver may take. */
export interface WebhookSettings {
  /** AES-256 key that opens the stored webhook secrets (from COSTGATE_SECRET_KEY). */
  secretKey: Buffer;
  timeoutMs: number;
  /** WEBHOOK_BACKOFF_BASE_MS: the delay before the first retry, doubling after each failed attempt. */
  backoffBaseMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: deliver to loopback/private/link-local addresses too. */
  allowPrivateTargets: boolean;
  /** DASHBOARD_URL: Slack-format messages link to the event's page there. */
  dashboardUrl?: string | null;
}

/** What the feature functions need: the database, the store, the queues, and where cost is measured. */
export interface WorkerDeps {
  db: Db;
  store: ArtifactStore;
  producer: Producer;
  logger: Logger;
  profile: HardwareProfile;
  measure: { minRuns: number; minTimeMs: number; rounds: number; maxOtherCores: number };
  /** Names this machine (WORKER_HOST_ID, else the hostname): its measurement lock, its calibrations. */
  hostId: string;
  /** Runs TensorFlow work off this process's event loop, under the machine's measurement lock. */
  tf: TfLane;
  /** Aborts when the worker stops: running optimization jobs stop at the next batch or step and are handed back. */
  shutdown: AbortSignal;
  /** Webhook deliveries: the key that opens stored secrets, and how long a receiver may take. */
  webhooks: WebhookSettings;
  /** E-mail: the SMTP transport (null when SMTP_URL is unset: nothing is mailed), From, dashboard links. */
  mail: MailSettings;
}

interface MailSettings {
  transport: Transporter | null;
  from: string;
  dashboardUrl: string | null;
}
