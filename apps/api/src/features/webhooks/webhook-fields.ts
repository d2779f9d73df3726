import { z } from "zod";
import { WEBHOOK_EVENTS, badInput } from "@costgate/core";
import { webhookTargetProblem, type TargetPolicy } from "@costgate/services";

/** An absolute http(s) URL without credentials: deliveries authenticate by their signature. */
export const WebhookUrl = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .superRefine((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: `"${raw}" is not an absolute URL (e.g. https://hooks.example.com/costgate)`,
      });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      ctx.addIssue({ code: "custom", message: `must be an http or https URL (got ${url.protocol.slice(0, -1)})` });
    if (url.username || url.password)
      ctx.addIssue({
        code: "custom",
        message: "must not carry credentials (user:password@); deliveries are authenticated by their signature",
      });
  });

/** Refuses a URL whose host is (or resolves to) an internal address, unless the policy allows it. */
export async function assertWebhookTarget(url: string, policy: TargetPolicy): Promise<void> {
  const problem = await webhookTargetProblem(url, policy);
  if (problem) throw badInput(`url: ${problem}; webhooks deliver to public addresses only`, { field: "url" });
}

/** The signing secret, as given: sealed with sealSecret before it is stored. */
export const WebhookSecret = z
  .string()
  .min(16, "must be at least 16 characters (e.g. openssl rand -hex 32)")
  .max(256, "must be at most 256 characters");

/** One or more known events, each once. */
export const WebhookEvents = z
  .array(
    z.enum(WEBHOOK_EVENTS, {
      error: (i) => `unknown event ${JSON.stringify(i.input)}: known events are ${WEBHOOK_EVENTS.join(", ")}`,
    }),
  )
  .min(1, `name at least one event (${WEBHOOK_EVENTS.join(", ")})`)
  .transform((events) => [...new Set(events)]);

/** What deliveries POST: Costgate's envelope, or a Slack incoming-webhook message. */
export const WebhookFormat = z.enum(["COSTGATE", "SLACK"], {
  error: (i) => `unknown format ${JSON.stringify(i.input)}: COSTGATE or SLACK`,
});
