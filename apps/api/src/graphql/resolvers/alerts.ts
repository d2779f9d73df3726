import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { listAlerts } from "../../features/alerts/list-alerts.ts";
import { acknowledgeAlert } from "../../features/alerts/acknowledge-alert.ts";

export const alertResolvers = {
  Query: {
    alerts: (_p, args, ctx) => listAlerts(ctx.db, caller(ctx), args),
  },
  Mutation: {
    acknowledgeAlert: mutation("acknowledgeAlert", (a, ctx, p) => acknowledgeAlert(ctx, p, a.id)),
  },
  Alert: {
    budget: (a, _args, ctx) => ctx.loaders.budget.loadRequired(a.budgetId),
    acknowledgedBy: (a, _args, ctx) => (a.acknowledgedById ? ctx.loaders.user.load(a.acknowledgedById) : null),
  },
} satisfies Resolvers;
