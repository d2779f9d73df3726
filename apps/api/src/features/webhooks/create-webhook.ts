import { z } from "zod";
import { assertTeamAccess, notFound, type Principal } from "@costgate/core";
import { sealSecret } from "@costgate/secrets";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import type { TargetPolicy } from "@costgate/services";
import { WebhookEvents, WebhookFormat, WebhookSecret, WebhookUrl, assertWebhookTarget } from "./webhook-fields.ts";

const Input = z.object({
  teamId: z.string().min(1),
  url: WebhookUrl,
  secret: WebhookSecret,
  events: WebhookEvents,
  format: WebhookFormat.nullish(),
});

/**
 * Registers a webhook of a team: an http(s) URL without credentials, the events it wants
 * (alert.created, job.finished, version.promoted) and a signing secret of at least 16
 * characters. The secret is stored encrypted (AES-256-GCM under COSTGATE_SECRET_KEY), since
 * every delivery is signed with it; it is never returned nor written to the audit log.
 */
export async function createWebhook(
  deps: { db: Db; secretKey: Buffer; webhookTargets: TargetPolicy },
  principal: Principal,
  input: unknown,
) {
  const data = validate(Input, input);
  assertTeamAccess(principal, data.teamId);
  await assertWebhookTarget(data.url, deps.webhookTargets);
  const team = await deps.db.team.findUnique({ where: { id: data.teamId }, select: { id: true } });
  if (!team) throw notFound("Team", data.teamId);
  return deps.db.$transaction(async (tx) => {
    const webhook = await tx.webhook.create({
      data: {
        teamId: data.teamId,
        url: data.url,
        events: data.events,
        secret: sealSecret(deps.secretKey, data.secret),
        format: data.format ?? "COSTGATE",
      },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "webhook.create",
      entityType: "Webhook",
      entityId: webhook.id,
      teamId: webhook.teamId,
      after: webhook,
    });
    return webhook;
  });
}
