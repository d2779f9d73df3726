import { z } from "zod";
import { WEBHOOK_EVENTS, assertTeamAccess, notFound, sealSecret, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";

const Url = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .superRefine((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${raw}" is not an absolute URL (e.g. https://hooks.example.com/costgate)` });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: `must be an http or https URL (got ${url.protocol.slice(0, -1)})` });
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not carry credentials (user:password@); deliveries are authenticated by their signature" });
  });

const Input = z.object({
  teamId: z.string().min(1),
  url: Url,
  secret: z.string().min(16, "must be at least 16 characters (e.g. openssl rand -hex 32)").max(256, "must be at most 256 characters"),
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { error: (i) => `unknown event ${JSON.stringify(i.input)}: known events are ${WEBHOOK_EVENTS.join(", ")}` }))
    .min(1, `name at least one event (${WEBHOOK_EVENTS.join(", ")})`)
    .transform((events) => [...new Set(events)]),
});

/**
 * Registers a webhook of a team: an http(s) URL without credentials, the events it wants
 * (alert.created, job.finished, version.promoted) and a signing secret of at least 16
 * characters. The secret is stored encrypted (AES-256-GCM under COSTGATE_SECRET_KEY), since
 * every delivery is signed with it; it is never returned nor written to the audit log.
 */
export async function createWebhook(deps: { db: Db; secretKey: Buffer }, principal: Principal, input: unknown) {
  const data = validate(Input, input);
  assertTeamAccess(principal, data.teamId);
  const team = await deps.db.team.findUnique({ where: { id: data.teamId }, select: { id: true } });
  if (!team) throw notFound("Team", data.teamId);
  return deps.db.$transaction(async (tx) => {
    const webhook = await tx.webhook.create({ data: { teamId: data.teamId, url: data.url, events: data.events, secret: sealSecret(deps.secretKey, data.secret) } });
    await writeAudit(tx, { actor: principal.actor, action: "webhook.create", entityType: "Webhook", entityId: webhook.id, teamId: webhook.teamId, after: webhook });
    return webhook;
  });
}
