import { UnrecoverableError } from "bullmq";
import { describeEvent, slackMessage } from "@costgate/core";
import { openSecret, signWebhook, webhookBody } from "@costgate/secrets";
import type { WebhookSettings, WorkerDeps } from "../deps.ts";
import { postWebhook } from "./post-webhook.ts";

/** A response the receiver did not accept, or no response: the job fails and BullMQ retries it with backoff. */
class DeliveryAttemptFailed extends Error {}

/**
 * One attempt at a webhook delivery: POSTs the stored JSON body (or, for a SLACK webhook, the
 * Slack incoming-webhook message core's describeEvent writes from it) with Costgate-Event,
 * Costgate-Delivery, Costgate-Timestamp and Costgate-Signature (t=<ts>,v1=<hex HMAC-SHA256 of
 * `${ts}.${body}`>, docs/WEBHOOKS.md), waits at most timeoutMs, follows no redirects, connects
 * only to public addresses (post-webhook.ts; a refused target fails for good), and
 * records the attempt (status code, duration, error). A 2xx answer makes the delivery
 * SUCCEEDED; anything else throws for a retry, recording when it will be (`nextAttemptAt`:
 * `attempt`, 1-based, is this attempt's number, which BullMQ gives webhookBackoff), and the
 * final attempt makes it FAILED.
 * Delivery is at least once: receivers dedupe on Costgate-Delivery.
 */
export async function deliverWebhook(
  deps: Pick<WorkerDeps, "db" | "logger"> & { webhooks: WebhookSettings },
  deliveryId: string,
  opts: { attempt: number; finalAttempt: boolean },
): Promise<"SUCCEEDED" | "FAILED" | "skipped"> {
  const { db } = deps;
  const delivery = await db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { webhook: true } });
  if (!delivery || delivery.status !== "PENDING") return "skipped";
  const { webhook } = delivery;

  const record = (statusCode: number | null, durationMs: number, error: string | null, final: boolean) => {
    const status =
      statusCode !== null && statusCode >= 200 && statusCode < 300 ? "SUCCEEDED" : final ? "FAILED" : "PENDING";
    // A retry is due when BullMQ's backoff (the same webhookBackoff) brings the job back; people see when.
    const nextAttemptAt =
      status === "PENDING" ? new Date(Date.now() + webhookBackoff(deps.webhooks.backoffBaseMs)(opts.attempt)) : null;
    return db.$transaction(async (tx) => {
      await tx.webhookAttempt.create({ data: { deliveryId, statusCode, durationMs, error } });
      await tx.webhookDelivery.update({
        where: { id: deliveryId },
        data: {
          attempts: { increment: 1 },
          status,
          nextAttemptAt,
          ...(status === "SUCCEEDED" ? { deliveredAt: new Date() } : {}),
        },
      });
      return status;
    });
  };

  if (!webhook.enabled) {
    await record(null, 0, "webhook disabled", true);
    return "FAILED";
  }
  let secret: string;
  try {
    secret = openSecret(deps.webhooks.secretKey, webhook.secret);
  } catch (e) {
    await record(null, 0, (e as Error).message, true);
    throw new UnrecoverableError(`webhook ${webhook.id}: ${(e as Error).message}`);
  }

  // The format is the webhook's as it is now (a change applies to pending retries too).
  const body =
    webhook.format === "SLACK"
      ? JSON.stringify(
          slackMessage(
            describeEvent(delivery.event, (delivery.payload as { data?: unknown } | null)?.data),
            deps.webhooks.dashboardUrl,
          ),
        )
      : webhookBody(delivery.id, delivery.payload as object);
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const result = await postWebhook(
    webhook.url,
    {
      "content-type": "application/json",
      "user-agent": "Costgate-Webhooks/1",
      "costgate-event": delivery.event,
      "costgate-delivery": delivery.id,
      "costgate-timestamp": String(timestamp),
      "costgate-signature": signWebhook(secret, timestamp, body),
    },
    body,
    deps.webhooks.timeoutMs,
    { allowPrivate: deps.webhooks.allowPrivateTargets },
  );
  const statusCode = "statusCode" in result ? result.statusCode : null;
  const error =
    "error" in result
      ? result.error
      : statusCode !== null && (statusCode < 200 || statusCode >= 300)
        ? `receiver answered HTTP ${statusCode}`
        : null;
  if ("refused" in result && result.refused) {
    // An internal target (WEBHOOK_ALLOW_PRIVATE_TARGETS is off): no retry can succeed.
    await record(null, Math.round(performance.now() - started), error, true);
    throw new UnrecoverableError(`webhook ${webhook.id}, delivery ${deliveryId}: ${error}`);
  }
  const durationMs = Math.round(performance.now() - started);
  const status = await record(statusCode, durationMs, error, opts.finalAttempt);
  if (status === "SUCCEEDED") return status;
  // The worker's `failed` listener logs it; BullMQ retries unless this was the final attempt.
  throw new DeliveryAttemptFailed(`webhook ${webhook.id}, delivery ${deliveryId}: ${error ?? "delivery failed"}`);
}

/** Delay before the retry after failed attempt n (1-based): base, 2×base, 4×base … capped at an hour. */
export const webhookBackoff = (baseMs: number) => (attemptsMade: number) =>
  Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 3_600_000);
