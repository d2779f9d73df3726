import type { Alert } from "@costgate/db";
import { caller, mutation, type Context } from "../context.ts";
import { listAlerts, type AlertsArgs } from "../../features/alerts/list-alerts.ts";
import { acknowledgeAlert } from "../../features/alerts/acknowledge-alert.ts";

export const alertResolvers = {
  Query: {
    alerts: (_p: unknown, args: AlertsArgs, ctx: Context) => listAlerts(ctx.db, caller(ctx), args),
  },
  Mutation: {
    acknowledgeAlert: mutation("acknowledgeAlert", (a: { id: string }, ctx, p) => acknowledgeAlert(ctx, p, a.id)),
  },
  Alert: {
    budget: (a: Alert, _args: unknown, ctx: Context) => ctx.loaders.budget.load(a.budgetId),
  },
} satisfies Record<string, Record<string, unknown>>;
