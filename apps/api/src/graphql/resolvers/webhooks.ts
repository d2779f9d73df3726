import { mutation } from "../context.ts";
import { createWebhook } from "../../features/webhooks/create-webhook.ts";

export const webhookResolvers = {
  Mutation: {
    createWebhook: mutation("createWebhook", (a: { input: unknown }, ctx, p) => createWebhook(ctx, p, a.input)),
  },
} satisfies Record<string, Record<string, unknown>>;
