import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { listAlerts } from "../../features/alerts/list-alerts.ts";
import { acknowledgeAlert } from "../../features/alerts/acknowledge-alert.ts";
import { requestPromotionOverride } from "../../features/registry/request-promotion-override.ts";

export const alertResolvers = {
  Query: {
    alerts: (_p, args, ctx) => listAlerts(ctx.db, caller(ctx), args),
  },
  Mutation: {
    acknowledgeAlert: mutation("acknowledgeAlert", (a, ctx, p) => acknowledgeAlert(ctx, p, a.id)),
    requestPromotionOverride: mutation("requestPromotionOverride", (a, ctx, p) => requestPromotionOverride(ctx, p, a)),
  },
  Alert: {
    budget: (a, _args, ctx) => ctx.loaders.budget.loadRequired(a.budgetId),
    acknowledgedBy: (a, _args, ctx) => (a.acknowledgedById ? ctx.loaders.user.load(a.acknowledgedById) : null),
    overrideRequest: (a) => (a.kind === "OVERRIDE_REQUEST" && a.versionId ? a : null),
  },
  PromotionOverrideRequest: {
    version: (a, _args, ctx) => ctx.loaders.version.loadRequired(a.versionId!),
    requestedBy: (a, _args, ctx) => ctx.loaders.actorName.load(a.requestedBy ?? "system"),
    reason: (a) => a.reason ?? "",
    projection: (a) => a.projection ?? {},
  },
} satisfies Resolvers;
