import { caller } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { spendAnomalies } from "../../features/usage/spend-anomalies.ts";
import { alertExplorerLink } from "../../features/alerts/alert-explore.ts";

export const financeResolvers = {
  Query: {
    spendAnomalies: (_p, args, ctx) => spendAnomalies(ctx.db, caller(ctx), args),
  },
  SpendAnomaly: {
    model: (a, _args, ctx) => ctx.loaders.model.loadRequired(a.modelId),
    version: (a, _args, ctx) => (a.versionId ? ctx.loaders.version.load(a.versionId) : null),
    expectedRequests: (a) => Number(a.expectedRequests),
    actualRequests: (a) => Number(a.actualRequests),
  },
  Alert: {
    acknowledgedBy: (a, _args, ctx) => (a.acknowledgedById ? ctx.loaders.user.load(a.acknowledgedById) : null),
    anomaly: (a, _args, ctx) => (a.anomalyId ? ctx.loaders.anomaly.load(a.anomalyId) : null),
    async explore(a, _args, ctx) {
      const [budget, anomaly] = await Promise.all([
        ctx.loaders.budget.loadRequired(a.budgetId),
        a.anomalyId ? ctx.loaders.anomaly.load(a.anomalyId) : null,
      ]);
      return alertExplorerLink(a, budget, anomaly);
    },
  },
} satisfies Resolvers;
