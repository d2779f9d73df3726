import { assertCan } from "@costgate/core";
import { webhookBody } from "@costgate/secrets";
import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { pageSize } from "../pagination.ts";
import { listWebhooks } from "../../features/webhooks/list-webhooks.ts";
import { createWebhook } from "../../features/webhooks/create-webhook.ts";
import { updateWebhook } from "../../features/webhooks/update-webhook.ts";
import { deleteWebhook } from "../../features/webhooks/delete-webhook.ts";
import { sendTestWebhook } from "../../features/webhooks/send-test-webhook.ts";

export const webhookResolvers = {
  Query: {
    webhooks(_p, args, ctx) {
      const principal = caller(ctx);
      assertCan(principal, "webhooks");
      return listWebhooks(ctx.db, principal, args.teamId);
    },
  },
  Mutation: {
    createWebhook: mutation("createWebhook", (a, ctx, p) => createWebhook(ctx, p, a.input)),
    updateWebhook: mutation("updateWebhook", (a, ctx, p) => updateWebhook(ctx, p, a.id, a.input)),
    deleteWebhook: mutation("deleteWebhook", (a, ctx, p) => deleteWebhook(ctx.db, p, a.id)),
    sendTestWebhook: mutation("sendTestWebhook", (a, ctx, p) => sendTestWebhook(ctx, p, a.webhookId)),
  },
  Webhook: {
    team: (w, _a, ctx) => ctx.loaders.team.loadRequired(w.teamId),
    deliveries: (w, args, ctx) => ctx.loaders.webhookDeliveries.load({ webhookId: w.id, first: pageSize(args.first) }),
  },
  WebhookDelivery: {
    // The body a COSTGATE webhook receives, deliveryId first (webhookBody, as the worker sends it).
    // Reached only through webhooks and their mutations, which the same roles may use; checked
    // here too, so no later path to a delivery shows a payload to anyone else.
    payload: (d, _a, ctx) => {
      assertCan(caller(ctx), "webhooks");
      return JSON.parse(webhookBody(d.id, d.payload as object)) as unknown;
    },
  },
} satisfies Resolvers;
