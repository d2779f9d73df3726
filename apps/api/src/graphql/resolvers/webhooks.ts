import { assertCan } from "@costgate/core";
import type { Webhook } from "@costgate/db";
import { caller, mutation, type Context } from "../context.ts";
import { pageSize } from "../pagination.ts";
import { listWebhooks } from "../../features/webhooks/list-webhooks.ts";
import { createWebhook } from "../../features/webhooks/create-webhook.ts";
import { updateWebhook } from "../../features/webhooks/update-webhook.ts";
import { deleteWebhook } from "../../features/webhooks/delete-webhook.ts";

export const webhookResolvers = {
  Query: {
    webhooks(_p: unknown, args: { teamId?: string | null }, ctx: Context) {
      const principal = caller(ctx);
      assertCan(principal, "webhooks");
      return listWebhooks(ctx.db, principal, args.teamId);
    },
  },
  Mutation: {
    createWebhook: mutation("createWebhook", (a: { input: unknown }, ctx, p) => createWebhook(ctx, p, a.input)),
    updateWebhook: mutation("updateWebhook", (a: { id: string; input: unknown }, ctx, p) =>
      updateWebhook(ctx, p, a.id, a.input),
    ),
    deleteWebhook: mutation("deleteWebhook", (a: { id: string }, ctx, p) => deleteWebhook(ctx.db, p, a.id)),
  },
  Webhook: {
    team: (w: Webhook, _a: unknown, ctx: Context) => ctx.loaders.team.load(w.teamId),
    deliveries: (w: Webhook, args: { first?: number | null }, ctx: Context) =>
      ctx.loaders.webhookDeliveries.load({ webhookId: w.id, first: pageSize(args.first) }),
  },
} satisfies Record<string, Record<string, unknown>>;
