import { z } from "zod";
import { assertVisible, notFound, type Principal } from "@costgate/core";
import { sealSecret } from "@costgate/secrets";
import type { Db, Prisma } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import type { TargetPolicy } from "@costgate/services";
import { WebhookEvents, WebhookFormat, WebhookSecret, WebhookUrl, assertWebhookTarget } from "./webhook-fields.ts";

// Omitted (or null) fields stay as they are; given ones are validated as createWebhook does.
const Input = z.object({
  url: WebhookUrl.nullish(),
  events: WebhookEvents.nullish(),
  secret: WebhookSecret.nullish(),
  enabled: z.boolean().nullish(),
  format: WebhookFormat.nullish(),
});

/**
 * Changes the given fields of a webhook of the caller's team. A new secret is stored encrypted
 * and signs every delivery attempt from now on (retries of pending deliveries included); the
 * audit event records that it changed, never what it is. A disabled webhook gets no new
 * deliveries, and its pending ones fail at their next attempt.
 */
export async function updateWebhook(
  deps: { db: Db; secretKey: Buffer; webhookTargets: TargetPolicy },
  principal: Principal,
  id: string,
  input: unknown,
) {
  const data = validate(Input, input);
  const { db } = deps;
  const webhook = await db.webhook.findUnique({ where: { id }, select: { teamId: true } });
  assertVisible(principal, webhook, (r) => r.teamId, "Webhook", id);
  if (data.url != null) await assertWebhookTarget(data.url, deps.webhookTargets);

  const changes: Prisma.WebhookUpdateInput = {};
  if (data.url != null) changes.url = data.url;
  if (data.events != null) changes.events = data.events;
  if (data.secret != null) changes.secret = sealSecret(deps.secretKey, data.secret);
  if (data.enabled != null) changes.enabled = data.enabled;
  if (data.format != null) changes.format = data.format;

  return db.$transaction(async (tx) => {
    const before = await tx.webhook.findUnique({ where: { id } });
    if (!before) throw notFound("Webhook", id);
    const after = await tx.webhook.update({ where: { id }, data: changes });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "webhook.update",
      entityType: "Webhook",
      entityId: id,
      teamId: after.teamId,
      before,
      after: { ...after, ...(data.secret != null ? { secretRotated: true } : {}) },
    });
    return after;
  });
}
